/**
 * Tracee's event shape for any parsed line: what Tracee's engine gives its
 * signatures and prints, decided field by field as Go's `encoding/json`
 * decodes a line into Tracee's `trace.Event` (tracee-rules then skips a line
 * the decoder rejects):
 *
 * - an absent field, or `null`, takes Go's zero value: `""`, `0`, `false`,
 *   `{"path":""}` for `executable`, `{}` for `container` and `kubernetes`,
 *   `null` for `stackAddresses`, `[]` for `args` (Go would print `null`;
 *   signatures iterate it either way); `matchedPolicies` and `metadata` stay
 *   absent (`omitempty`), as does an empty `matchedPolicies`;
 * - a value of the wrong type is an error, and the line is skipped with the
 *   reason: a string or fraction where Tracee has an integer, an integer out
 *   of its Go type's range (`cgroupId` is unsigned 64-bit, the entity ids
 *   unsigned 32-bit, the other integers signed 64-bit), a number where Tracee
 *   has a string (a huge integer `containerId`), a non-list `args`;
 * - `eventId` is a string holding an integer, as Go's `,string` option
 *   reads it; an integer number is accepted too (Go rejects it), and both are
 *   written back as the canonical string;
 * - unknown members are dropped, as Go drops them, and known ones are put in
 *   Tracee's order; `container` and `kubernetes` keep only their non-empty
 *   members, as Go's `omitempty` prints them;
 * - a line nested deeper than 10,000 levels is skipped, as Go's decoder
 *   rejects it ("exceeded max depth").
 *
 * Where Vigil is more lenient than Go: member names match exactly (Go also
 * matches them case-blind); an argument's value is kept as given (Go checks a
 * number against the argument's declared C type) except that a `null` string
 * list (`const char**`, `const char*const*`) becomes `[]`, as Go gives it;
 * exponent literals of integral value (`1e3`) are accepted as integers;
 * an event without an `eventName` is skipped (no selector could name it).
 *
 * @module
 */

import type {
  ContainerInfo,
  EventArgument,
  FindingMetadata,
  Int64,
  KubernetesInfo,
  TraceeEvent,
} from "./event.ts";

/** Go's `encoding/json` nesting limit: deeper lines are not Tracee JSON. */
export const MAX_JSON_DEPTH = 10000;

/** A field's Go type, as far as decoding it goes. */
type IntegerType = "int64" | "uint64" | "uint32";

const INTEGER_RANGES: Record<IntegerType, readonly [bigint, bigint]> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
};

/** Thrown (and caught in this module) for a field Go would not decode. */
class FieldError extends Error {}

function kind(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "bigint") return "a number";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function fieldError(name: string, value: unknown, expected: string): never {
  throw new FieldError(
    `"${name}" is ${kind(value)} where Tracee has ${expected}`,
  );
}

function integer(name: string, value: unknown, type: IntegerType): Int64 {
  if (value === null || value === undefined) return 0;
  if (typeof value === "number" && Number.isSafeInteger(value)) {
    // Every safe integer fits int64; only the unsigned ranges need a check.
    if (
      type === "int64" ||
      (value >= 0 && (type === "uint64" || value <= 0xffffffff))
    ) {
      return value;
    }
  } else if (
    typeof value !== "bigint" &&
    (typeof value !== "number" || !Number.isInteger(value))
  ) {
    fieldError(name, value, "an integer");
  }
  const integer = BigInt(value as number | bigint);
  const [min, max] = INTEGER_RANGES[type];
  if (integer < min || integer > max) {
    throw new FieldError(
      `"${name}" ${integer} is out of range for Go's ${type}`,
    );
  }
  return Number.isSafeInteger(Number(integer)) ? Number(integer) : integer;
}

function string(name: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") fieldError(name, value, "a string");
  return value;
}

function boolean(name: string, value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value !== "boolean") fieldError(name, value, "a boolean");
  return value;
}

/** An object field's members; `{}` for `null` or absent. */
function members(name: string, value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    fieldError(name, value, "an object");
  }
  return value as Record<string, unknown>;
}

/** A list field's items; `undefined` for `null` or absent. */
function list(name: string, value: unknown): unknown[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Array.isArray(value)) fieldError(name, value, "a list");
  return value;
}

function container(value: unknown): ContainerInfo {
  const c = members("container", value);
  const info: ContainerInfo = {};
  // Go's omitempty: only the members that are not empty.
  const id = string("container.id", c.id);
  if (id !== "") info.id = id;
  const name = string("container.name", c.name);
  if (name !== "") info.name = name;
  const image = string("container.image", c.image);
  if (image !== "") info.image = image;
  const digest = string("container.imageDigest", c.imageDigest);
  if (digest !== "") info.imageDigest = digest;
  return info;
}

function kubernetes(value: unknown): KubernetesInfo {
  const k = members("kubernetes", value);
  const info: KubernetesInfo = {};
  const podName = string("kubernetes.podName", k.podName);
  if (podName !== "") info.podName = podName;
  const podNamespace = string("kubernetes.podNamespace", k.podNamespace);
  if (podNamespace !== "") info.podNamespace = podNamespace;
  const podUID = string("kubernetes.podUID", k.podUID);
  if (podUID !== "") info.podUID = podUID;
  if (boolean("kubernetes.podSandbox", k.podSandbox)) info.podSandbox = true;
  return info;
}

const EVENT_ID_REGEXP = /^-?\d+$/;

function eventId(value: unknown): string {
  if (typeof value === "string") {
    if (!EVENT_ID_REGEXP.test(value)) {
      throw new FieldError(
        `"eventId" ${JSON.stringify(value.slice(0, 40))} is not an integer`,
      );
    }
    return String(integer("eventId", BigInt(value), "int64"));
  }
  return String(integer("eventId", value, "int64"));
}

const STRING_LIST_TYPES = new Set(["const char**", "const char*const*"]);

function argument(value: unknown, i: number): EventArgument {
  const a = members(`args[${i}]`, value);
  // Names of fields in error are built only for an error: this runs per
  // argument of every normalised event.
  const name = typeof a.name === "string"
    ? a.name
    : string(`args[${i}].name`, a.name);
  const type = typeof a.type === "string"
    ? a.type
    : string(`args[${i}].type`, a.type);
  return {
    name,
    type,
    value: a.value ?? (STRING_LIST_TYPES.has(type) ? [] : null),
  };
}

function metadata(value: unknown): FindingMetadata | undefined {
  if (value === null || value === undefined) return undefined;
  const m = members("metadata", value);
  const tags = list("metadata.Tags", m.Tags);
  return {
    Version: string("metadata.Version", m.Version),
    Description: string("metadata.Description", m.Description),
    Tags: tags?.map((tag, i) => string(`metadata.Tags[${i}]`, tag)) ?? null,
    Properties: members("metadata.Properties", m.Properties),
  };
}

/**
 * The event of a parsed line (any JSON object); throws a FieldError. The
 * fields `TraceeEvent` types as `number` hold a `bigint` when a line gives
 * one beyond 2^53 (in range of Go's int64): written exactly, never rounded.
 */
function decode(e: Record<string, unknown>): TraceeEvent {
  const policies = list("matchedPolicies", e.matchedPolicies)
    ?.map((policy, i) =>
      typeof policy === "string"
        ? policy
        : string(`matchedPolicies[${i}]`, policy)
    );
  const addresses = list("stackAddresses", e.stackAddresses);
  const flags = members("contextFlags", e.contextFlags);
  const args = list("args", e.args) ?? [];
  const event: TraceeEvent = {
    timestamp: integer("timestamp", e.timestamp, "int64"),
    threadStartTime: integer("threadStartTime", e.threadStartTime, "int64"),
    processorId: integer("processorId", e.processorId, "int64") as number,
    processId: integer("processId", e.processId, "int64") as number,
    cgroupId: integer("cgroupId", e.cgroupId, "uint64"),
    threadId: integer("threadId", e.threadId, "int64") as number,
    parentProcessId: integer(
      "parentProcessId",
      e.parentProcessId,
      "int64",
    ) as number,
    hostProcessId: integer("hostProcessId", e.hostProcessId, "int64") as number,
    hostThreadId: integer("hostThreadId", e.hostThreadId, "int64") as number,
    hostParentProcessId: integer(
      "hostParentProcessId",
      e.hostParentProcessId,
      "int64",
    ) as number,
    userId: integer("userId", e.userId, "int64") as number,
    mountNamespace: integer("mountNamespace", e.mountNamespace, "int64"),
    pidNamespace: integer("pidNamespace", e.pidNamespace, "int64"),
    processName: string("processName", e.processName),
    executable: {
      path: string("executable.path", members("executable", e.executable).path),
    },
    hostName: string("hostName", e.hostName),
    containerId: string("containerId", e.containerId),
    container: container(e.container),
    kubernetes: kubernetes(e.kubernetes),
    eventId: eventId(e.eventId),
    eventName: string("eventName", e.eventName),
    argsNum: integer("argsNum", e.argsNum, "int64") as number,
    returnValue: integer("returnValue", e.returnValue, "int64"),
    syscall: string("syscall", e.syscall),
    stackAddresses:
      addresses?.map((address, i) =>
        integer(`stackAddresses[${i}]`, address, "uint64")
      ) ?? null,
    contextFlags: {
      containerStarted: boolean(
        "contextFlags.containerStarted",
        flags.containerStarted,
      ),
      isCompat: boolean("contextFlags.isCompat", flags.isCompat),
    },
    threadEntityId: integer(
      "threadEntityId",
      e.threadEntityId,
      "uint32",
    ) as number,
    processEntityId: integer(
      "processEntityId",
      e.processEntityId,
      "uint32",
    ) as number,
    parentEntityId: integer(
      "parentEntityId",
      e.parentEntityId,
      "uint32",
    ) as number,
    args: args.map(argument),
  };
  if (policies !== undefined && policies.length > 0) {
    event.matchedPolicies = policies;
  }
  const meta = metadata(e.metadata);
  if (meta !== undefined) event.metadata = meta;
  return event;
}

/** Whether `value` is nested deeper than `limit` levels (iterative). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    if (depth + 1 > limit) return true;
    for (const member of Object.values(item)) {
      if (typeof member === "object" && member !== null) {
        stack.push([member, depth + 1]);
      }
    }
  }
  return false;
}

/**
 * The event in Tracee's shape (see the module's doc), or why Tracee's decoder
 * would not take it. `text` is the line `value` was parsed from, when known:
 * a short line cannot be nested too deep, so only long ones are measured.
 */
export function normaliseEvent(
  value: unknown,
  text?: string,
): TraceeEvent | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "not a JSON object";
  }
  if (
    (text === undefined || text.length > 2 * MAX_JSON_DEPTH) &&
    nestedDeeperThan(value, MAX_JSON_DEPTH)
  ) {
    return `it is nested more than ${MAX_JSON_DEPTH} levels deep`;
  }
  let event: TraceeEvent;
  try {
    event = decode(value as Record<string, unknown>);
  } catch (error) {
    if (error instanceof FieldError) return error.message;
    throw error;
  }
  return event.eventName === "" ? "it has no eventName" : event;
}
