/**
 * Recognising a shell by its program name.
 *
 * @module
 */

import type { TraceeEvent } from "../event/event.ts";
import { argumentValue, stringArgument } from "./arguments.ts";

/** The program names of the common Unix shells. */
export const SHELL_NAMES: readonly string[] = Object.freeze([
  "sh",
  "bash",
  "dash",
  "zsh",
  "ksh",
  "mksh",
  "csh",
  "tcsh",
  "ash",
  "fish",
]);

/**
 * Whether `name` (a process name or a file name) is one of
 * {@linkcode SHELL_NAMES}.
 *
 * @example
 * ```ts
 * import { isShellName } from "@vigil/sensor/sdk";
 *
 * isShellName("bash"); // true
 * isShellName("/bin/bash"); // false: a name, not a path
 * ```
 */
export function isShellName(name: string): boolean {
  return SHELL_NAMES.includes(name);
}

/**
 * The path of the shell a program start (execve, execveat,
 * security_bprm_check or sched_process_exec) runs, from its `pathname`, or
 * `undefined` when it runs something else. busybox counts when its first
 * argument names a shell.
 *
 * @example
 * ```ts
 * import { startedShell } from "@vigil/sensor/sdk";
 * import type { TraceeEvent } from "@vigil/sensor/sdk";
 *
 * declare const exec: TraceeEvent; // sched_process_exec of /bin/sh
 * startedShell(exec); // "/bin/sh"
 * ```
 */
export function startedShell(event: TraceeEvent): string | undefined {
  const pathname = stringArgument(event, "pathname");
  const name = pathname.slice(pathname.lastIndexOf("/") + 1);
  if (isShellName(name)) return pathname;
  const argv = argumentValue(event, "argv");
  const first = Array.isArray(argv) && typeof argv[0] === "string"
    ? argv[0]
    : "";
  return name === "busybox" &&
      isShellName(first.slice(first.lastIndexOf("/") + 1))
    ? pathname
    : undefined;
}
