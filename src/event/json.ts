/**
 * Tracee-compatible JSON: exact 64-bit integers in both directions, Tracee's
 * field order, and Go's string escaping (`<`, `>`, `&`, U+2028, U+2029).
 *
 * @module
 */

import { EVENT_FIELD_ORDER, type TraceeEvent } from "./event.ts";

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

/**
 * Serialises an event in Tracee's field order, `eventId` as a string, and
 * `matchedPolicies` and `metadata` only when present.
 */
export function formatEventJson(event: TraceeEvent): string {
  const parts: string[] = [];
  for (const field of EVENT_FIELD_ORDER) {
    const value = event[field];
    if (value === undefined) continue;
    const text = field === "eventId"
      ? writeString(String(value))
      : stringifyJson(value);
    parts.push(`"${field}":${text}`);
  }
  return `{${parts.join(",")}}`;
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
