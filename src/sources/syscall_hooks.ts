/**
 * How the kernel source hooks the syscalls its events need. One tracepoint
 * per syscall (`syscalls/sys_enter_<name>` and `sys_exit_<name>`) lets the
 * kernel run no program at all for the other syscalls, where the
 * `sys_enter`/`sys_exit` pair runs one for every syscall of every process
 * (about 80 ns a call on our machines, against 15 ns of the kernel's own
 * tracepoint dispatch). The pair stays the fallback.
 *
 * @module
 */

/** Syscalls whose tracefs event is not named after them. */
const EVENT_NAMES: Readonly<Record<string, string>> = { umount2: "umount" };

/** The hooks chosen for a set of syscalls. */
export type SyscallHooks =
  | {
    readonly kind: "tracepoints";
    /** Tracefs event names without the prefix, e.g. `openat`. */
    readonly events: readonly string[];
  }
  | {
    readonly kind: "sys_enter";
    /** Why per-syscall tracepoints are not used, for the debug log. */
    readonly reason: string;
  };

/**
 * Picks the hooks for `syscalls` (Tracee names, e.g. `openat`), given which
 * syscall events tracefs has (`hasEvent("sys_enter_openat")`). A syscall
 * without events (one the kernel was built without has none, yet calling it
 * is still reported) keeps the `sys_enter`/`sys_exit` pair for all.
 */
export function planSyscallHooks(
  syscalls: readonly string[],
  hasEvent: (name: string) => boolean,
): SyscallHooks {
  const events = syscalls.map((syscall) => EVENT_NAMES[syscall] ?? syscall);
  const missing = events.filter((event) =>
    !hasEvent(`sys_enter_${event}`) || !hasEvent(`sys_exit_${event}`)
  );
  if (missing.length > 0) {
    return {
      kind: "sys_enter",
      reason: `tracefs has no syscall event for ${missing.join(", ")}`,
    };
  }
  return { kind: "tracepoints", events };
}
