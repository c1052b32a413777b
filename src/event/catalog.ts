/**
 * The event catalog: every Tracee event Vigil knows, with its id, name and
 * parameters (Tracee's types, in order; TRACEE-EVENTS.md section 1), and for
 * the events Vigil's kernel source derives rather than reports as a syscall
 * of their own, what it derives them from. The kernel source, the replay
 * tools, the fixture generators and docs/events.md all read this table.
 * Syscall events use x86_64 syscall numbers; signature events get ids from
 * `FIRST_SIGNATURE_EVENT_ID` up, in load order.
 *
 * @module
 */

/** A parameter: Tracee's type string and name. */
export type Param = readonly [type: string, name: string];

/**
 * What Vigil derives an event from: the syscalls whose ring records carry it,
 * or the scheduler tracepoint that reports it.
 */
export interface DerivedFrom {
  /** Syscall events whose records carry it. */
  readonly syscalls?: readonly string[];
  /** The scheduler tracepoint that reports it. */
  readonly tracepoint?: string;
}

/** One event of the catalog. */
export interface EventDefinition {
  /** Tracee's event id (syscall events: the x86_64 syscall number). */
  readonly id: number;
  /** Tracee's event name. */
  readonly name: string;
  /** `"syscall"`: named after the syscall it reports; `"common"`: any other. */
  readonly kind: "syscall" | "common";
  /** Tracee's parameters, in order. */
  readonly params: readonly Param[];
  /** Set when Vigil's kernel source derives it (not for syscall events). */
  readonly derivedFrom?: DerivedFrom;
}

function syscall(
  id: number,
  name: string,
  params: readonly Param[],
): EventDefinition {
  return { id, name, kind: "syscall", params };
}

function common(
  id: number,
  name: string,
  params: readonly Param[],
  derivedFrom?: DerivedFrom,
): EventDefinition {
  return {
    id,
    name,
    kind: "common",
    params,
    ...(derivedFrom ? { derivedFrom } : {}),
  };
}

/** process_vm_readv and process_vm_writev take the same parameters. */
const PROCESS_VM_PARAMS: readonly Param[] = [
  ["pid_t", "pid"],
  ["const struct iovec*", "local_iov"],
  ["unsigned long", "liovcnt"],
  ["const struct iovec*", "remote_iov"],
  ["unsigned long", "riovcnt"],
  ["unsigned long", "flags"],
];

/** Every base event, by id. */
export const EVENTS: readonly EventDefinition[] = [
  syscall(0, "read", [["int", "fd"], ["void*", "buf"], ["size_t", "count"]]),
  syscall(1, "write", [["int", "fd"], ["void*", "buf"], ["size_t", "count"]]),
  syscall(2, "open", [["const char*", "pathname"], ["int", "flags"], [
    "umode_t",
    "mode",
  ]]),
  syscall(3, "close", [["int", "fd"]]),
  syscall(9, "mmap", [
    ["void*", "addr"],
    ["size_t", "length"],
    ["int", "prot"],
    ["int", "flags"],
    ["int", "fd"],
    ["off_t", "off"],
  ]),
  syscall(10, "mprotect", [["void*", "addr"], ["size_t", "len"], [
    "int",
    "prot",
  ]]),
  syscall(32, "dup", [["int", "oldfd"]]),
  syscall(33, "dup2", [["int", "oldfd"], ["int", "newfd"]]),
  syscall(41, "socket", [["int", "domain"], ["int", "type"], [
    "int",
    "protocol",
  ]]),
  syscall(42, "connect", [["int", "sockfd"], ["struct sockaddr*", "addr"], [
    "int",
    "addrlen",
  ]]),
  syscall(43, "accept", [["int", "sockfd"], ["struct sockaddr*", "addr"], [
    "int*",
    "addrlen",
  ]]),
  syscall(49, "bind", [["int", "sockfd"], ["struct sockaddr*", "addr"], [
    "int",
    "addrlen",
  ]]),
  syscall(50, "listen", [["int", "sockfd"], ["int", "backlog"]]),
  syscall(56, "clone", [
    ["unsigned long", "flags"],
    ["void*", "stack"],
    ["int*", "parent_tid"],
    ["int*", "child_tid"],
    ["unsigned long", "tls"],
  ]),
  syscall(57, "fork", []),
  syscall(58, "vfork", []),
  syscall(59, "execve", [["const char*", "pathname"], [
    "const char*const*",
    "argv",
  ], ["const char*const*", "envp"]]),
  syscall(60, "exit", [["int", "status"]]),
  syscall(61, "wait4", [["pid_t", "pid"], ["int*", "wstatus"], [
    "int",
    "options",
  ], ["struct rusage*", "rusage"]]),
  syscall(62, "kill", [["pid_t", "pid"], ["int", "sig"]]),
  syscall(82, "rename", [["const char*", "oldpath"], [
    "const char*",
    "newpath",
  ]]),
  syscall(87, "unlink", [["const char*", "pathname"]]),
  syscall(90, "chmod", [["const char*", "pathname"], ["umode_t", "mode"]]),
  syscall(91, "fchmod", [["int", "fd"], ["umode_t", "mode"]]),
  syscall(92, "chown", [["const char*", "pathname"], ["uid_t", "owner"], [
    "gid_t",
    "group",
  ]]),
  syscall(101, "ptrace", [["long", "request"], ["pid_t", "pid"], [
    "void*",
    "addr",
  ], ["void*", "data"]]),
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
  syscall(157, "prctl", [
    ["int", "option"],
    ["unsigned long", "arg2"],
    ["unsigned long", "arg3"],
    ["unsigned long", "arg4"],
    ["unsigned long", "arg5"],
  ]),
  syscall(165, "mount", [
    ["const char*", "source"],
    ["const char*", "target"],
    ["const char*", "filesystemtype"],
    ["unsigned long", "mountflags"],
    ["const void*", "data"],
  ]),
  syscall(166, "umount2", [["const char*", "target"], ["int", "flags"]]),
  syscall(175, "init_module", [["void*", "module_image"], [
    "unsigned long",
    "len",
  ], ["const char*", "param_values"]]),
  syscall(176, "delete_module", [["const char*", "name"], ["int", "flags"]]),
  syscall(200, "tkill", [["int", "tid"], ["int", "sig"]]),
  syscall(231, "exit_group", [["int", "status"]]),
  syscall(257, "openat", [["int", "dirfd"], ["const char*", "pathname"], [
    "int",
    "flags",
  ], ["umode_t", "mode"]]),
  syscall(260, "fchownat", [
    ["int", "dirfd"],
    ["const char*", "pathname"],
    ["uid_t", "owner"],
    ["gid_t", "group"],
    ["int", "flags"],
  ]),
  syscall(263, "unlinkat", [["int", "dirfd"], ["const char*", "pathname"], [
    "int",
    "flags",
  ]]),
  syscall(264, "renameat", [["int", "olddirfd"], ["const char*", "oldpath"], [
    "int",
    "newdirfd",
  ], ["const char*", "newpath"]]),
  syscall(268, "fchmodat", [["int", "dirfd"], ["const char*", "pathname"], [
    "umode_t",
    "mode",
  ], ["int", "flags"]]),
  syscall(288, "accept4", [["int", "sockfd"], ["struct sockaddr*", "addr"], [
    "int*",
    "addrlen",
  ], ["int", "flags"]]),
  syscall(292, "dup3", [["int", "oldfd"], ["int", "newfd"], ["int", "flags"]]),
  syscall(310, "process_vm_readv", PROCESS_VM_PARAMS),
  syscall(311, "process_vm_writev", PROCESS_VM_PARAMS),
  syscall(313, "finit_module", [
    ["int", "fd"],
    ["const char*", "param_values"],
    ["int", "flags"],
  ]),
  syscall(316, "renameat2", [
    ["int", "olddirfd"],
    ["const char*", "oldpath"],
    ["int", "newdirfd"],
    ["const char*", "newpath"],
    ["unsigned int", "flags"],
  ]),
  syscall(319, "memfd_create", [["const char*", "name"], [
    "unsigned int",
    "flags",
  ]]),
  syscall(321, "bpf", [["int", "cmd"], ["union bpf_attr*", "attr"], [
    "unsigned int",
    "size",
  ]]),
  syscall(322, "execveat", [
    ["int", "dirfd"],
    ["const char*", "pathname"],
    ["const char*const*", "argv"],
    ["const char*const*", "envp"],
    ["int", "flags"],
  ]),
  syscall(435, "clone3", [["struct clone_args*", "cl_args"], [
    "size_t",
    "size",
  ]]),
  syscall(437, "openat2", [["int", "dirfd"], ["const char*", "pathname"], [
    "struct open_how*",
    "how",
  ], ["size_t", "size"]]),
  common(453, "umount", [["const char*", "target"]]),
  common(714, "sched_process_fork", [
    ["int", "parent_tid"],
    ["int", "parent_ns_tid"],
    ["int", "parent_pid"],
    ["int", "parent_ns_pid"],
    ["unsigned long", "parent_start_time"],
    ["int", "child_tid"],
    ["int", "child_ns_tid"],
    ["int", "child_pid"],
    ["int", "child_ns_pid"],
    ["unsigned long", "start_time"],
    ["int", "parent_process_tid"],
    ["int", "parent_process_ns_tid"],
    ["int", "parent_process_pid"],
    ["int", "parent_process_ns_pid"],
    ["unsigned long", "parent_process_start_time"],
    ["int", "leader_tid"],
    ["int", "leader_ns_tid"],
    ["int", "leader_pid"],
    ["int", "leader_ns_pid"],
    ["unsigned long", "leader_start_time"],
  ], { tracepoint: "sched_process_fork" }),
  common(715, "sched_process_exec", [
    ["const char*", "cmdpath"],
    ["const char*", "pathname"],
    ["dev_t", "dev"],
    ["unsigned long", "inode"],
    ["unsigned long", "ctime"],
    ["umode_t", "inode_mode"],
    ["const char*", "interpreter_pathname"],
    ["dev_t", "interpreter_dev"],
    ["unsigned long", "interpreter_inode"],
    ["unsigned long", "interpreter_ctime"],
    ["const char**", "argv"],
    ["const char*", "interp"],
    ["umode_t", "stdin_type"],
    ["char*", "stdin_path"],
    ["int", "invoked_from_kernel"],
    ["const char*", "prev_comm"],
    ["const char**", "env"],
  ], { tracepoint: "sched_process_exec" }),
  common(716, "sched_process_exit", [["long", "exit_code"], [
    "bool",
    "process_group_exit",
  ]], { tracepoint: "sched_process_exit" }),
  common(724, "mem_prot_alert", [
    ["u32", "alert"],
    ["void*", "addr"],
    ["size_t", "len"],
    ["int", "prot"],
    ["int", "prev_prot"],
    ["const char*", "pathname"],
    ["dev_t", "dev"],
    ["unsigned long", "inode"],
    ["u64", "ctime"],
  ], { syscalls: ["mprotect", "mmap"] }),
  common(727, "magic_write", [["const char*", "pathname"], ["bytes", "bytes"], [
    "dev_t",
    "dev",
  ], ["unsigned long", "inode"]]),
  common(731, "security_bprm_check", [
    ["const char*", "pathname"],
    ["dev_t", "dev"],
    ["unsigned long", "inode"],
    ["const char*const*", "argv"],
    ["const char*const*", "envp"],
  ], { tracepoint: "sched_process_exec" }),
  common(732, "security_file_open", [
    ["const char*", "pathname"],
    ["int", "flags"],
    ["dev_t", "dev"],
    ["unsigned long", "inode"],
    ["unsigned long", "ctime"],
    ["const char*", "syscall_pathname"],
  ], { syscalls: ["open", "openat", "openat2"] }),
  common(733, "security_inode_unlink", [
    ["const char*", "pathname"],
    ["unsigned long", "inode"],
    ["dev_t", "dev"],
    ["u64", "ctime"],
  ]),
  common(736, "security_socket_connect", [["int", "sockfd"], ["int", "type"], [
    "struct sockaddr*",
    "remote_addr",
  ]], { syscalls: ["connect"] }),
  common(737, "security_socket_accept", [["int", "sockfd"], [
    "struct sockaddr*",
    "local_addr",
  ]]),
  common(738, "security_socket_bind", [["int", "sockfd"], [
    "struct sockaddr*",
    "local_addr",
  ]]),
  common(740, "security_sb_mount", [
    ["const char*", "dev_name"],
    ["const char*", "path"],
    ["const char*", "type"],
    ["unsigned long", "flags"],
  ], { syscalls: ["mount"] }),
  common(743, "security_kernel_read_file", [
    ["const char*", "pathname"],
    ["dev_t", "dev"],
    ["unsigned long", "inode"],
    ["int", "type"],
    ["unsigned long", "ctime"],
  ], { syscalls: ["finit_module"] }),
  common(768, "security_inode_rename", [["const char*", "old_path"], [
    "const char*",
    "new_path",
  ]]),
  common(779, "process_execute_failed", [
    ["int", "dirfd"],
    ["int", "flags"],
    ["const char*", "pathname"],
    ["const char*", "binary.path"],
    ["dev_t", "binary.device_id"],
    ["unsigned long", "binary.inode_number"],
    ["unsigned long", "binary.ctime"],
    ["umode_t", "binary.inode_mode"],
    ["const char*", "interpreter_path"],
    ["umode_t", "stdin_type"],
    ["char*", "stdin_path"],
    ["int", "kernel_invoked"],
    ["const char*const*", "argv"],
    ["const char*const*", "envp"],
  ]),
  common(784, "module_load", [
    ["const char*", "name"],
    ["const char*", "version"],
    ["const char*", "src_version"],
    ["const char*", "pathname"],
    ["dev_t", "dev"],
    ["unsigned long", "inode"],
    ["u64", "ctime"],
  ]),
  common(790, "chmod_common", [["const char*", "pathname"], [
    "umode_t",
    "mode",
  ]]),
];

/** Every base event, by name. */
export const EVENTS_BY_NAME: ReadonlyMap<string, EventDefinition> = new Map(
  EVENTS.map((event) => [event.name, event]),
);

/** Event name → Tracee event id, for every base event. */
export const BASE_EVENT_IDS: ReadonlyMap<string, number> = new Map(
  EVENTS.map((event) => [event.name, event.id]),
);

/**
 * The definition of base event `name`.
 *
 * @throws {RangeError} When no base event has that name.
 */
export function eventDefinition(name: string): EventDefinition {
  const event = EVENTS_BY_NAME.get(name);
  if (!event) {
    throw new RangeError(`Cannot find event "${name}" in the catalog`);
  }
  return event;
}

const SYSCALL_NAMES: ReadonlyMap<number, string> = new Map(
  EVENTS.filter((event) => event.kind === "syscall").map((
    event,
  ) => [event.id, event.name]),
);

/** The name of x86_64 syscall `nr`, or `""` when it is not one we know. */
export function syscallName(nr: number): string {
  return SYSCALL_NAMES.get(nr) ?? "";
}

/** The id of the first signature event. */
export const FIRST_SIGNATURE_EVENT_ID = 6000;

/** Vigil's own event: a signature was killed, crashed, or quarantined. */
export const SIGNATURE_ERROR_EVENT = {
  name: "signature_error",
  id: 5000,
} as const;
