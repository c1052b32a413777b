/**
 * fast-check arbitraries for replayed lines: Tracee events with any subset of
 * their fields, each of Tracee's type or of a hostile one (wrong types, huge
 * and negative integers, control characters, lone surrogates, deep nesting,
 * empty and giant strings), written with or without Tracee's field order,
 * and lines that are not JSON at all.
 *
 * @module
 */

import fc from "fast-check";
import { EVENT_FIELD_ORDER } from "../../src/event/event.ts";
import { stringifyJson } from "../../src/event/json.ts";

/** Limits of what is generated. */
export interface LineLimits {
  /** Deepest nesting of a generated value. */
  maxDepth: number;
  /** Longest giant string. */
  giantLength: number;
}

/** Characters that break lines, terminals or naive encoders. */
const AWKWARD = [
  "\n",
  "\r",
  "\u0000",
  "\u001b[2K",
  "\u2028",
  "\u2029",
  "\ud800",
  "\udfff",
  "\u202e",
  '"',
  "\\",
  "<&>",
  "é",
  "🐧",
  '","containerId":"x',
  '"eventName":"ptrace"',
];

function awkwardString(giantLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    {
      weight: 4,
      arbitrary: fc.array(fc.constantFrom(...AWKWARD), { maxLength: 6 })
        .map((parts) => parts.join("")),
    },
    { weight: 1, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constant("x".repeat(giantLength)) },
  );
}

function integer(): fc.Arbitrary<number | bigint> {
  return fc.oneof(
    fc.integer({ min: -5, max: 70000 }),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.constantFrom(
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 64n - 1n,
      2n ** 64n,
      2n ** 32n - 1n,
      2n ** 32n,
      -1,
    ),
  );
}

/** A value nested `depth` levels deep. */
function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { k: value };
  return value;
}

function anyValue(limits: LineLimits): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    integer(),
    awkwardString(limits.giantLength),
    fc.integer({ min: 1, max: limits.maxDepth }).map((d) =>
      nested(d, 1n << 80n)
    ),
    fc.constant(null),
  );
}

/** A value of the type Tracee gives `field`. */
function traceeValue(field: string, limits: LineLimits): fc.Arbitrary<unknown> {
  const text = awkwardString(limits.giantLength);
  switch (field) {
    case "processName":
    case "hostName":
    case "containerId":
    case "syscall":
      return text;
    case "eventName":
      return fc.constantFrom(
        "openat",
        "execve",
        "ptrace",
        "sched_process_exec",
      );
    case "eventId":
      return fc.integer({ min: 0, max: 6000 }).map(String);
    case "executable":
      return text.map((path) => ({ path }));
    case "container":
      return fc.record({ id: text, name: text }, { requiredKeys: [] });
    case "kubernetes":
      return fc.record({ podName: text, podSandbox: fc.boolean() }, {
        requiredKeys: [],
      });
    case "matchedPolicies":
      return fc.array(text, { maxLength: 2 });
    case "stackAddresses":
      return fc.option(fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })));
    case "contextFlags":
      return fc.record({
        containerStarted: fc.boolean(),
        isCompat: fc.boolean(),
      });
    case "args":
      return fc.array(
        fc.record({
          name: text,
          type: fc.constantFrom("const char*", "int", "const char**", "bytes"),
          value: anyValue(limits),
        }, { requiredKeys: ["name", "type"] }),
        { maxLength: 4 },
      );
    case "metadata":
      return fc.record({
        Version: text,
        Properties: fc.dictionary(text, anyValue(limits), { maxKeys: 2 }),
      });
    case "cgroupId":
    case "threadEntityId":
    case "processEntityId":
    case "parentEntityId":
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    default:
      return fc.oneof(
        fc.integer({ min: -1, max: 1 << 30 }),
        fc.bigInt({
          min: 0n,
          max: 2n ** 62n,
        }),
      );
  }
}

/**
 * An event object: all of Tracee's fields or any subset, of Tracee's types,
 * then (in half the cases) one or two fields, or an unknown member, given a
 * value of any type.
 */
export function eventObject(
  limits: LineLimits,
): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    EVENT_FIELD_ORDER.map((field) => [field, traceeValue(field, limits)]),
  );
  const override = fc.tuple(
    fc.constantFrom(...EVENT_FIELD_ORDER, "unknownMember"),
    anyValue(limits),
  );
  return fc.tuple(
    fc.oneof(
      fc.record(fields),
      fc.record(fields, { requiredKeys: [] }),
    ),
    fc.oneof(
      fc.constant([]),
      fc.array(override, { minLength: 1, maxLength: 2 }),
    ),
  ).map(([event, overrides]) => ({
    ...event,
    ...Object.fromEntries(overrides),
  }));
}

/**
 * A line: an event object written in Tracee's order or reversed, or (rarely)
 * text that is not JSON.
 */
export function eventLine(limits: LineLimits): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 12,
      arbitrary: fc.tuple(eventObject(limits), fc.boolean()).map((
        [event, reversed],
      ) =>
        stringifyJson(
          reversed
            ? Object.fromEntries(Object.entries(event).reverse())
            : event,
        )
      ),
    },
    {
      weight: 1,
      arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((text) =>
        text.replace(/[\r\n]/g, " ").toWellFormed()
      ),
    },
  );
}
