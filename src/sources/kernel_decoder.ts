/**
 * Decodes the kernel's records (ffi/bpf/vigil_events.h) into Tracee events
 * with parsed arguments. Pure: no kernel access, so it is unit-tested with
 * hand-built records.
 *
 * Records are read as untrusted bytes: every field is bounded by the record,
 * the record by the bytes drained, a field too short for its kind is skipped,
 * and counts in a record (argc) do not size anything beyond a fixed bound. A
 * record that still makes decoding throw costs that record only: it is
 * counted in `failures`, and the next record is decoded.
 *
 * @module
 */

import type { EventArgument, TraceeEvent } from "../event/event.ts";
import type { EventJsonParts } from "../event/json.ts";
import { type EventRecord, recordFromEvent } from "../event/record.ts";
import {
  formatPointer,
  KernelReadType,
  MemProtAlert,
  parseBpfCommand,
  parseCloneFlags,
  parseInodeMode,
  parseKernelReadType,
  parseMemProtAlert,
  parseMmapProt,
  parseOpenFlags,
  parsePtraceRequest,
  parseSockaddr,
  parseSocketDomain,
  parseSocketType,
} from "../event/argument_parsers.ts";
import { entityId } from "../event/entity_id.ts";
import type { CgroupContainer } from "../event/container_id.ts";
import type { ArgumentGate } from "./source.ts";
import {
  FieldKind,
  FileOffset,
  ForkTask,
  HeaderOffset,
  Limits,
  PATH_BARE,
  RecordFlag,
  RecordKind,
  Slot,
  TaskOffset,
} from "../../ffi/record_layout.ts";
import {
  argKind,
  KERNEL_EVENTS,
  type Param,
  syscallName,
  SYSCALLS_BY_NUMBER,
} from "./kernel_events.ts";
import { ArgKind } from "../../ffi/record_layout.ts";

/** What the decoder needs from its surroundings. */
export interface DecodeContext {
  /** Nanoseconds to add to a boot-time clock value to get epoch time. */
  readonly bootToEpochNs: bigint;
  /** The container of a cgroup (and a host pid to look it up by), if any. */
  containerOf(cgroupId: bigint, hostPid: number): CgroupContainer | undefined;
  /**
   * The gate events called `eventName` must pass to be built at all; asked
   * once per name. Events that fail it are counted as unwanted.
   */
  gate?(eventName: string): ArgumentGate | undefined;
}

/** A gate on one parameter, by its position in the event's values. */
interface ParamGate {
  readonly index: number;
  readonly gate: ArgumentGate;
}

interface FileInfo {
  inode: bigint;
  ctime: bigint;
  dev: number;
  flags: number;
  mode: number;
}

interface TaskInfo {
  startTime: bigint;
  tid: number;
  nsTid: number;
  pid: number;
  nsPid: number;
}

/** The fields of one record, by kind and index (sparse arrays). */
interface Fields {
  strs: string[];
  arrays: string[][];
  fullArrays: boolean[];
  sockaddrs: Uint8Array[];
  paths: string[];
  files: FileInfo[];
  kernelStrs: string[];
  areas: Uint8Array[];
  u64s: bigint[];
  tasks: TaskInfo[];
}

const decoder = new TextDecoder();
const S_IFMT = 0o170000;
const VM_WRITE = 0x2;
const VM_EXEC = 0x4;
const PAGE_SIZE = 4096;
const SOCKET_FAMILIES = new Set([1, 2, 10]);
const SOCKET_TYPES = new Set([1, 2, 5]);
/** O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC. */
const OPEN_TRANSIENT_FLAGS = 0o100 | 0o200 | 0o400 | 0o1000;

/** Longest text made without TextDecoder, and kept by {@linkcode TextCache}. */
const SHORT_TEXT = 256;

/**
 * Most argv entries an exec event carries when argv is padded to argc with
 * `"?"`: the argument area the kernel copies (8 KiB at most) holds no more
 * strings, and a record's argc sizes nothing beyond it.
 */
export const ARGV_ENTRIES_MAX = 4096;

/** ASCII bytes as a string, without TextDecoder. */
function asciiText(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode.apply(
    null,
    bytes.subarray(offset, offset + length) as unknown as number[],
  );
}

/** UTF-8 text; ASCII strings up to 256 bytes (most names and paths) skip TextDecoder. */
function text(bytes: Uint8Array, offset: number, length: number): string {
  if (length <= SHORT_TEXT) {
    let ascii = true;
    for (let i = offset; i < offset + length; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return asciiText(bytes, offset, length);
  }
  return decoder.decode(bytes.subarray(offset, offset + length));
}

/** Text up to the first NUL within `length` bytes. */
function cText(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  return text(bytes, offset, end - offset);
}

/** Whether `known` is the ASCII text of `bytes[offset, offset + length)`. */
function sameText(
  known: string,
  bytes: Uint8Array,
  offset: number,
  length: number,
): boolean {
  if (known.length !== length) return false;
  for (let i = 0; i < length; i++) {
    if (known.charCodeAt(i) !== bytes[offset + i]) return false;
  }
  return true;
}

/**
 * Joins leaf-first, NUL-separated path components into an absolute path (a
 * bare name: the leaf alone), walking them from the end rather than
 * splitting and reversing a list.
 */
function joinPath(names: string, bare: boolean): string {
  let end = names.endsWith("\0") ? names.length - 1 : names.length;
  if (bare) {
    const leaf = names.indexOf("\0");
    return names.slice(0, leaf < 0 || leaf > end ? end : leaf);
  }
  let path = "";
  while (end > 0) {
    const start = names.lastIndexOf("\0", end - 1) + 1;
    path += `/${names.slice(start, end)}`;
    end = start - 1;
  }
  return path || "/";
}

/** Most strings a {@linkcode TextCache} keeps of each kind. */
const TEXT_CACHE_MAX = 4096;

/**
 * Short texts and joined paths decoded from records, kept by content: the
 * same paths and names come back again and again (a process opening its
 * files, a build reading its headers), and comparing bytes with a string made
 * before costs less than making it again. Emptied when full.
 */
class TextCache {
  /** Short ASCII texts by a hash of their bytes. */
  readonly #texts = new Map<number, string>();
  /** Joined paths by their components' text (one of `#texts`). */
  readonly #paths = new Map<string, string>();

  /** `text()`, reusing a string made before for the same bytes. */
  text(bytes: Uint8Array, offset: number, length: number): string {
    if (length > SHORT_TEXT) return text(bytes, offset, length);
    let hash = length;
    for (let i = offset; i < offset + length; i++) {
      const byte = bytes[i]!;
      if (byte >= 0x80) return text(bytes, offset, length);
      hash = (Math.imul(hash, 31) + byte) | 0;
    }
    const known = this.#texts.get(hash);
    if (known !== undefined && sameText(known, bytes, offset, length)) {
      return known;
    }
    const made = asciiText(bytes, offset, length);
    if (this.#texts.size >= TEXT_CACHE_MAX) this.#texts.clear();
    this.#texts.set(hash, made);
    return made;
  }

  /** The path whose leaf-first components are at `bytes[offset]`. */
  path(
    bytes: Uint8Array,
    offset: number,
    length: number,
    bare: boolean,
  ): string {
    const names = this.text(bytes, offset, length);
    // Long paths are not kept: the cache stays a few MiB at most.
    if (bare || length > SHORT_TEXT) return joinPath(names, bare);
    let path = this.#paths.get(names);
    if (path === undefined) {
      path = joinPath(names, false);
      if (this.#paths.size >= TEXT_CACHE_MAX) this.#paths.clear();
      this.#paths.set(names, path);
    }
    return path;
  }
}

/** Bytes a field of each fixed-size kind must have to be read. */
const FIXED_FIELD_SIZE: Readonly<Record<number, number>> = {
  [FieldKind.File]: Limits.FILE_SIZE,
  [FieldKind.Task]: Limits.TASK_SIZE,
  [FieldKind.U64]: 8,
};

/**
 * A record's fields, from `start` to `end`: a field running past `end` ends
 * them, a fixed-size field too short for its kind is skipped. A new object
 * each time: emptying ten reused arrays cost more than allocating them (0.37
 * against 0.1 µs a record).
 */
function readFields(
  texts: TextCache,
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
): Fields {
  const fields: Fields = {
    strs: [],
    arrays: [],
    fullArrays: [],
    sockaddrs: [],
    paths: [],
    files: [],
    kernelStrs: [],
    areas: [],
    u64s: [],
    tasks: [],
  };
  let offset = start;
  while (offset + 4 <= end) {
    const kind = view.getUint8(offset);
    const index = view.getUint8(offset + 1);
    const length = view.getUint16(offset + 2, true);
    const data = offset + 4;
    offset = data + length;
    if (offset > end) break;
    if (length < (FIXED_FIELD_SIZE[kind] ?? 0)) continue;
    switch (kind) {
      case FieldKind.Str:
        fields.strs[index] = texts.text(bytes, data, length);
        break;
      case FieldKind.StrElem: {
        (fields.arrays[index] ??= []).push(texts.text(bytes, data, length));
        break;
      }
      case FieldKind.ArrayFull:
        fields.fullArrays[index] = true;
        break;
      case FieldKind.Sockaddr:
        fields.sockaddrs[index] = bytes.subarray(data, data + length);
        break;
      case FieldKind.Path:
        fields.paths[index & ~PATH_BARE] = texts.path(
          bytes,
          data,
          length,
          (index & PATH_BARE) !== 0,
        );
        break;
      case FieldKind.File:
        fields.files[index] = {
          inode: view.getBigUint64(data + FileOffset.inode, true),
          ctime: view.getBigUint64(data + FileOffset.ctime, true),
          dev: view.getUint32(data + FileOffset.dev, true),
          flags: view.getUint32(data + FileOffset.flags, true),
          mode: view.getUint16(data + FileOffset.mode, true),
        };
        break;
      case FieldKind.KernelStr:
        fields.kernelStrs[index] = texts.text(bytes, data, length);
        break;
      case FieldKind.ArgArea:
        fields.areas[index] = bytes.subarray(data, data + length);
        break;
      case FieldKind.U64:
        fields.u64s[index] = view.getBigUint64(data, true);
        break;
      case FieldKind.Task:
        fields.tasks[index] = {
          startTime: view.getBigUint64(data + TaskOffset.startTime, true),
          tid: view.getUint32(data + TaskOffset.tid, true),
          nsTid: view.getUint32(data + TaskOffset.nsTid, true),
          pid: view.getUint32(data + TaskOffset.pid, true),
          nsPid: view.getUint32(data + TaskOffset.nsPid, true),
        };
        break;
    }
  }
  return fields;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A 64-bit value as a number when exact, else as a bigint. */
function exact(value: bigint): number | bigint {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

/** Splits a NUL-separated area (argv, environ) into strings. */
function splitArea(area: Uint8Array | undefined): string[] {
  if (!area || area.length === 0) return [];
  const items = decoder.decode(area).split("\0");
  if (items.at(-1) === "") items.pop();
  return items;
}

/**
 * The ELF interpreter's pathname, dev, inode and ctime; zero values when
 * unknown or when it is the executable itself (a static binary).
 */
function interpreter(
  file: FileInfo | undefined,
  fields: Fields,
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

/** Resolves a relative path against a base directory ("." and ".." kept out). */
function resolvePath(base: string, path: string): string {
  const parts = base === "/" ? [] : base.split("/").slice(1);
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/**
 * The header bytes a task's context is decoded from (`start_time` to
 * `cgroup_id`, `mnt_ns` to `uid`, `comm` and `hostname`), as 32-bit words.
 */
const CONTEXT_WORDS: readonly number[] = [
  ...wordOffsets(HeaderOffset.startTime, HeaderOffset.ret),
  ...wordOffsets(HeaderOffset.mntNs, HeaderOffset.cpu),
  ...wordOffsets(HeaderOffset.comm, Limits.HEADER_SIZE),
];

function wordOffsets(start: number, end: number): number[] {
  const offsets = [];
  for (let offset = start; offset < end; offset += 4) offsets.push(offset);
  return offsets;
}

/**
 * What a thread's events share until its context changes: decoded once,
 * then reused (with its JSON) while the record's context bytes repeat, so a
 * busy thread costs one comparison per record instead of a decode.
 */
interface TaskContext {
  /** The context words it was decoded from. */
  readonly words: Uint32Array;
  readonly compat: boolean;
  readonly processStart: bigint;
  readonly threadStartTime: bigint;
  readonly processId: number;
  readonly cgroupId: bigint;
  readonly threadId: number;
  readonly parentProcessId: number;
  readonly hostProcessId: number;
  readonly hostThreadId: number;
  readonly hostParentProcessId: number;
  readonly userId: number;
  readonly mountNamespace: number;
  readonly pidNamespace: number;
  readonly processName: string;
  readonly executable: { readonly path: string };
  readonly hostName: string;
  readonly containerId: string;
  readonly container: { readonly id?: string };
  readonly kubernetes: Record<string, never>;
  readonly contextFlags: {
    readonly containerStarted: boolean;
    readonly isCompat: boolean;
  };
  readonly threadEntityId: number;
  readonly processEntityId: number;
  readonly parentEntityId: number;
  /** The JSON of the members above, made for the first event that is printed or routed. */
  parts?: EventJsonParts;
}

/**
 * Most thread contexts kept (about 1 KB each with their JSON); the cache is
 * emptied when full, as threads that have exited are forgotten only when
 * their exit is traced.
 */
const TASK_CACHE_MAX = 4096;

/** Whether the record at `offset` has the context `task` was decoded from. */
function sameContext(
  task: TaskContext,
  view: DataView,
  offset: number,
  compat: boolean,
): boolean {
  if (task.compat !== compat) return false;
  const words = task.words;
  for (let i = 0; i < words.length; i++) {
    if (view.getUint32(offset + CONTEXT_WORDS[i]!, true) !== words[i]) {
      return false;
    }
  }
  return true;
}

/** Reads the raw register arguments of a record, each as its type needs. */
class RawArgs {
  view!: DataView;
  offset = 0;

  /** Argument `i` as a signed 32-bit value. */
  int(i: number): number {
    return this.view.getInt32(this.offset + HeaderOffset.args + 8 * i, true);
  }

  /** Argument `i` as an unsigned 32-bit value. */
  uint(i: number): number {
    return this.view.getUint32(this.offset + HeaderOffset.args + 8 * i, true);
  }

  /** Argument `i` as an unsigned 64-bit value. */
  u64(i: number): bigint {
    return this.view.getBigUint64(
      this.offset + HeaderOffset.args + 8 * i,
      true,
    );
  }

  /** Argument `i` as its Tracee type decodes it. */
  value(type: string, i: number): unknown {
    switch (type) {
      case "int":
      case "pid_t":
      case "uid_t":
      case "gid_t":
        return this.int(i);
      case "unsigned int":
      case "u32":
      case "mode_t":
      case "dev_t":
        return this.uint(i);
      case "umode_t":
        return this.uint(i) & 0xffff;
      case "long":
        return exact(BigInt.asIntN(64, this.u64(i)));
      case "unsigned long":
      case "u64":
      case "size_t":
      case "off_t":
      case "loff_t":
        return exact(this.u64(i));
      case "bool":
        return this.u64(i) !== 0n;
      default:
        return formatPointer(this.u64(i));
    }
  }
}

type Converter = (value: unknown) => string;

const openFlags: Converter = (value) => parseOpenFlags(value as number);
const prot: Converter = (value) => parseMmapProt(value as number);
const inodeMode: Converter = (value) => parseInodeMode(value as number);

/** Tracee's parse step for the arguments it converts (section 2.2). */
const CONVERTER_TABLE: Record<string, Record<string, Converter>> = {
  open: { flags: openFlags },
  openat: { flags: openFlags },
  security_file_open: { flags: openFlags },
  mprotect: { prot },
  mem_prot_alert: {
    alert: (value) => parseMemProtAlert(value as number),
    prot,
    prev_prot: prot,
  },
  ptrace: { request: (value) => parsePtraceRequest(Number(value)) },
  chmod: { mode: inodeMode },
  fchmod: { mode: inodeMode },
  fchmodat: { mode: inodeMode },
  sched_process_exec: { stdin_type: inodeMode },
  bpf: { cmd: (value) => parseBpfCommand(value as number) },
  clone: {
    flags: (value) => parseCloneFlags(BigInt(value as number | bigint)),
  },
  socket: {
    domain: (value) => parseSocketDomain(value as number),
    type: (value) => parseSocketType(value as number),
  },
  security_socket_connect: {
    type: (value) => parseSocketType(value as number),
  },
  security_kernel_read_file: {
    type: (value) => parseKernelReadType(value as number),
  },
};

const CONVERTERS: ReadonlyMap<string, ReadonlyMap<string, Converter>> = new Map(
  Object.entries(CONVERTER_TABLE).map((
    [event, converters],
  ) => [event, new Map(Object.entries(converters))]),
);

function makeArgs(
  eventName: string,
  params: readonly Param[],
  values: readonly unknown[],
): EventArgument[] {
  const converters = CONVERTERS.get(eventName);
  return params.map(([type, name], i): EventArgument => {
    const convert = converters?.get(name);
    return convert
      ? { name, type: "string", value: convert(values[i]) }
      : { name, type, value: values[i] };
  });
}

/** Decodes records into events; one decoder per source. */
export class RecordDecoder {
  readonly #context: DecodeContext;
  /** Entity ids by host id, with the start time they were computed for. */
  readonly #entities = new Map<number, { start: bigint; id: number }>();
  readonly #args = new RawArgs();
  readonly #texts = new TextCache();
  /** Executable paths by host pid, from the exec records seen. */
  readonly #executables = new Map<number, { start: bigint; path: string }>();
  /** The latest context of each host thread. */
  readonly #tasks = new Map<number, TaskContext>();
  /** Each event's gate, or `null` when it has none the decoder can apply. */
  readonly #gates = new Map<string, ParamGate | null>();
  #unwanted = 0;
  #failures = 0;
  #lastFailure: string | undefined;

  /** A decoder with its time base and container lookup. */
  constructor(context: DecodeContext) {
    this.#context = context;
  }

  /**
   * Decodes the record at `offset` (of `length` bytes, as far as `view`
   * holds them) into zero or more events (a syscall record may also carry
   * its derived event). Never throws: a record that cannot be decoded gives
   * no event and is counted in {@linkcode RecordDecoder.failures}.
   */
  decode(
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
  ): EventRecord[] {
    try {
      const held = Math.min(length, view.byteLength - offset);
      if (offset < 0 || held < Limits.HEADER_SIZE) return [];
      return this.#decode(bytes, view, offset, held);
    } catch (error) {
      this.#failures++;
      this.#lastFailure = error instanceof Error
        ? error.message
        : String(error);
      return [];
    }
  }

  /** Records that decoding threw on, so far; each gave no event. */
  get failures(): number {
    return this.#failures;
  }

  /** Why the last of {@linkcode RecordDecoder.failures} failed. */
  get lastFailure(): string | undefined {
    return this.#lastFailure;
  }

  #decode(
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
  ): EventRecord[] {
    const kind = view.getUint8(offset + HeaderOffset.kind);
    const flags = view.getUint8(offset + HeaderOffset.flags);
    const fields = readFields(
      this.#texts,
      bytes,
      view,
      offset + Limits.HEADER_SIZE,
      offset + length,
    );
    if (kind === RecordKind.Exec) {
      // The process runs this file from now on (executable.path).
      if (this.#executables.size > 65536) this.#executables.clear();
      this.#executables.set(
        view.getUint32(offset + HeaderOffset.hostPid, true),
        {
          start: this.#epochNs(view, offset + HeaderOffset.leaderStart),
          path: fields.paths[Slot.File] ?? "",
        },
      );
    }
    // The context is read for the events that pass their gates only.
    let task: TaskContext | undefined;
    let timestamp = 0n;
    const nr = view.getInt32(offset + HeaderOffset.syscallNr, true);
    const syscall = syscallName(nr);
    const args = this.#args;
    args.view = view;
    args.offset = offset;
    const ret = view.getBigInt64(offset + HeaderOffset.ret, true);
    const records: EventRecord[] = [];
    const emit = (
      name: string,
      values: unknown[],
      returnValue: bigint = 0n,
    ) => {
      const def = KERNEL_EVENTS.get(name)!;
      const gated = this.#gateOf(name, def.params);
      if (gated && !gated.gate.passes(values[gated.index])) {
        this.#unwanted++;
        return;
      }
      if (task === undefined) {
        task = this.#task(bytes, view, offset, flags);
        timestamp = this.#epochNs(view, offset + HeaderOffset.ts);
      }
      const processorId = view.getUint32(offset + HeaderOffset.cpu, true);
      const eventArgs = makeArgs(name, def.params, values);
      // One literal in Tracee's field order: a single object shape.
      const event: TraceeEvent = {
        timestamp,
        threadStartTime: task.threadStartTime,
        processorId,
        processId: task.processId,
        cgroupId: task.cgroupId,
        threadId: task.threadId,
        parentProcessId: task.parentProcessId,
        hostProcessId: task.hostProcessId,
        hostThreadId: task.hostThreadId,
        hostParentProcessId: task.hostParentProcessId,
        userId: task.userId,
        mountNamespace: task.mountNamespace,
        pidNamespace: task.pidNamespace,
        processName: task.processName,
        executable: task.executable,
        hostName: task.hostName,
        containerId: task.containerId,
        container: task.container,
        kubernetes: task.kubernetes,
        eventId: def.id,
        eventName: name,
        argsNum: eventArgs.length,
        returnValue: exact(returnValue),
        syscall,
        stackAddresses: null,
        contextFlags: task.contextFlags,
        threadEntityId: task.threadEntityId,
        processEntityId: task.processEntityId,
        parentEntityId: task.parentEntityId,
        args: eventArgs,
      };
      records.push(recordFromEvent(event, task));
    };
    switch (kind) {
      case RecordKind.Syscall:
        this.#syscall(nr, flags, args, ret, fields, emit);
        break;
      case RecordKind.Exec:
        this.#exec(flags, fields, emit);
        break;
      case RecordKind.Fork: {
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
            task ? task.startTime + this.#context.bootToEpochNs : 0n,
          );
        }
        emit("sched_process_fork", values);
        break;
      }
      case RecordKind.Exit:
        emit("sched_process_exit", [
          exact(BigInt.asIntN(64, args.u64(0))),
          (flags & RecordFlag.GroupExit) !== 0,
        ]);
        this.#tasks.delete(view.getUint32(offset + HeaderOffset.hostTid, true));
        break;
    }
    return records;
  }

  /** Events not built so far because they failed their gate. */
  get unwanted(): number {
    return this.#unwanted;
  }

  /**
   * The gate of `eventName` as a position in its values. Only a parameter
   * that is not converted can be tested before the event is built: its
   * value is the argument's.
   */
  #gateOf(eventName: string, params: readonly Param[]): ParamGate | null {
    let gated = this.#gates.get(eventName);
    if (gated === undefined) {
      const gate = this.#context.gate?.(eventName);
      const index = gate
        ? params.findIndex(([, name]) => name === gate.name)
        : -1;
      gated = gate && index >= 0 && !CONVERTERS.get(eventName)?.has(gate.name)
        ? { index, gate }
        : null;
      this.#gates.set(eventName, gated);
    }
    return gated;
  }

  #entityId(hostId: number, start: bigint): number {
    const known = this.#entities.get(hostId);
    if (known?.start === start) return known.id;
    if (this.#entities.size > 65536) this.#entities.clear();
    const id = entityId(hostId, start);
    this.#entities.set(hostId, { start, id });
    return id;
  }

  /** A boot-time clock value in the header, as epoch nanoseconds. */
  #epochNs(view: DataView, at: number): bigint {
    return view.getBigUint64(at, true) + this.#context.bootToEpochNs;
  }

  /** The context of the record at `offset`: the thread's last one if unchanged. */
  #task(
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    flags: number,
  ): TaskContext {
    const hostTid = view.getUint32(offset + HeaderOffset.hostTid, true);
    const compat = (flags & RecordFlag.Compat) !== 0;
    const known = this.#tasks.get(hostTid);
    if (known && sameContext(known, view, offset, compat)) {
      const executable = this.#executables.get(known.hostProcessId);
      const path = executable?.start === known.processStart
        ? executable.path
        : "";
      if (path === known.executable.path) return known;
    }
    if (this.#tasks.size >= TASK_CACHE_MAX) this.#tasks.clear();
    const task = this.#readTask(bytes, view, offset, compat);
    this.#tasks.set(hostTid, task);
    return task;
  }

  #readTask(
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    compat: boolean,
  ): TaskContext {
    const words = new Uint32Array(CONTEXT_WORDS.length);
    for (let i = 0; i < words.length; i++) {
      words[i] = view.getUint32(offset + CONTEXT_WORDS[i]!, true);
    }
    const hostProcessId = view.getUint32(offset + HeaderOffset.hostPid, true);
    const hostThreadId = view.getUint32(offset + HeaderOffset.hostTid, true);
    const hostParentProcessId = view.getUint32(
      offset + HeaderOffset.hostPpid,
      true,
    );
    const cgroupId = view.getBigUint64(offset + HeaderOffset.cgroupId, true);
    const threadStartTime = this.#epochNs(
      view,
      offset + HeaderOffset.startTime,
    );
    const processStart = this.#epochNs(view, offset + HeaderOffset.leaderStart);
    const containerId =
      this.#context.containerOf(cgroupId, hostProcessId)?.id ?? "";
    const executable = this.#executables.get(hostProcessId);
    return {
      words,
      compat,
      processStart,
      threadStartTime,
      processId: view.getUint32(offset + HeaderOffset.pid, true),
      cgroupId,
      threadId: view.getUint32(offset + HeaderOffset.tid, true),
      parentProcessId: view.getUint32(offset + HeaderOffset.ppid, true),
      hostProcessId,
      hostThreadId,
      hostParentProcessId,
      userId: view.getUint32(offset + HeaderOffset.uid, true),
      mountNamespace: view.getUint32(offset + HeaderOffset.mntNs, true),
      pidNamespace: view.getUint32(offset + HeaderOffset.pidNs, true),
      processName: cText(bytes, offset + HeaderOffset.comm, Limits.COMM_LEN),
      executable: Object.freeze({
        path: executable?.start === processStart ? executable.path : "",
      }),
      hostName: cText(
        bytes,
        offset + HeaderOffset.hostname,
        Limits.COMM_LEN - 1,
      ),
      containerId,
      container: Object.freeze(containerId ? { id: containerId } : {}),
      kubernetes: Object.freeze({}),
      // Containers that existed before Vigil started count as started.
      contextFlags: Object.freeze({
        containerStarted: containerId !== "",
        isCompat: compat,
      }),
      threadEntityId: this.#entityId(hostThreadId, threadStartTime),
      processEntityId: this.#entityId(hostProcessId, processStart),
      parentEntityId: this.#entityId(
        hostParentProcessId,
        this.#epochNs(view, offset + HeaderOffset.parentStart),
      ),
    };
  }

  #syscall(
    nr: number,
    flags: number,
    args: RawArgs,
    ret: bigint,
    fields: Fields,
    emit: (name: string, values: unknown[], returnValue?: bigint) => void,
  ): void {
    const def = SYSCALLS_BY_NUMBER.get(nr);
    if (!def) return;
    const base = fields.paths[Slot.Base];
    // The syscall's own arguments, built only when an event uses them: an
    // open followed for security_file_open alone does not.
    let values: unknown[] | undefined;
    const syscallValues = () =>
      values ??= def.params.map((param, i) => {
        switch (argKind(param)) {
          case ArgKind.Str:
            return fields.strs[i] ?? "";
          case ArgKind.Path: {
            const path = fields.strs[i] ?? "";
            return base !== undefined && path !== "" && !path.startsWith("/")
              ? resolvePath(base, path)
              : path;
          }
          case ArgKind.StrArray: {
            const array = fields.arrays[i];
            if (!array) return null;
            return fields.fullArrays[i] ? [...array, "..."] : array;
          }
          case ArgKind.Sockaddr:
            return parseSockaddr(fields.sockaddrs[i] ?? new Uint8Array(2));
          default:
            return args.value(param[0], i);
        }
      });
    if (flags & RecordFlag.EmitSyscall && KERNEL_EVENTS.has(def.name)) {
      emit(def.name, syscallValues(), flags & RecordFlag.AtEntry ? 0n : ret);
    }
    if (!(flags & RecordFlag.EmitDerived)) return;
    const file = fields.files[Slot.File];
    const filePath = fields.paths[Slot.File] ?? "";
    switch (def.name) {
      case "open":
      case "openat":
      case "openat2":
        if (file && ret >= 0n) {
          // The kernel clears these in f_flags after the LSM hook has run.
          const requested = def.name === "openat2"
            ? 0
            : args.uint(def.name === "open" ? 1 : 2);
          emit("security_file_open", [
            filePath,
            (file.flags | (requested & OPEN_TRANSIENT_FLAGS)) | 0,
            file.dev,
            exact(file.inode),
            exact(file.ctime),
            fields.strs[def.name === "open" ? 0 : 1] ?? "",
          ]);
        }
        break;
      case "finit_module":
        if (file) {
          emit("security_kernel_read_file", [
            filePath,
            file.dev,
            exact(file.inode),
            KernelReadType.KernelModule,
            exact(file.ctime),
          ]);
        }
        break;
      case "mount":
        emit("security_sb_mount", syscallValues().slice(0, 4));
        break;
      case "connect": {
        const address = fields.sockaddrs[1] ?? new Uint8Array(2);
        const family = address.length >= 2
          ? address[0]! | (address[1]! << 8)
          : 0;
        const type = Number(fields.u64s[Slot.SockType] ?? 0n);
        if (SOCKET_FAMILIES.has(family) && SOCKET_TYPES.has(type & 0xf)) {
          const [sockfd, addr] = syscallValues();
          emit("security_socket_connect", [sockfd, type, addr]);
        }
        break;
      }
      case "mprotect":
      case "mmap":
        this.#memProtAlert(def.name, args, ret, fields, emit);
        break;
    }
  }

  #memProtAlert(
    syscall: "mprotect" | "mmap",
    args: RawArgs,
    ret: bigint,
    fields: Fields,
    emit: (name: string, values: unknown[]) => void,
  ): void {
    let alert = 0;
    let prevProt = 0;
    const prot = args.int(2);
    let addr = args.u64(0);
    if (syscall === "mmap") {
      if ((prot & (VM_WRITE | VM_EXEC)) !== (VM_WRITE | VM_EXEC)) return;
      alert = MemProtAlert.MmapWriteExec;
      if (ret >= 0n) addr = ret;
    } else {
      const prev = fields.u64s[Slot.PrevProt];
      if (prev === undefined || ret !== 0n) return;
      prevProt = Number(BigInt.asIntN(32, prev));
      if (!(prevProt & VM_EXEC) && prot & VM_EXEC) {
        alert = MemProtAlert.ExecAdded;
      }
      if (
        prevProt & VM_EXEC && !(prevProt & VM_WRITE) &&
        (prot & (VM_WRITE | VM_EXEC)) === (VM_WRITE | VM_EXEC)
      ) alert = MemProtAlert.WriteAddedToExec;
      if (prevProt & VM_WRITE && prot & VM_EXEC && !(prot & VM_WRITE)) {
        alert = MemProtAlert.WriteToExec;
      }
      if (alert === 0) return;
    }
    const file = fields.files[Slot.File];
    const length = args.u64(1);
    emit("mem_prot_alert", [
      alert,
      formatPointer(addr),
      exact(length === 0n ? BigInt(PAGE_SIZE) : length),
      prot,
      prevProt,
      file ? fields.paths[Slot.File] ?? "" : "",
      file?.dev ?? 0,
      file ? exact(file.inode) : 0,
      file ? exact(file.ctime) : 0,
    ]);
  }

  #exec(
    flags: number,
    fields: Fields,
    emit: (name: string, values: unknown[]) => void,
  ): void {
    const file = fields.files[Slot.File];
    const pathname = fields.paths[Slot.File] ?? "";
    const argc = fields.u64s[Slot.Argc] ?? 0n;
    const argv = splitArea(fields.areas[Slot.Argv]);
    const padded = argc < BigInt(ARGV_ENTRIES_MAX)
      ? Number(argc)
      : ARGV_ENTRIES_MAX;
    while (argv.length < padded) argv.push("?");
    const env = splitArea(fields.areas[Slot.Envp]);
    if (flags & RecordFlag.EmitSyscall) {
      const stdin = fields.files[Slot.Stdin];
      emit("sched_process_exec", [
        fields.kernelStrs[Slot.Cmdpath] ?? "",
        pathname,
        file?.dev ?? 0,
        file ? exact(file.inode) : 0,
        file ? exact(file.ctime) : 0,
        file?.mode ?? 0,
        ...interpreter(file, fields),
        argv,
        fields.kernelStrs[Slot.Interp] ?? "",
        stdin ? stdin.mode & S_IFMT : 0,
        fields.paths[Slot.Stdin] ?? "",
        flags & RecordFlag.KthreadParent ? 1 : 0,
        fields.kernelStrs[Slot.PrevComm] ?? "",
        env,
      ]);
    }
    if (flags & RecordFlag.EmitDerived) {
      emit("security_bprm_check", [
        pathname,
        file?.dev ?? 0,
        file ? exact(file.inode) : 0,
        argv,
        env,
      ]);
    }
  }
}
