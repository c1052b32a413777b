/**
 * The events the kernel source derives (Tracee's `security_*` hooks,
 * `mem_prot_alert` and the scheduler events) as a table of builders, one per
 * event: each turns a ring record into the event's values, or gives nothing
 * when the record does not make that event. Which syscalls carry which
 * derived event is the catalog's `derivedFrom` (src/event/catalog.ts).
 *
 * @module
 */

import {
  formatPointer,
  KernelReadType,
  MemProtAlert,
} from "../../event/mod.ts";
import { ForkTask, RingRecordFlag, Slot } from "../../../ffi/mod.ts";
import { exact } from "./arguments.ts";
import { KERNEL_EVENTS } from "./plan.ts";
import type { FileInfo, RegisterArgs, RingFields } from "./ring_fields.ts";
import { splitArea } from "./ring_text.ts";

/** What a builder reads from one ring record. */
export interface RingRecordParts {
  /** The syscall the record is for (`""` for a scheduler record). */
  readonly syscall: string;
  /** `RingRecordFlag` bits. */
  readonly flags: number;
  /** The syscall's return value. */
  readonly ret: bigint;
  /** The syscall's register arguments. */
  readonly args: RegisterArgs;
  /** The fields after the header. */
  readonly fields: RingFields;
  /** Nanoseconds to add to a boot-time clock value to get epoch time. */
  readonly bootToEpochNs: bigint;
  /** The syscall's own argument values, built on first use. */
  syscallValues(): unknown[];
}

/** The values of a derived event, or `undefined` when the record gives none. */
type Builder = (record: RingRecordParts) => unknown[] | undefined;

const S_IFMT = 0o170000;
const VM_WRITE = 0x2;
const VM_EXEC = 0x4;
const PAGE_SIZE = 4096;
const SOCKET_FAMILIES = new Set([1, 2, 10]);
const SOCKET_TYPES = new Set([1, 2, 5]);
/** O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC. */
const OPEN_TRANSIENT_FLAGS = 0o100 | 0o200 | 0o400 | 0o1000;

/**
 * Most argv entries an exec event carries when argv is padded to argc with
 * `"?"`: the argument area the kernel copies (8 KiB at most) holds no more
 * strings, and a record's argc sizes nothing beyond it.
 */
export const ARGV_ENTRIES_MAX = 4096;

/** The exec record's argv, padded with `"?"` up to argc (bounded). */
function execArgv(fields: RingFields): string[] {
  const argc = fields.u64s[Slot.Argc] ?? 0n;
  const argv = splitArea(fields.areas[Slot.Argv]);
  const padded = argc < BigInt(ARGV_ENTRIES_MAX)
    ? Number(argc)
    : ARGV_ENTRIES_MAX;
  while (argv.length < padded) argv.push("?");
  return argv;
}

/**
 * The ELF interpreter's pathname, dev, inode and ctime; zero values when
 * unknown or when it is the executable itself (a static binary).
 */
function interpreter(
  file: FileInfo | undefined,
  fields: RingFields,
): [string, number, number | bigint, number | bigint] {
  const found = fields.files[Slot.Interpreter];
  if (
    !found || (file && found.dev === file.dev && found.inode === file.inode)
  ) {
    return ["", 0, 0, 0];
  }
  return [
    fields.paths[Slot.Interpreter] ?? "",
    found.dev,
    exact(found.inode),
    exact(found.ctime),
  ];
}

function schedProcessExec({ fields, flags }: RingRecordParts): unknown[] {
  const file = fields.files[Slot.File];
  const stdin = fields.files[Slot.Stdin];
  return [
    fields.kernelStrs[Slot.Cmdpath] ?? "",
    fields.paths[Slot.File] ?? "",
    file?.dev ?? 0,
    file ? exact(file.inode) : 0,
    file ? exact(file.ctime) : 0,
    file?.mode ?? 0,
    ...interpreter(file, fields),
    execArgv(fields),
    fields.kernelStrs[Slot.Interp] ?? "",
    stdin ? stdin.mode & S_IFMT : 0,
    fields.paths[Slot.Stdin] ?? "",
    flags & RingRecordFlag.KthreadParent ? 1 : 0,
    fields.kernelStrs[Slot.PrevComm] ?? "",
    splitArea(fields.areas[Slot.Envp]),
  ];
}

function securityBprmCheck({ fields }: RingRecordParts): unknown[] {
  const file = fields.files[Slot.File];
  return [
    fields.paths[Slot.File] ?? "",
    file?.dev ?? 0,
    file ? exact(file.inode) : 0,
    execArgv(fields),
    splitArea(fields.areas[Slot.Envp]),
  ];
}

function schedProcessFork(
  { fields, bootToEpochNs }: RingRecordParts,
): unknown[] {
  const values: unknown[] = [];
  for (
    const who of [
      ForkTask.Parent,
      ForkTask.Child,
      ForkTask.ParentProcess,
      ForkTask.Leader,
    ]
  ) {
    const task = fields.tasks[who];
    values.push(
      task?.tid ?? 0,
      task?.nsTid ?? 0,
      task?.pid ?? 0,
      task?.nsPid ?? 0,
      task ? task.startTime + bootToEpochNs : 0n,
    );
  }
  return values;
}

function schedProcessExit({ args, flags }: RingRecordParts): unknown[] {
  return [
    exact(BigInt.asIntN(64, args.u64(0))),
    (flags & RingRecordFlag.GroupExit) !== 0,
  ];
}

function securityFileOpen(record: RingRecordParts): unknown[] | undefined {
  const { fields, syscall } = record;
  const file = fields.files[Slot.File];
  if (!file || record.ret < 0n) return undefined;
  // The kernel clears these in f_flags after the LSM hook has run.
  const requested = syscall === "openat2"
    ? 0
    : record.args.uint(syscall === "open" ? 1 : 2);
  return [
    fields.paths[Slot.File] ?? "",
    (file.flags | (requested & OPEN_TRANSIENT_FLAGS)) | 0,
    file.dev,
    exact(file.inode),
    exact(file.ctime),
    fields.strs[syscall === "open" ? 0 : 1] ?? "",
  ];
}

function securityKernelReadFile(
  { fields }: RingRecordParts,
): unknown[] | undefined {
  const file = fields.files[Slot.File];
  if (!file) return undefined;
  return [
    fields.paths[Slot.File] ?? "",
    file.dev,
    exact(file.inode),
    KernelReadType.KernelModule,
    exact(file.ctime),
  ];
}

function securitySbMount(record: RingRecordParts): unknown[] {
  return record.syscallValues().slice(0, 4);
}

function securitySocketConnect(
  record: RingRecordParts,
): unknown[] | undefined {
  const address = record.fields.sockaddrs[1] ?? new Uint8Array(2);
  const family = address.length >= 2 ? address[0]! | (address[1]! << 8) : 0;
  const type = Number(record.fields.u64s[Slot.SockType] ?? 0n);
  if (!SOCKET_FAMILIES.has(family) || !SOCKET_TYPES.has(type & 0xf)) {
    return undefined;
  }
  const [sockfd, addr] = record.syscallValues();
  return [sockfd, type, addr];
}

/**
 * The alert of an mmap asking for W+X, or of an mprotect changing a vma's
 * protection (its flags before the call are in the record), or 0; and the
 * previous protection.
 */
function protectionAlert(
  { syscall, fields, ret }: RingRecordParts,
  prot: number,
): [alert: number, prevProt: number] {
  if (syscall === "mmap") {
    const wx = (prot & (VM_WRITE | VM_EXEC)) === (VM_WRITE | VM_EXEC);
    return [wx ? MemProtAlert.MmapWriteExec : 0, 0];
  }
  const prev = fields.u64s[Slot.PrevProt];
  if (prev === undefined || ret !== 0n) return [0, 0];
  const prevProt = Number(BigInt.asIntN(32, prev));
  let alert = 0;
  if (!(prevProt & VM_EXEC) && prot & VM_EXEC) alert = MemProtAlert.ExecAdded;
  if (
    prevProt & VM_EXEC && !(prevProt & VM_WRITE) &&
    (prot & (VM_WRITE | VM_EXEC)) === (VM_WRITE | VM_EXEC)
  ) alert = MemProtAlert.WriteAddedToExec;
  if (prevProt & VM_WRITE && prot & VM_EXEC && !(prot & VM_WRITE)) {
    alert = MemProtAlert.WriteToExec;
  }
  return [alert, prevProt];
}

function memProtAlert(record: RingRecordParts): unknown[] | undefined {
  const { args, fields, ret } = record;
  const prot = args.int(2);
  const [alert, prevProt] = protectionAlert(record, prot);
  if (alert === 0) return undefined;
  const addr = record.syscall === "mmap" && ret >= 0n ? ret : args.u64(0);
  const file = fields.files[Slot.File];
  const length = args.u64(1);
  return [
    alert,
    formatPointer(addr),
    exact(length === 0n ? BigInt(PAGE_SIZE) : length),
    prot,
    prevProt,
    file ? fields.paths[Slot.File] ?? "" : "",
    file?.dev ?? 0,
    file ? exact(file.inode) : 0,
    file ? exact(file.ctime) : 0,
  ];
}

/** The builder of each derived event, by event name. */
const DERIVED_BUILDERS: Readonly<Record<string, Builder>> = {
  sched_process_exec: schedProcessExec,
  security_bprm_check: securityBprmCheck,
  sched_process_fork: schedProcessFork,
  sched_process_exit: schedProcessExit,
  security_file_open: securityFileOpen,
  security_kernel_read_file: securityKernelReadFile,
  security_sb_mount: securitySbMount,
  security_socket_connect: securitySocketConnect,
  mem_prot_alert: memProtAlert,
};

/** A derived event's name and builder. */
export interface Derivation {
  readonly name: string;
  readonly build: Builder;
}

/** The derivation of event `name`. */
export function derivation(name: string): Derivation {
  return { name, build: DERIVED_BUILDERS[name]! };
}

/** The derived event a syscall's ring records carry, by syscall name. */
export const DERIVED_BY_SYSCALL: ReadonlyMap<string, Derivation> = new Map(
  [...KERNEL_EVENTS.values()].flatMap((event) =>
    event.kind === "common"
      ? event.syscalls.map((syscall) =>
        [syscall, derivation(event.name)] as const
      )
      : []
  ),
);
