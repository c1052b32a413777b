/**
 * Argument conversion, as Tracee's parse step does it (TRACEE-EVENTS.md
 * section 2): register values by their C type, a syscall's arguments from
 * its ring record's fields, and the named flags and constants Tracee prints
 * as strings.
 *
 * @module
 */

import {
  type EventArgument,
  formatPointer,
  type Param,
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
} from "../../event/mod.ts";
import { ArgKind, Slot } from "../../../ffi/mod.ts";
import { argKind, type SyscallEvent } from "./plan.ts";
import type { RegisterArgs, RingFields } from "./ring_fields.ts";

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A 64-bit value as a number when exact, else as a bigint. */
export function exact(value: bigint): number | bigint {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

/** Register argument `i` as its Tracee type decodes it. */
function registerValue(
  args: RegisterArgs,
  type: string,
  i: number,
): unknown {
  switch (type) {
    case "int":
    case "pid_t":
    case "uid_t":
    case "gid_t":
      return args.int(i);
    case "unsigned int":
    case "u32":
    case "mode_t":
    case "dev_t":
      return args.uint(i);
    case "umode_t":
      return args.uint(i) & 0xffff;
    case "long":
      return exact(BigInt.asIntN(64, args.u64(i)));
    case "unsigned long":
    case "u64":
    case "size_t":
    case "off_t":
    case "loff_t":
      return exact(args.u64(i));
    case "bool":
      return args.u64(i) !== 0n;
    default:
      return formatPointer(args.u64(i));
  }
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
 * The values of a syscall's parameters: strings, paths (relative ones
 * resolved against the record's base directory), arrays and sockaddrs from
 * the ring record's fields, the rest from its registers.
 */
export function syscallValues(
  syscall: SyscallEvent,
  fields: RingFields,
  args: RegisterArgs,
): unknown[] {
  const base = fields.paths[Slot.Base];
  return syscall.params.map((param, i) => {
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
        return registerValue(args, param[0], i);
    }
  });
}

/** Turns a raw value into the string Tracee prints. */
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

/** Whether parameter `param` of `eventName` is converted to a string. */
export function isConverted(eventName: string, param: string): boolean {
  return CONVERTERS.get(eventName)?.has(param) ?? false;
}

/** The event's arguments: its values, converted where Tracee converts them. */
export function makeArgs(
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
