/**
 * The record layout of ffi/bpf/vigil_events.h, mirrored for the decoder.
 * tests/ffi/record_layout_test.ts checks every number against the header.
 *
 * @module
 */

/** Sizes and limits (`#define VIGIL_*`). */
export const Limits = {
  SYSCALL_MAX: 512,
  ARGS: 6,
  COMM_LEN: 16,
  HEADER_SIZE: 184,
  FILE_SIZE: 32,
  TASK_SIZE: 24,
  CONFIG_SIZE: 3600,
  ARGV_MAX: 38,
} as const;

/** Byte offsets in `struct vigil_header`. */
export const HeaderOffset = {
  ts: 0,
  startTime: 8,
  leaderStart: 16,
  parentStart: 24,
  cgroupId: 32,
  ret: 40,
  args: 48,
  mntNs: 96,
  pidNs: 100,
  hostPid: 104,
  hostTid: 108,
  hostPpid: 112,
  pid: 116,
  tid: 120,
  ppid: 124,
  uid: 128,
  cpu: 132,
  syscallNr: 136,
  size: 140,
  kind: 144,
  flags: 145,
  comm: 152,
  hostname: 168,
} as const;

/** Byte offsets in `struct vigil_file`. */
export const FileOffset = {
  inode: 0,
  ctime: 8,
  dev: 16,
  flags: 20,
  mode: 24,
} as const;

/** Byte offsets in `struct vigil_task`. */
export const TaskOffset = {
  startTime: 0,
  tid: 8,
  nsTid: 12,
  pid: 16,
  nsPid: 20,
} as const;

/** Byte offsets in `struct vigil_config`. */
export const ConfigOffset = {
  selfTgid: 0,
  schedFlags: 4,
  features: 8,
  sysFlags: 16,
  argKinds: 528,
} as const;

/** `VIGIL_KIND_*`: what a record reports. */
export const RingRecordKind = { Syscall: 1, Exec: 2, Fork: 3, Exit: 4 } as const;

/** `VIGIL_FLAG_*`: header flags. */
export const RingRecordFlag = {
  EmitSyscall: 0x1,
  EmitDerived: 0x2,
  AtEntry: 0x4,
  Compat: 0x8,
  GroupExit: 0x10,
  KthreadParent: 0x20,
} as const;

/** `VIGIL_FIELD_*`: kinds of the fields after the header. */
export const FieldKind = {
  Str: 1,
  StrElem: 2,
  ArrayFull: 3,
  Sockaddr: 4,
  Path: 5,
  File: 6,
  KernelStr: 7,
  ArgArea: 8,
  U64: 9,
  Task: 10,
} as const;

/** `VIGIL_PATH_BARE`: the path field holds a bare dentry name. */
export const PATH_BARE = 0x80;

/** `VIGIL_SLOT_*`: indexes of non-argument fields. */
export const Slot = {
  File: 0,
  Base: 1,
  Stdin: 2,
  Cmdpath: 3,
  Interp: 4,
  PrevComm: 5,
  Argv: 6,
  Envp: 7,
  Argc: 8,
  PrevProt: 9,
  SockType: 10,
  Interpreter: 11,
} as const;

/** `VIGIL_TASK_*`: the tasks of a fork record. */
export const ForkTask = {
  Parent: 0,
  Child: 1,
  ParentProcess: 2,
  Leader: 3,
} as const;

/** `VIGIL_ARG_*`: how the kernel captures a syscall argument. */
export const ArgKind = {
  Raw: 0,
  Str: 1,
  Path: 2,
  StrArray: 3,
  Sockaddr: 4,
  Dirfd: 5,
} as const;

/** One of {@linkcode ArgKind}'s values. */
export type ArgKind = typeof ArgKind[keyof typeof ArgKind];

/** `VIGIL_SYS_*`: per-syscall flags of the config. */
export const SysFlag = {
  Emit: 0x1,
  Derived: 0x2,
  AtEntry: 0x4,
  Save: 0x8,
  ExitOnly: 0x10,
} as const;

/** `VIGIL_SCHED_*`: scheduler events of the config. */
export const SchedFlag = {
  Exec: 0x1,
  Bprm: 0x2,
  Fork: 0x4,
  Exit: 0x8,
} as const;

/** `VIGIL_FEATURE_*`: helpers the running kernel offers. */
export const FeatureFlag = { FindVma: 0x1, TaskPtRegs: 0x2 } as const;

/** `VIGIL_EXCLUDE_*`: values of the `excluded` map. */
export const ExcludeMode = { Process: 1, Descendants: 2 } as const;
