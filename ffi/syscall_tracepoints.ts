/**
 * What the kernel offers for hooking syscalls one by one: its tracefs
 * syscall events (`syscalls/sys_enter_<name>`), found where libbpf attaches
 * tracepoints and mounted when missing, and which syscalls it was built
 * without (those have no event).
 *
 * @module
 */

import { mountTracefs } from "./libc.ts";

/** Where libbpf looks first (debugfs' automount of tracefs). */
const DEBUGFS_TRACING = "/sys/kernel/debug/tracing";
/** Where libbpf looks otherwise, and where tracefs is mounted when missing. */
const TRACEFS = "/sys/kernel/tracing";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The tracefs directory libbpf attaches tracepoints through, as libbpf picks
 * it; tracefs is mounted at `/sys/kernel/tracing` first if it has no events.
 *
 * @throws {BpfError} When tracefs is missing and cannot be mounted.
 */
export function openTracefs(): string {
  const dir = exists(DEBUGFS_TRACING) ? DEBUGFS_TRACING : TRACEFS;
  if (dir === TRACEFS && !exists(`${TRACEFS}/events`)) mountTracefs(TRACEFS);
  return dir;
}

/** Whether tracefs at `dir` has the syscall event `name` (`sys_enter_openat`). */
export function hasSyscallEvent(dir: string, name: string): boolean {
  return exists(`${dir}/events/syscalls/${name}`);
}

/**
 * The x86-64 syscalls of `names` the kernel was built without: kallsyms lists
 * their `__x64_sys_<name>` entry as a weak stub (`W`) that returns ENOSYS.
 * Unreadable kallsyms answers none, so callers keep hooking what they cannot
 * rule out.
 */
export function stubbedSyscalls(names: readonly string[]): Set<string> {
  const stubbed = new Set<string>();
  if (names.length === 0) return stubbed;
  let symbols: string;
  try {
    symbols = Deno.readTextFileSync("/proc/kallsyms");
  } catch {
    return stubbed;
  }
  for (const name of names) {
    if (symbols.includes(` W __x64_sys_${name}\n`)) stubbed.add(name);
  }
  return stubbed;
}
