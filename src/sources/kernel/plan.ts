/**
 * The events the kernel source produces: Tracee's ids, names and parameters
 * (TRACEE-EVENTS.md section 1), and how each is obtained from the syscall and
 * scheduler tracepoints this kernel allows. Turning a selection into the BPF
 * configuration (which syscalls to record, how to capture their arguments)
 * is {@linkcode kernelPlan}.
 *
 * @module
 */

import { ArgKind, SchedFlag, SysFlag } from "../../../ffi/record_layout.ts";

/** A parameter: Tracee's type string and name. */
export type Param = readonly [type: string, name: string];

/** An event reported for a syscall, named after it. */
export interface SyscallEvent {
  /** Discriminant. */
  readonly kind: "syscall";
  /** Tracee's event id (syscalls: the x86_64 number). */
  readonly id: number;
  /** Tracee's event name. */
  readonly name: string;
  /** Tracee's parameters, in order. */
  readonly params: readonly Param[];
}

/** An event derived from syscalls or scheduler tracepoints. */
export interface DerivedEvent {
  /** Discriminant. */
  readonly kind: "derived";
  /** Tracee's event id (syscalls: the x86_64 number). */
  readonly id: number;
  /** Tracee's event name. */
  readonly name: string;
  /** Tracee's parameters, in order. */
  readonly params: readonly Param[];
  /** The syscalls whose records carry it. */
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

const INT = "int";
const STR = "const char*";
const ARR = "const char*const*";
const SOCK = "struct sockaddr*";
const UL = "unsigned long";

function syscall(id: number, name: string, params: Param[]): SyscallEvent {
  return { kind: "syscall", id, name, params };
}

/** process_vm_readv and process_vm_writev take the same parameters. */
const PROCESS_VM_PARAMS: Param[] = [
  ["pid_t", "pid"],
  ["const struct iovec*", "local_iov"],
  [UL, "liovcnt"],
  ["const struct iovec*", "remote_iov"],
  [UL, "riovcnt"],
  [UL, "flags"],
];

const SYSCALL_EVENTS: readonly SyscallEvent[] = [
  syscall(59, "execve", [[STR, "pathname"], [ARR, "argv"], [ARR, "envp"]]),
  syscall(322, "execveat", [[INT, "dirfd"], [STR, "pathname"], [ARR, "argv"], [
    ARR,
    "envp",
  ], [INT, "flags"]]),
  syscall(2, "open", [[STR, "pathname"], [INT, "flags"], ["umode_t", "mode"]]),
  syscall(257, "openat", [[INT, "dirfd"], [STR, "pathname"], [INT, "flags"], [
    "umode_t",
    "mode",
  ]]),
  syscall(437, "openat2", [[INT, "dirfd"], [STR, "pathname"], [
    "struct open_how*",
    "how",
  ], ["size_t", "size"]]),
  syscall(101, "ptrace", [["long", "request"], ["pid_t", "pid"], [
    "void*",
    "addr",
  ], [
    "void*",
    "data",
  ]]),
  syscall(311, "process_vm_writev", PROCESS_VM_PARAMS),
  syscall(310, "process_vm_readv", PROCESS_VM_PARAMS),
  syscall(319, "memfd_create", [[STR, "name"], ["unsigned int", "flags"]]),
  syscall(10, "mprotect", [["void*", "addr"], ["size_t", "len"], [
    INT,
    "prot",
  ]]),
  syscall(175, "init_module", [["void*", "module_image"], [UL, "len"], [
    STR,
    "param_values",
  ]]),
  syscall(313, "finit_module", [[INT, "fd"], [STR, "param_values"], [
    INT,
    "flags",
  ]]),
  syscall(176, "delete_module", [[STR, "name"], [INT, "flags"]]),
  syscall(165, "mount", [[STR, "source"], [STR, "target"], [
    STR,
    "filesystemtype",
  ], [
    UL,
    "mountflags",
  ], ["const void*", "data"]]),
  syscall(166, "umount2", [[STR, "target"], [INT, "flags"]]),
  syscall(42, "connect", [[INT, "sockfd"], [SOCK, "addr"], [INT, "addrlen"]]),
  syscall(49, "bind", [[INT, "sockfd"], [SOCK, "addr"], [INT, "addrlen"]]),
  syscall(43, "accept", [[INT, "sockfd"], [SOCK, "addr"], ["int*", "addrlen"]]),
  syscall(288, "accept4", [
    [INT, "sockfd"],
    [SOCK, "addr"],
    ["int*", "addrlen"],
    [
      INT,
      "flags",
    ],
  ]),
  syscall(50, "listen", [[INT, "sockfd"], [INT, "backlog"]]),
  syscall(41, "socket", [[INT, "domain"], [INT, "type"], [INT, "protocol"]]),
  syscall(105, "setuid", [["uid_t", "uid"]]),
  syscall(106, "setgid", [["gid_t", "gid"]]),
  syscall(113, "setreuid", [["uid_t", "ruid"], ["uid_t", "euid"]]),
  syscall(114, "setregid", [["gid_t", "rgid"], ["gid_t", "egid"]]),
  syscall(117, "setresuid", [["uid_t", "ruid"], ["uid_t", "euid"], [
    "uid_t",
    "suid",
  ]]),
  syscall(119, "setresgid", [["gid_t", "rgid"], ["gid_t", "egid"], [
    "gid_t",
    "sgid",
  ]]),
  syscall(122, "setfsuid", [["uid_t", "fsuid"]]),
  syscall(123, "setfsgid", [["gid_t", "fsgid"]]),
  syscall(62, "kill", [["pid_t", "pid"], [INT, "sig"]]),
  syscall(200, "tkill", [[INT, "tid"], [INT, "sig"]]),
  syscall(87, "unlink", [[STR, "pathname"]]),
  syscall(263, "unlinkat", [[INT, "dirfd"], [STR, "pathname"], [INT, "flags"]]),
  syscall(82, "rename", [[STR, "oldpath"], [STR, "newpath"]]),
  syscall(264, "renameat", [[INT, "olddirfd"], [STR, "oldpath"], [
    INT,
    "newdirfd",
  ], [
    STR,
    "newpath",
  ]]),
  syscall(316, "renameat2", [[INT, "olddirfd"], [STR, "oldpath"], [
    INT,
    "newdirfd",
  ], [
    STR,
    "newpath",
  ], ["unsigned int", "flags"]]),
  syscall(90, "chmod", [[STR, "pathname"], ["umode_t", "mode"]]),
  syscall(91, "fchmod", [[INT, "fd"], ["umode_t", "mode"]]),
  syscall(268, "fchmodat", [[INT, "dirfd"], [STR, "pathname"], [
    "umode_t",
    "mode",
  ], [
    INT,
    "flags",
  ]]),
  syscall(92, "chown", [[STR, "pathname"], ["uid_t", "owner"], [
    "gid_t",
    "group",
  ]]),
  syscall(260, "fchownat", [[INT, "dirfd"], [STR, "pathname"], [
    "uid_t",
    "owner",
  ], [
    "gid_t",
    "group",
  ], [INT, "flags"]]),
  syscall(32, "dup", [[INT, "oldfd"]]),
  syscall(33, "dup2", [[INT, "oldfd"], [INT, "newfd"]]),
  syscall(292, "dup3", [[INT, "oldfd"], [INT, "newfd"], [INT, "flags"]]),
  syscall(56, "clone", [[UL, "flags"], ["void*", "stack"], [
    "int*",
    "parent_tid",
  ], [
    "int*",
    "child_tid",
  ], [UL, "tls"]]),
  syscall(321, "bpf", [[INT, "cmd"], ["union bpf_attr*", "attr"], [
    "unsigned int",
    "size",
  ]]),
];

const FILE_ARGS: readonly Param[] = [[STR, "pathname"], ["dev_t", "dev"], [
  UL,
  "inode",
]];

const DERIVED_EVENTS: readonly DerivedEvent[] = [
  {
    kind: "derived",
    id: 715,
    name: "sched_process_exec",
    params: [
      [STR, "cmdpath"],
      [STR, "pathname"],
      ["dev_t", "dev"],
      [UL, "inode"],
      [
        UL,
        "ctime",
      ],
      ["umode_t", "inode_mode"],
      [STR, "interpreter_pathname"],
      [
        "dev_t",
        "interpreter_dev",
      ],
      [UL, "interpreter_inode"],
      [UL, "interpreter_ctime"],
      [
        "const char**",
        "argv",
      ],
      [STR, "interp"],
      ["umode_t", "stdin_type"],
      ["char*", "stdin_path"],
      [
        INT,
        "invoked_from_kernel",
      ],
      [STR, "prev_comm"],
      ["const char**", "env"],
    ],
    syscalls: [],
    sched: SchedFlag.Exec,
  },
  {
    kind: "derived",
    id: 714,
    name: "sched_process_fork",
    params: ["parent", "child", "parent_process", "leader"].flatMap((
      who,
    ): Param[] => [
      [INT, `${who}_tid`],
      [INT, `${who}_ns_tid`],
      [INT, `${who}_pid`],
      [INT, `${who}_ns_pid`],
      [UL, who === "child" ? "start_time" : `${who}_start_time`],
    ]),
    syscalls: [],
    sched: SchedFlag.Fork,
  },
  {
    kind: "derived",
    id: 716,
    name: "sched_process_exit",
    params: [["long", "exit_code"], ["bool", "process_group_exit"]],
    syscalls: [],
    sched: SchedFlag.Exit,
  },
  {
    kind: "derived",
    id: 731,
    name: "security_bprm_check",
    params: [...FILE_ARGS, [ARR, "argv"], [ARR, "envp"]],
    syscalls: [],
    sched: SchedFlag.Bprm,
  },
  {
    kind: "derived",
    id: 732,
    name: "security_file_open",
    params: [
      [STR, "pathname"],
      [INT, "flags"],
      ["dev_t", "dev"],
      [UL, "inode"],
      [
        UL,
        "ctime",
      ],
      [STR, "syscall_pathname"],
    ],
    syscalls: ["open", "openat", "openat2"],
    sched: 0,
    atExit: true,
  },
  {
    kind: "derived",
    id: 740,
    name: "security_sb_mount",
    params: [[STR, "dev_name"], [STR, "path"], [STR, "type"], [UL, "flags"]],
    syscalls: ["mount"],
    sched: 0,
  },
  {
    kind: "derived",
    id: 743,
    name: "security_kernel_read_file",
    params: [...FILE_ARGS, [INT, "type"], [UL, "ctime"]],
    syscalls: ["finit_module"],
    sched: 0,
  },
  {
    kind: "derived",
    id: 736,
    name: "security_socket_connect",
    params: [[INT, "sockfd"], [INT, "type"], [SOCK, "remote_addr"]],
    syscalls: ["connect"],
    sched: 0,
  },
  {
    kind: "derived",
    id: 724,
    name: "mem_prot_alert",
    params: [
      ["u32", "alert"],
      ["void*", "addr"],
      ["size_t", "len"],
      [INT, "prot"],
      [
        INT,
        "prev_prot",
      ],
      [STR, "pathname"],
      ["dev_t", "dev"],
      [UL, "inode"],
      ["u64", "ctime"],
    ],
    syscalls: ["mprotect", "mmap"],
    sched: 0,
  },
];

/** Syscalls recorded only to derive events (not selectable themselves). */
const HELPER_SYSCALLS: readonly SyscallEvent[] = [
  syscall(9, "mmap", [
    ["void*", "addr"],
    ["size_t", "length"],
    [INT, "prot"],
    [
      INT,
      "flags",
    ],
    [INT, "fd"],
    ["off_t", "off"],
  ]),
];

/** Every event of the kernel source, by name. */
export const KERNEL_EVENTS: ReadonlyMap<string, KernelEvent> = new Map(
  [...SYSCALL_EVENTS, ...DERIVED_EVENTS].map((event) => [event.name, event]),
);

/** All event names the kernel source can produce, sorted. */
export const KERNEL_EVENT_NAMES: readonly string[] = [...KERNEL_EVENTS.keys()]
  .sort();

const SYSCALLS_BY_NAME: ReadonlyMap<string, SyscallEvent> = new Map(
  [...SYSCALL_EVENTS, ...HELPER_SYSCALLS].map((event) => [event.name, event]),
);

/** Syscall definitions (selectable and helper ones) by x86_64 number. */
export const SYSCALLS_BY_NUMBER: ReadonlyMap<number, SyscallEvent> = new Map(
  [...SYSCALLS_BY_NAME.values()].map((event) => [event.id, event]),
);

/** x86_64 names of syscalls that events happen in, for the `syscall` field. */
const OTHER_SYSCALL_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "read"],
  [1, "write"],
  [3, "close"],
  [57, "fork"],
  [58, "vfork"],
  [60, "exit"],
  [61, "wait4"],
  [157, "prctl"],
  [231, "exit_group"],
  [435, "clone3"],
]);

/** The name of x86_64 syscall `nr`, or `""` when it is not one we know. */
export function syscallName(nr: number): string {
  return SYSCALLS_BY_NUMBER.get(nr)?.name ?? OTHER_SYSCALL_NAMES.get(nr) ?? "";
}

const PATH_PARAMS = new Set(["pathname", "oldpath", "newpath", "target"]);
const DIRFD_PARAMS = new Set(["dirfd", "olddirfd", "newdirfd"]);

/** How the kernel captures a syscall parameter. */
export function argKind([type, name]: Param): ArgKind {
  if (type === STR) return PATH_PARAMS.has(name) ? ArgKind.Path : ArgKind.Str;
  if (type === ARR) return ArgKind.StrArray;
  if (type === SOCK) return ArgKind.Sockaddr;
  if (type === INT && DIRFD_PARAMS.has(name)) return ArgKind.Dirfd;
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
  // exec records carry the comm from before exec, saved at syscall entry.
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
