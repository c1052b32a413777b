/**
 * Building a signature's `selectedEvents`.
 *
 * @module
 */

import type { EventSelector } from "./mod.ts";

/**
 * One selector per Tracee event in `names`, each from `origin`: any (`*`,
 * the default), `host`, `container` or `container-init`.
 *
 * @example
 * ```ts
 * import { PROGRAM_START_EVENTS, selectTracee } from "@vigil/sensor/sdk";
 * import type { EventSelector } from "@vigil/sensor/sdk";
 *
 * export const selectedEvents: EventSelector[] = [
 *   ...selectTracee(PROGRAM_START_EVENTS),
 *   ...selectTracee(["magic_write"], "container"),
 * ];
 * ```
 */
export function selectTracee(
  names: readonly string[],
  origin = "*",
): EventSelector[] {
  return names.map((name) => ({ source: "tracee", name, origin }));
}
