/**
 * Tracee-compatible JSON: exact 64-bit integers in both directions, Tracee's
 * field order, and Go's string escaping (`<`, `>`, `&`, U+2028, U+2029; a
 * lone surrogate becomes U+FFFD).
 *
 * Values nested to any depth (a signature's finding data, a replayed line)
 * are written and read with explicit stacks, by V8's native `JSON.parse` and
 * `JSON.stringify` (which do not recurse either), or by recursion capped at
 * a few hundred levels: nothing here can overflow the stack.
 *
 * @module
 */

import type { EventArgument, TraceeEvent } from "./event.ts";

export { parseJsonExact } from "./json_parse.ts";

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

/**
 * A lone surrogate as `JSON.stringify` writes it (a pair is written as the
 * character itself), after an even number of backslashes (so an escape).
 */
const LONE_SURROGATE_REGEXP = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * JSON text from `JSON.stringify` as Go writes it: `<`, `>`, `&`, U+2028
 * and U+2029 escaped, and a lone surrogate (which Go's strings cannot hold:
 * its decoder reads one as U+FFFD) written as U+FFFD, so that every reader,
 * OPA's included, takes the text.
 */
function goJson(text: string): string {
  const escaped = GO_ESCAPED_REGEXP.test(text)
    ? text.replace(GO_ESCAPED_REGEXP, goEscape)
    : text;
  return escaped.includes("\\ud")
    ? escaped.replace(LONE_SURROGATE_REGEXP, "$1\\ufffd")
    : escaped;
}

function writeString(value: string): string {
  return goJson(JSON.stringify(value));
}

function writeScalar(value: unknown): string {
  switch (typeof value) {
    case "string":
      return writeString(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    default:
      return "null";
  }
}

/** An array or object being written, and the next of its members. */
interface OpenContainer {
  readonly value: Record<string, unknown> | unknown[];
  /** The object's keys; `undefined` for an array. */
  readonly keys: string[] | undefined;
  next: number;
  written: number;
}

/**
 * Serialises a JSON value, writing `bigint`s as plain digits and strings with
 * Go's escaping. Object keys keep their insertion order; members whose value
 * is `undefined` are left out, and `undefined` array items written as `null`.
 * Iterative: any depth is written.
 */
export function stringifyJson(value: unknown): string {
  const open: OpenContainer[] = [];
  let text = "";
  let item: unknown = value;
  for (;;) {
    if (typeof item === "object" && item !== null) {
      const array = Array.isArray(item);
      text += array ? "[" : "{";
      open.push({
        value: item as OpenContainer["value"],
        keys: array ? undefined : Object.keys(item),
        next: 0,
        written: 0,
      });
    } else {
      text += writeScalar(item);
    }
    let found = false;
    while (!found && open.length > 0) {
      const top = open[open.length - 1]!;
      if (top.keys === undefined) {
        const items = top.value as unknown[];
        if (top.next < items.length) {
          item = items[top.next++] ?? null;
          found = true;
        }
      } else {
        while (top.next < top.keys.length) {
          const key = top.keys[top.next++]!;
          item = (top.value as Record<string, unknown>)[key];
          if (item === undefined) continue;
          text += `${top.written > 0 ? "," : ""}${writeString(key)}:`;
          found = true;
          break;
        }
      }
      if (found) {
        if (top.keys === undefined && top.written > 0) text += ",";
        top.written++;
      } else {
        text += top.keys === undefined ? "]" : "}";
        open.pop();
      }
    }
    if (!found) return text;
  }
}

/** A JSON integer for an integer field (bigints exact); `0` for a non-number. */
function jsonInteger(value: unknown): string {
  return typeof value === "bigint" ||
      (typeof value === "number" && Number.isFinite(value))
    ? String(value)
    : "0";
}

/** A JSON string for a string field; `""` for a non-string. */
function jsonText(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : '""';
}

/**
 * JSON for a nested value: native `JSON.stringify` (fast, and iterative),
 * or `stringifyJson` when the value holds a bigint (native throws on it).
 * Without Go's escaping: callers escape the whole text.
 */
function jsonValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return stringifyJson(value);
  }
}

/** JSON for a field holding an object; `{}` for anything else. */
function jsonObject(value: unknown): string {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? jsonValue(value)
    : "{}";
}

/** Whether an argument's value is or may hold a bigint. */
function holdsBigint(arg: EventArgument): boolean {
  const value = arg?.value;
  return typeof value === "bigint" ||
    (typeof value === "object" && value !== null);
}

/** One argument in the plain `{name, type, value}` shape, or `undefined`. */
function plainArgument(arg: EventArgument): string | undefined {
  const keys = typeof arg === "object" && arg !== null ? Object.keys(arg) : [];
  if (
    keys.length !== 3 || keys[0] !== "name" || keys[1] !== "type" ||
    keys[2] !== "value" || typeof arg.name !== "string" ||
    typeof arg.type !== "string"
  ) {
    return undefined;
  }
  let value: string;
  switch (typeof arg.value) {
    case "string":
      value = JSON.stringify(arg.value);
      break;
    case "bigint":
    case "number":
    case "boolean":
      value = writeScalar(arg.value);
      break;
    default:
      return undefined;
  }
  return `{"name":${JSON.stringify(arg.name)},"type":${
    JSON.stringify(arg.type)
  },"value":${value}}`;
}

/**
 * JSON for an event's arguments: by native `JSON.stringify` when no value
 * holds a bigint (the usual case). Otherwise a plain `{name, type, value}`
 * with a scalar value is written directly, and any other argument goes
 * through `jsonValue`. `[]` when `args` is not an array.
 */
function jsonArgs(args: readonly EventArgument[]): string {
  if (!Array.isArray(args)) return "[]";
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
    text += (i > 0 ? "," : "") + (plainArgument(arg) ?? jsonValue(arg));
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
  const flags = e.contextFlags;
  return {
    task: `"processId":${jsonInteger(e.processId)},"cgroupId":${
      jsonInteger(e.cgroupId)
    },"threadId":${jsonInteger(e.threadId)},"parentProcessId":${
      jsonInteger(e.parentProcessId)
    },"hostProcessId":${jsonInteger(e.hostProcessId)},"hostThreadId":${
      jsonInteger(e.hostThreadId)
    },"hostParentProcessId":${jsonInteger(e.hostParentProcessId)},"userId":${
      jsonInteger(e.userId)
    },"mountNamespace":${jsonInteger(e.mountNamespace)},"pidNamespace":${
      jsonInteger(e.pidNamespace)
    },"processName":${jsonText(e.processName)},"executable":{"path":${
      jsonText(e.executable?.path)
    }},"hostName":${jsonText(e.hostName)},"containerId":${
      jsonText(e.containerId)
    },"container":${jsonObject(e.container)},"kubernetes":${
      jsonObject(e.kubernetes)
    }`,
    entities: `"contextFlags":{"containerStarted":${
      flags?.containerStarted === true
    },"isCompat":${flags?.isCompat === true}},"threadEntityId":${
      jsonInteger(e.threadEntityId)
    },"processEntityId":${jsonInteger(e.processEntityId)},"parentEntityId":${
      jsonInteger(e.parentEntityId)
    }`,
  };
}

/**
 * Serialises an event in Tracee's field order (`EVENT_FIELD_ORDER`),
 * `eventId` as a string, `matchedPolicies` only when non-empty and
 * `metadata` only when present (Go's `omitempty`). Always valid JSON with
 * every field: a field of the wrong type in memory is written as Tracee's
 * zero value (`0`, `""`, `{}`, `[]`, `null` for `stackAddresses`). Same
 * output as `stringifyJson` over those fields for a well-typed event,
 * several times faster: integers and strings are written directly, nested
 * values by native `JSON.stringify`, and Go's escaping is applied once to
 * the whole text.
 *
 * @param parts The event's task and entity members when the caller already
 * has them (they must be `eventJsonParts(event)`).
 */
export function formatEventJson(
  event: TraceeEvent,
  parts: EventJsonParts = eventJsonParts(event),
): string {
  const e = event;
  const policies = Array.isArray(e.matchedPolicies) &&
      e.matchedPolicies.length > 0
    ? `,"matchedPolicies":${jsonValue(e.matchedPolicies)}`
    : "";
  const metadata = typeof e.metadata === "object" && e.metadata !== null
    ? `,"metadata":${jsonValue(e.metadata)}`
    : "";
  const text = `{"timestamp":${jsonInteger(e.timestamp)},"threadStartTime":${
    jsonInteger(e.threadStartTime)
  },"processorId":${jsonInteger(e.processorId)},${parts.task},"eventId":${
    JSON.stringify(String(e.eventId ?? 0))
  },"eventName":${jsonText(e.eventName)}${policies},"argsNum":${
    jsonInteger(e.argsNum)
  },"returnValue":${jsonInteger(e.returnValue)},"syscall":${
    jsonText(e.syscall)
  },"stackAddresses":${
    Array.isArray(e.stackAddresses) ? jsonValue(e.stackAddresses) : "null"
  },${parts.entities},"args":${jsonArgs(e.args)}${metadata}}`;
  return goJson(text);
}
