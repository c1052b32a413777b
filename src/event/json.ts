/**
 * Tracee-compatible JSON: exact 64-bit integers in both directions, Tracee's
 * field order, and Go's string escaping (`<`, `>`, `&`, U+2028, U+2029).
 *
 * @module
 */

import type { EventArgument, TraceeEvent } from "./event.ts";

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
 * 1 µs per value. A replayed string or a signature's finding data could
 * imitate a marker: when the markers found are not exactly the bigints
 * marked, the value is written by `stringifyJson` instead.
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

/** A JSON number for an integer field (bigints exact). */
function jsonNumber(value: number | bigint): string {
  return typeof value === "bigint" || Number.isFinite(value)
    ? String(value)
    : "null";
}

/** JSON for a nested value; bigints inside go through markers. */
function jsonValue(value: unknown): string {
  if (value === undefined) return "null";
  const marked = markBigints(value);
  if (!marked) return JSON.stringify(value);
  let replaced = 0;
  const text = JSON.stringify(marked.value).replace(
    BIGINT_MARKER_REGEXP,
    (_match, digits: string) => {
      replaced++;
      return digits;
    },
  );
  return replaced === countBigints(value) ? text : stringifyJson(value);
}

function countBigints(value: unknown): number {
  if (typeof value === "bigint") return 1;
  if (typeof value !== "object" || value === null) return 0;
  let count = 0;
  for (const item of Object.values(value)) count += countBigints(item);
  return count;
}

/** Whether an argument's value is or may hold a bigint. */
function holdsBigint(arg: EventArgument): boolean {
  const value = arg?.value;
  return typeof value === "bigint" ||
    (typeof value === "object" && value !== null);
}

/**
 * JSON for an event's arguments: by native `JSON.stringify` when no value
 * holds a bigint (the usual case). Otherwise a plain `{name, type, value}`
 * with a string, number or bigint value is written directly, and any other
 * argument goes through `jsonValue`.
 */
function jsonArgs(args: readonly EventArgument[]): string {
  if (!Array.isArray(args)) return jsonValue(args);
  if (!args.some(holdsBigint)) {
    try {
      return JSON.stringify(args);
    } catch {
      // A bigint outside `value`: written one argument at a time below.
    }
  }
  let text = "[";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const keys = typeof arg === "object" && arg !== null
      ? Object.keys(arg)
      : [];
    const plain = keys.length === 3 && keys[0] === "name" &&
      keys[1] === "type" && keys[2] === "value" &&
      typeof arg.name === "string" && typeof arg.type === "string";
    let value: string | undefined;
    if (plain) {
      switch (typeof arg.value) {
        case "string":
          value = JSON.stringify(arg.value);
          break;
        case "bigint":
          value = String(arg.value);
          break;
        case "number":
          value = jsonNumber(arg.value);
          break;
        case "boolean":
          value = String(arg.value);
      }
    }
    text += (i > 0 ? "," : "") +
      (value === undefined
        ? jsonValue(arg)
        : `{"name":${JSON.stringify(arg.name)},"type":${
          JSON.stringify(arg.type)
        },"value":${value}}`);
  }
  return `${text}]`;
}

/**
 * The members of an event that stay the same across a task's events (until
 * the task's context changes), as JSON text without Go's escaping: `task`
 * from `"processId"` to `"kubernetes"`, `entities` from `"contextFlags"` to
 * `"parentEntityId"`. A source that reads many events of one task may keep
 * them and pass them to {@linkcode formatEventJson}.
 */
export interface EventJsonParts {
  readonly task: string;
  readonly entities: string;
}

/** The {@linkcode EventJsonParts} of `event`. */
export function eventJsonParts(event: TraceeEvent): EventJsonParts {
  const e = event;
  return {
    task: `"processId":${jsonNumber(e.processId)},"cgroupId":${
      jsonNumber(e.cgroupId)
    },"threadId":${jsonNumber(e.threadId)},"parentProcessId":${
      jsonNumber(e.parentProcessId)
    },"hostProcessId":${jsonNumber(e.hostProcessId)},"hostThreadId":${
      jsonNumber(e.hostThreadId)
    },"hostParentProcessId":${jsonNumber(e.hostParentProcessId)},"userId":${
      jsonNumber(e.userId)
    },"mountNamespace":${jsonNumber(e.mountNamespace)},"pidNamespace":${
      jsonNumber(e.pidNamespace)
    },"processName":${JSON.stringify(e.processName)},"executable":${
      jsonValue(e.executable)
    },"hostName":${JSON.stringify(e.hostName)},"containerId":${
      JSON.stringify(e.containerId)
    },"container":${jsonValue(e.container)},"kubernetes":${
      jsonValue(e.kubernetes)
    }`,
    entities: `"contextFlags":${jsonValue(e.contextFlags)},"threadEntityId":${
      jsonNumber(e.threadEntityId)
    },"processEntityId":${jsonNumber(e.processEntityId)},"parentEntityId":${
      jsonNumber(e.parentEntityId)
    }`,
  };
}

/**
 * Serialises an event in Tracee's field order (`EVENT_FIELD_ORDER`),
 * `eventId` as a string, and `matchedPolicies` and `metadata` only when
 * present. Same output as `stringifyJson` over those fields, several times
 * faster: integers and strings are written directly, nested values by native
 * `JSON.stringify`, and Go's escaping is applied once to the whole text.
 *
 * @param parts The event's task and entity members when the caller already
 * has them (they must be `eventJsonParts(event)`).
 */
export function formatEventJson(
  event: TraceeEvent,
  parts: EventJsonParts = eventJsonParts(event),
): string {
  const e = event;
  const text = `{"timestamp":${jsonNumber(e.timestamp)},"threadStartTime":${
    jsonNumber(e.threadStartTime)
  },"processorId":${jsonNumber(e.processorId)},${parts.task},"eventId":${
    JSON.stringify(String(e.eventId))
  },"eventName":${JSON.stringify(e.eventName)}${
    e.matchedPolicies === undefined
      ? ""
      : `,"matchedPolicies":${jsonValue(e.matchedPolicies)}`
  },"argsNum":${jsonNumber(e.argsNum)},"returnValue":${
    jsonNumber(e.returnValue)
  },"syscall":${JSON.stringify(e.syscall)},"stackAddresses":${
    jsonValue(e.stackAddresses)
  },${parts.entities},"args":${jsonArgs(e.args)}${
    e.metadata === undefined ? "" : `,"metadata":${jsonValue(e.metadata)}`
  }}`;
  return GO_ESCAPED_REGEXP.test(text)
    ? text.replace(GO_ESCAPED_REGEXP, goEscape)
    : text;
}

/**
 * Parses JSON text, turning integers beyond `Number.MAX_SAFE_INTEGER` into
 * `bigint`s so that they survive digit for digit.
 *
 * A reviver with source access would do this alone, but costs several times
 * the parse itself (it runs for every value). Instead: a plain `JSON.parse`,
 * then the integer literals of 16 or more digits are found in the text, in
 * order, and matched with the large integral numbers of the result, in the
 * same order; an unsafe one takes its literal's exact value. If the two lists
 * do not match up exactly (e.g. integer-like keys reordered an object), the
 * slow reviver decides.
 *
 * @throws {SyntaxError} When the text is not JSON.
 */
export function parseJsonExact(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // Runs of 16+ digits standing as whole values: after `:`, `[`, `,` or a
  // space, before `,`, `]`, `}` or a space. One inside a string can look the
  // same: then the literals and the numbers do not match up and the reviver
  // decides, so a string can never change a number. (No module-level names:
  // this function is also sent as source to the TypeScript workers.)
  const literals = text.match(/(?<=[:[, ])-?\d{16,}(?=[,\]} ])/g);
  if (literals === null) return value;
  let next = 0;
  let consistent = true;
  const exact = (item: number): number | bigint => {
    const literal = literals[next++];
    if (literal === undefined || Number(literal) !== item) {
      consistent = false;
      return item;
    }
    return Number.isSafeInteger(item) ? item : BigInt(literal);
  };
  const large = (item: unknown): item is number =>
    typeof item === "number" && Number.isInteger(item) &&
    Math.abs(item) >= 1e15;
  const visit = (item: unknown): unknown => {
    if (large(item)) return exact(item);
    if (typeof item !== "object" || item === null) return item;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        const element = item[i];
        if (typeof element === "object" && element !== null) visit(element);
        else if (large(element)) item[i] = exact(element);
      }
    } else {
      const record = item as Record<string, unknown>;
      for (const key in record) {
        const member = record[key];
        if (typeof member === "object" && member !== null) visit(member);
        else if (large(member)) record[key] = exact(member);
      }
    }
    return item;
  };
  const result = visit(value);
  if (consistent && next === literals.length) return result;
  // The third reviver argument (JSON.parse source text access) is in V8 but
  // not yet in TypeScript's lib.
  return JSON.parse(
    text,
    ((_key: string, item: unknown, context?: { source?: string }) =>
      typeof item === "number" && !Number.isSafeInteger(item) &&
        context?.source !== undefined && /^-?\d+$/.test(context.source)
        ? BigInt(context.source)
        : item) as (key: string, value: unknown) => unknown,
  );
}
