/**
 * Reading an event's arguments. Every value an argument holds comes from the
 * event stream, so these helpers check its type rather than trust its name.
 *
 * @module
 */

import type { TraceeEvent } from "../event/event.ts";

/**
 * The value of the argument `name` of `event`, `undefined` when the event
 * lacks it.
 *
 * @example
 * ```ts
 * import { argumentValue } from "@vigil/sensor/sdk";
 * import type { TraceeEvent } from "@vigil/sensor/sdk";
 *
 * declare const event: TraceeEvent;
 * const flags = argumentValue(event, "flags");
 * ```
 */
export function argumentValue(event: TraceeEvent, name: string): unknown {
  return event.args.find((arg) => arg.name === name)?.value;
}

/**
 * The argument `name` of `event` if it is a string, else `""` (absent, or of
 * another type, such as execve's `envp` printed as a pointer).
 *
 * @example
 * ```ts
 * import { stringArgument } from "@vigil/sensor/sdk";
 * import type { TraceeEvent } from "@vigil/sensor/sdk";
 *
 * declare const event: TraceeEvent;
 * if (stringArgument(event, "pathname").startsWith("/dev/shm/")) {
 *   // ...
 * }
 * ```
 */
export function stringArgument(event: TraceeEvent, name: string): string {
  const value = argumentValue(event, name);
  return typeof value === "string" ? value : "";
}

/**
 * The argument `name` of `event` if it is a process id (a safe integer),
 * else `undefined`.
 *
 * @example
 * ```ts
 * import { pidArgument } from "@vigil/sensor/sdk";
 * import type { TraceeEvent } from "@vigil/sensor/sdk";
 *
 * declare const fork: TraceeEvent; // sched_process_fork
 * const child = pidArgument(fork, "child_pid");
 * ```
 */
export function pidArgument(
  event: TraceeEvent,
  name: string,
): number | undefined {
  const pid = argumentValue(event, name);
  return typeof pid === "number" && Number.isSafeInteger(pid) ? pid : undefined;
}
