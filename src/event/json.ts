/**
 * Tracee-compatible JSON: exact 64-bit integers in both directions, Tracee's
 * field order, and Go's string escaping (`<`, `>`, `&`, U+2028, U+2029).
 *
 * @module
 */

import type { EVENT_FIELD_ORDER, TraceeEvent } from "./event.ts";

const GO_ESCAPED_REGEXP = /[<>&\u2028\u2029]/g;
const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

function goEscape(char: string): string {
  return GO_ESCAPES[char] ?? char;
}

function writeString(value: string): string {
  const text = JSON.stringify(value);
  return GO_ESCAPED_REGEXP.test(text)
    ? text.replace(GO_ESCAPED_REGEXP, goEscape)
    : text;
}

/**
 * Serialises a JSON value, writing `bigint`s as plain digits and strings with
 * Go's escaping. Object keys keep their insertion order.
 */
export function stringifyJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return writeString(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        return `[${
          value.map((item) => stringifyJson(item ?? null)).join(",")
        }]`;
      }
      const parts: string[] = [];
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue;
        parts.push(`${writeString(key)}:${stringifyJson(item)}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      return "null";
  }
}

/*
 * Bigints travel through JSON.stringify as marker strings ("\0n<digits>\0",
 * which it writes as "\u0000n<digits>\u0000") and are then unquoted. Kernel
 * strings cannot hold NUL; JSON.rawJSON would be exact too but costs about
 * 1 µs per value.
 */
const BIGINT_MARKER_REGEXP = /"\\u0000n(-?\d+)\\u0000"/g;

/** A copy of `value` whose bigints are marker strings; `null` if it has none. */
function markBigints(value: unknown): { value: unknown } | null {
  if (typeof value === "bigint") return { value: `\0n${value}\0` };
  if (typeof value !== "object" || value === null) return null;
  let copy: Record<string, unknown> | unknown[] | undefined;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const marked = markBigints(item);
      if (!marked) return;
      copy ??= value.slice();
      (copy as unknown[])[i] = marked.value;
    });
  } else {
    for (const key in value) {
      const marked = markBigints((value as Record<string, unknown>)[key]);
      if (!marked) continue;
      copy ??= { ...value };
      (copy as Record<string, unknown>)[key] = marked.value;
    }
  }
  return copy ? { value: copy } : null;
}

/**
 * Serialises an event in Tracee's field order (`EVENT_FIELD_ORDER`),
 * `eventId` as a string, and `matchedPolicies` and `metadata` only when
 * present. Same output as `stringifyJson` over those fields, several times
 * faster: one native `JSON.stringify` of an object literal (a fixed shape),
 * Go escaping applied to the whole text.
 */
export function formatEventJson(event: TraceeEvent): string {
  let marked = false;
  const mark = <T>(value: T): T => {
    const copy = markBigints(value);
    if (!copy) return value;
    marked = true;
    return copy.value as T;
  };
  const ordered = {
    timestamp: mark(event.timestamp),
    threadStartTime: mark(event.threadStartTime),
    processorId: event.processorId,
    processId: event.processId,
    cgroupId: mark(event.cgroupId),
    threadId: event.threadId,
    parentProcessId: event.parentProcessId,
    hostProcessId: event.hostProcessId,
    hostThreadId: event.hostThreadId,
    hostParentProcessId: event.hostParentProcessId,
    userId: event.userId,
    mountNamespace: mark(event.mountNamespace),
    pidNamespace: mark(event.pidNamespace),
    processName: event.processName,
    executable: event.executable,
    hostName: event.hostName,
    containerId: event.containerId,
    container: event.container,
    kubernetes: event.kubernetes,
    eventId: String(event.eventId),
    eventName: event.eventName,
    matchedPolicies: event.matchedPolicies,
    argsNum: event.argsNum,
    returnValue: mark(event.returnValue),
    syscall: event.syscall,
    stackAddresses: mark(event.stackAddresses),
    contextFlags: event.contextFlags,
    threadEntityId: event.threadEntityId,
    processEntityId: event.processEntityId,
    parentEntityId: event.parentEntityId,
    args: mark(event.args),
    metadata: mark(event.metadata),
  } satisfies Record<typeof EVENT_FIELD_ORDER[number], unknown>;
  let text = JSON.stringify(ordered);
  if (marked) text = text.replace(BIGINT_MARKER_REGEXP, "$1");
  return GO_ESCAPED_REGEXP.test(text)
    ? text.replace(GO_ESCAPED_REGEXP, goEscape)
    : text;
}

function exactNumber(
  _key: string,
  value: unknown,
  context?: { source?: string },
): unknown {
  if (
    typeof value === "number" && !Number.isSafeInteger(value) &&
    context?.source !== undefined && /^-?\d+$/.test(context.source)
  ) {
    return BigInt(context.source);
  }
  return value;
}

/**
 * Parses JSON text, turning integers beyond `Number.MAX_SAFE_INTEGER` into
 * `bigint`s so that they survive digit for digit.
 *
 * @throws {SyntaxError} When the text is not JSON.
 */
export function parseJsonExact(text: string): unknown {
  // The third reviver argument (JSON.parse source text access) is in V8 but
  // not yet in TypeScript's lib.
  return JSON.parse(
    text,
    exactNumber as (key: string, value: unknown) => unknown,
  );
}
