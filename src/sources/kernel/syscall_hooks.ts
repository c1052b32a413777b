/**
 * How the kernel source hooks the syscalls its events need. One tracepoint
 * per syscall (`syscalls/sys_enter_<name>` and `sys_exit_<name>`) lets the
 * kernel run no program at all for the other syscalls, where the
 * `sys_enter`/`sys_exit` pair runs one for every syscall of every process
 * (about 80 ns a call on our machines, against 15 ns of the kernel's own
 * tracepoint dispatch).
 *
 * A syscall the kernel was built without (module loading without
 * `CONFIG_MODULES`) has no event: calling it only returns ENOSYS and changes
 * nothing, so it is left unhooked rather than making every syscall pay for
 * the pair. A syscall the kernel has but tracefs lacks keeps the pair.
 *
 * @module
 */

/** Syscalls whose tracefs event is not named after them. */
const EVENT_NAMES: Readonly<Record<string, string>> = { umount2: "umount" };

/** The tracefs event name of a syscall, e.g. `umount` for `umount2`. */
export function syscallEventName(syscall: string): string {
  return EVENT_NAMES[syscall] ?? syscall;
}

/** The hooks chosen for a set of syscalls. */
export type SyscallHooks =
  | {
    readonly kind: "tracepoints";
    /** Tracefs event names without the prefix, e.g. `openat`. */
    readonly events: readonly string[];
    /** Selected syscalls this kernel was built without: not hooked. */
    readonly absent: readonly string[];
  }
  | {
    readonly kind: "sys_enter";
    /** Why per-syscall tracepoints are not used, for the debug log. */
    readonly reason: string;
  };

/** What choosing hooks needs to know of the running kernel. */
export interface SyscallEventProbe {
  /** Whether tracefs has syscall event `name`, e.g. `sys_enter_openat`. */
  hasEvent(name: string): boolean;
  /** Which of these syscalls the kernel was built without (ENOSYS stubs). */
  stubbed(names: readonly string[]): ReadonlySet<string>;
}

/** Picks the hooks for `syscalls` (Tracee names, e.g. `openat`). */
export function planSyscallHooks(
  syscalls: readonly string[],
  probe: SyscallEventProbe,
): SyscallHooks {
  const events: string[] = [];
  const missing: string[] = [];
  for (const syscall of syscalls) {
    const event = syscallEventName(syscall);
    const found = probe.hasEvent(`sys_enter_${event}`) &&
      probe.hasEvent(`sys_exit_${event}`);
    (found ? events : missing).push(event);
  }
  const stubbed = probe.stubbed(missing);
  const lacking = missing.filter((event) => !stubbed.has(event));
  if (lacking.length > 0) {
    return {
      kind: "sys_enter",
      reason: `tracefs has no syscall event for ${lacking.join(", ")}`,
    };
  }
  return { kind: "tracepoints", events, absent: missing };
}
