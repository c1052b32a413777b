/**
 * Reading a ring record's binary parts (ffi/bpf/vigil_events.h): the fields
 * after the header, each bounded by the record, and the syscall's register
 * arguments in the header.
 *
 * @module
 */

import {
  FieldKind,
  FileOffset,
  HeaderOffset,
  Limits,
  PathIndex,
  TaskOffset,
} from "../../../ffi/mod.ts";
import type { TextCache } from "./ring_text.ts";

/** A `struct vigil_file`: the file an event is about. */
export interface FileInfo {
  inode: bigint;
  ctime: bigint;
  dev: number;
  flags: number;
  mode: number;
}

/** A `struct vigil_task`: one task of a fork record. */
export interface TaskInfo {
  startTime: bigint;
  tid: number;
  nsTid: number;
  pid: number;
  nsPid: number;
}

/** The fields of one ring record, by kind and index (sparse arrays). */
export interface RingFields {
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

/** Bytes a field of each fixed-size kind must have to be read. */
const FIXED_FIELD_SIZE: Readonly<Record<number, number>> = {
  [FieldKind.File]: Limits.FILE_SIZE,
  [FieldKind.Task]: Limits.TASK_SIZE,
  [FieldKind.U64]: 8,
};

/**
 * A ring record's fields, from `start` to `end`: a field running past `end`
 * ends them, a fixed-size field too short for its kind is skipped. A new
 * object each time: emptying ten reused arrays cost more than allocating
 * them (0.37 against 0.1 µs a record).
 */
export function readFields(
  texts: TextCache,
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
): RingFields {
  const fields: RingFields = {
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
    // The kinds of most syscall records are stored here: calling
    // storeField() for every field made decoding 4% slower.
    if (kind === FieldKind.Str) {
      fields.strs[index] = texts.text(bytes, data, length);
    } else if (kind === FieldKind.Path) {
      fields.paths[index & ~PathIndex.Bare] = texts.path(
        bytes,
        data,
        length,
        (index & PathIndex.Bare) !== 0,
      );
    } else if (kind === FieldKind.File) {
      fields.files[index] = readFile(view, data);
    } else {
      storeField({ texts, bytes, view, fields }, kind, index, data, length);
    }
  }
  return fields;
}

/** What {@linkcode storeField} reads from and writes to. */
interface FieldReader {
  readonly texts: TextCache;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly fields: RingFields;
}

/** Stores a field of the other kinds, `kind` and `index`, whose data is at `data`. */
function storeField(
  { texts, bytes, view, fields }: FieldReader,
  kind: number,
  index: number,
  data: number,
  length: number,
): void {
  switch (kind) {
    case FieldKind.StrElem:
      (fields.arrays[index] ??= []).push(texts.text(bytes, data, length));
      break;
    case FieldKind.ArrayFull:
      fields.fullArrays[index] = true;
      break;
    case FieldKind.Sockaddr:
      fields.sockaddrs[index] = bytes.subarray(data, data + length);
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
      fields.tasks[index] = readTask(view, data);
      break;
  }
}

function readFile(view: DataView, data: number): FileInfo {
  return {
    inode: view.getBigUint64(data + FileOffset.inode, true),
    ctime: view.getBigUint64(data + FileOffset.ctime, true),
    dev: view.getUint32(data + FileOffset.dev, true),
    flags: view.getUint32(data + FileOffset.flags, true),
    mode: view.getUint16(data + FileOffset.mode, true),
  };
}

function readTask(view: DataView, data: number): TaskInfo {
  return {
    startTime: view.getBigUint64(data + TaskOffset.startTime, true),
    tid: view.getUint32(data + TaskOffset.tid, true),
    nsTid: view.getUint32(data + TaskOffset.nsTid, true),
    pid: view.getUint32(data + TaskOffset.pid, true),
    nsPid: view.getUint32(data + TaskOffset.nsPid, true),
  };
}

/**
 * Reads the syscall's raw register arguments in a ring record's header;
 * one instance is pointed at each record in turn.
 */
export class RegisterArgs {
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
}
