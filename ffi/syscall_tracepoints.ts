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

const NEWLINE = 0x0a;
/** What follows a weak symbol's address in kallsyms, for a syscall entry. */
const STUB_MARK = new TextEncoder().encode(" W __x64_sys_");

/**
 * The x86-64 syscalls of `names` the kernel was built without: kallsyms lists
 * their `__x64_sys_<name>` entry as a weak stub (`W`) that returns ENOSYS.
 * Unreadable kallsyms answers none, so callers keep hooking what they cannot
 * rule out.
 */
export function stubbedSyscalls(names: readonly string[]): Set<string> {
  const stubbed = new Set<string>();
  if (names.length === 0) return stubbed;
  const wanted = new Set(names);
  let file: Deno.FsFile;
  try {
    file = Deno.openSync("/proc/kallsyms");
  } catch {
    return stubbed;
  }
  using _ = file;
  // Scanned as bytes, a chunk at a time: the file is megabytes, which as one
  // string (or decoded chunks) grew the sensor's memory by 3 MiB.
  const buffer = new Uint8Array(64 * 1024);
  let filled = 0;
  for (;;) {
    let read: number | null;
    try {
      read = file.readSync(buffer.subarray(filled));
    } catch {
      return stubbed;
    }
    if (read === null) break;
    filled += read;
    let start = 0;
    for (
      let end = buffer.indexOf(NEWLINE, start);
      end >= 0 && end < filled;
      end = buffer.indexOf(NEWLINE, start)
    ) {
      const name = stubName(buffer, start, end);
      if (name !== undefined && wanted.has(name)) stubbed.add(name);
      start = end + 1;
    }
    if (start === 0 && filled === buffer.length) return stubbed; // no line
    buffer.copyWithin(0, start, filled);
    filled -= start;
  }
  return stubbed;
}

/** The syscall a kallsyms line names as a weak stub, if it does. */
function stubName(
  line: Uint8Array,
  start: number,
  end: number,
): string | undefined {
  const at = line.indexOf(STUB_MARK[0]!, start);
  if (at < 0 || at >= end || end - at <= STUB_MARK.length) return undefined;
  for (let i = 0; i < STUB_MARK.length; i++) {
    if (line[at + i] !== STUB_MARK[i]) return undefined;
  }
  return String.fromCharCode(...line.subarray(at + STUB_MARK.length, end));
}
