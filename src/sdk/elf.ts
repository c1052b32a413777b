/**
 * Recognising an ELF executable by the first bytes Tracee reports of a
 * `magic_write` (its `bytes` argument, base64 in Tracee's JSON).
 *
 * @module
 */

import type { TraceeEvent } from "../event/event.ts";
import { argumentValue } from "./arguments.ts";

const ELF_MAGIC = "\x7fELF";

/**
 * Whether `event`'s `bytes` argument (base64, as Tracee's `magic_write`
 * carries the first bytes written to a file) starts with ELF's magic number;
 * `false` when the argument is missing or not base64.
 *
 * @example
 * ```ts
 * import { writesElf } from "@vigil/sensor/sdk";
 *
 * const event = {
 *   eventName: "magic_write",
 *   args: [{ name: "bytes", type: "bytes", value: btoa("\x7fELF\x02\x01") }],
 * };
 * console.assert(writesElf(event as never));
 * ```
 */
export function writesElf(event: TraceeEvent): boolean {
  const base64 = argumentValue(event, "bytes");
  if (typeof base64 !== "string") return false;
  try {
    return atob(base64.slice(0, 8)).startsWith(ELF_MAGIC);
  } catch {
    return false;
  }
}
