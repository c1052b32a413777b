/**
 * The events the kernel source produces (their ids, names and parameters
 * come from the event catalog, src/event/catalog.ts), and how each is
 * obtained from the syscall and scheduler tracepoints this kernel allows. Turning a selection into the BPF
 * configuration (which syscalls to record, how to capture their arguments)
 * is {@linkcode kernelPlan}.
 *
 * @module
 */

import { ArgKind, SchedFlag, SysFlag } from "../../../ffi/mod.ts";
import {
  type EventDefinition,
  eventDefinition,
  type Param,
} from "../../event/mod.ts";

/** An event reported for a syscall, named after it. */
export interface SyscallEvent extends EventDefinition {
  /** Discriminant. */
  readonly kind: "syscall";
}

/** An event derived from syscalls or scheduler tracepoints. */
export interface DerivedEvent extends EventDefinition {
  /** Discriminant. */
  readonly kind: "common";
  /** The syscalls whose ring records carry it. */
  readonly syscalls: readonly string[];
  /** Scheduler tracepoints it needs (`SchedFlag` bits). */
  readonly sched: number;
  /**
   * Built at syscall exit from the return value and the arguments, which the
   * task's saved registers still hold then: its syscalls need no entry hook.
   */
  readonly atExit?: boolean;
}

/** Any event of the kernel source. */
export type KernelEvent = SyscallEvent | DerivedEvent;

/** The syscall events the kernel source reports, in the catalog. */
const SYSCALL_EVENT_NAMES: readonly string[] = [
  "execve",
  "execveat",
  "open",
  "openat",
  "openat2",
  "ptrace",
  "process_vm_writev",
  "process_vm_readv",
  "memfd_create",
  "mprotect",
  "init_module",
  "finit_module",
  "delete_module",
  "mount",
  "umount2",
  "connect",
  "bind",
  "accept",
  "accept4",
  "listen",
  "socket",
  "setuid",
  "setgid",
  "setreuid",
  "setregid",
  "setresuid",
  "setresgid",
  "setfsuid",
  "setfsgid",
  "kill",
  "tkill",
  "unlink",
  "unlinkat",
  "rename",
  "renameat",
  "renameat2",
  "chmod",
  "fchmod",
  "fchmodat",
  "chown",
  "fchownat",
  "dup",
  "dup2",
  "dup3",
  "clone",
  "bpf",
];

/** Syscalls recorded only to derive events (not selectable themselves). */
const HELPER_SYSCALL_NAMES: readonly string[] = ["mmap"];

/**
 * How the BPF programs obtain each event the catalog says Vigil derives:
 * the scheduler tracepoints it needs, and whether its syscalls can be read
 * at exit alone.
 */
const DERIVED_CAPTURE: Readonly<
  Record<string, { readonly sched: number; readonly atExit?: boolean }>
> = {
  sched_process_exec: { sched: SchedFlag.Exec },
  sched_process_fork: { sched: SchedFlag.Fork },
  sched_process_exit: { sched: SchedFlag.Exit },
  security_bprm_check: { sched: SchedFlag.Bprm },
  security_file_open: { sched: 0, atExit: true },
  security_sb_mount: { sched: 0 },
  security_kernel_read_file: { sched: 0 },
  security_socket_connect: { sched: 0 },
  mem_prot_alert: { sched: 0 },
};

function syscallEvent(name: string): SyscallEvent {
  const event = eventDefinition(name);
  if (event.kind !== "syscall") {
    throw new TypeError(`Cannot trace "${name}" as a syscall: it is not one`);
  }
  return { ...event, kind: "syscall" };
}

function derivedEvent(name: string): DerivedEvent {
  const event = eventDefinition(name);
  const capture = DERIVED_CAPTURE[name]!;
  if (event.kind !== "common" || !event.derivedFrom) {
    throw new TypeError(`Cannot derive "${name}": the catalog says not how`);
  }
  return {
    ...event,
    kind: "common",
    syscalls: event.derivedFrom.syscalls ?? [],
    ...capture,
  };
}

const SYSCALL_EVENTS = SYSCALL_EVENT_NAMES.map(syscallEvent);

/** Every event of the kernel source, by name. */
export const KERNEL_EVENTS: ReadonlyMap<string, KernelEvent> = new Map(
  [...SYSCALL_EVENTS, ...Object.keys(DERIVED_CAPTURE).map(derivedEvent)].map((
    event,
  ) => [event.name, event]),
);

/** All event names the kernel source can produce, sorted. */
export const KERNEL_EVENT_NAMES: readonly string[] = [...KERNEL_EVENTS.keys()]
  .sort();

const SYSCALLS_BY_NAME: ReadonlyMap<string, SyscallEvent> = new Map(
  [...SYSCALL_EVENTS, ...HELPER_SYSCALL_NAMES.map(syscallEvent)].map((
    event,
  ) => [event.name, event]),
);

/** Syscall definitions (selectable and helper ones) by x86_64 number. */
export const SYSCALLS_BY_NUMBER: ReadonlyMap<number, SyscallEvent> = new Map(
  [...SYSCALLS_BY_NAME.values()].map((event) => [event.id, event]),
);

const STR = "const char*";
const ARR = "const char*const*";
const SOCK = "struct sockaddr*";

const PATH_PARAMS = new Set(["pathname", "oldpath", "newpath", "target"]);
const DIRFD_PARAMS = new Set(["dirfd", "olddirfd", "newdirfd"]);

/** How the kernel captures a syscall parameter. */
export function argKind([type, name]: Param): ArgKind {
  if (type === STR) return PATH_PARAMS.has(name) ? ArgKind.Path : ArgKind.Str;
  if (type === ARR) return ArgKind.StrArray;
  if (type === SOCK) return ArgKind.Sockaddr;
  if (type === "int" && DIRFD_PARAMS.has(name)) return ArgKind.Dirfd;
  return ArgKind.Raw;
}

/** What the BPF programs must do for a selection of events. */
export interface KernelPlan {
  /** `SysFlag` bits by syscall number. */
  readonly sysFlags: ReadonlyMap<number, number>;
  /** `SchedFlag` bits. */
  readonly schedFlags: number;
}

/**
 * The BPF configuration for a selection of events.
 *
 * @throws {RangeError} When a name is not a kernel event; the message lists
 * the supported ones.
 */
export function kernelPlan(events: ReadonlySet<string>): KernelPlan {
  const sysFlags = new Map<number, number>();
  const exitOnly = new Set<number>();
  const needEntry = new Set<number>();
  let schedFlags = 0;
  const add = (name: string, flag: number, atExit = false) => {
    const nr = SYSCALLS_BY_NAME.get(name)!.id;
    sysFlags.set(nr, (sysFlags.get(nr) ?? 0) | flag);
    (atExit ? exitOnly : needEntry).add(nr);
  };
  for (const name of events) {
    const event = KERNEL_EVENTS.get(name);
    if (!event) {
      throw new RangeError(
        `Cannot trace event "${name}": the kernel source supports ${
          KERNEL_EVENT_NAMES.join(", ")
        }`,
      );
    }
    if (event.kind === "syscall") {
      const atEntry = name === "execve" || name === "execveat";
      add(name, SysFlag.Emit | (atEntry ? SysFlag.AtEntry : 0));
      continue;
    }
    for (const source of event.syscalls) {
      add(source, SysFlag.Derived, event.atExit);
    }
    schedFlags |= event.sched;
  }
  // exec ring records carry the comm from before exec, saved at syscall entry.
  if (schedFlags & (SchedFlag.Exec | SchedFlag.Bprm)) {
    add("execve", SysFlag.Save);
    add("execveat", SysFlag.Save);
  }
  for (const nr of exitOnly) {
    if (!needEntry.has(nr)) {
      sysFlags.set(nr, sysFlags.get(nr)! | SysFlag.ExitOnly);
    }
  }
  return { sysFlags, schedFlags };
}
