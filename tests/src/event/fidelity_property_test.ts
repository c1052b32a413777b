/**
 * Property: whatever a replayed line holds, Vigil either skips it with a
 * reason or turns it into an event in Tracee's full shape, and every event
 * and finding it prints parses as JSON in Tracee's field order and fits one
 * table line. The pure path (parse, normalise, finding, format), many runs.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { unprintableData } from "../../../src/engine/finding_event.ts";
import { findingEvent } from "../../../src/engine/finding_event.ts";
import {
  EVENT_FIELD_ORDER,
  type TraceeEvent,
} from "../../../src/event/event.ts";
import { formatEventJson } from "../../../src/event/json.ts";
import { eventRouting, parseEventLine } from "../../../src/event/envelope.ts";
import { hasTraceeShape } from "../../../src/event/tracee_shape.ts";
import { formatTableRow } from "../../../src/output/table.ts";
import type { LoadedSignature } from "../../../src/model/signature.ts";
import { eventLine, eventObject } from "../../_helpers/event_arbitrary.ts";
import { checkProperty } from "../../_helpers/property.ts";

const LIMITS = { maxDepth: 12_000, giantLength: 200_000 };

const REQUIRED = EVENT_FIELD_ORDER.filter((field) =>
  field !== "matchedPolicies" && field !== "metadata"
);

// deno-lint-ignore no-control-regex
const LINE_BREAK_REGEXP = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A signature as the engine holds one; only what findings read of it. */
const SIGNATURE = {
  index: 0,
  eventId: 6000,
  metadata: {
    id: "FID-1",
    version: "1.0.0",
    name: "Fidelity",
    eventName: "fidelity",
    description: "d",
    tags: null,
    properties: { Severity: 1 },
  },
} as unknown as LoadedSignature;

/** Asserts that `json` parses and holds Tracee's fields in Tracee's order. */
function assertTraceeJson(json: string): Record<string, unknown> {
  assert.doesNotMatch(json, /\n/);
  const value = JSON.parse(json) as Record<string, unknown>;
  const keys = Object.keys(value);
  assert.deepEqual(
    keys,
    EVENT_FIELD_ORDER.filter((field) => keys.includes(field)),
  );
  for (const field of REQUIRED) assert.ok(field in value, field);
  return value;
}

Deno.test("any line is skipped with a reason or becomes an event in Tracee's full shape", () => {
  checkProperty(
    fc.property(eventLine(LIMITS), (line) => {
      const event = parseEventLine(line);
      if (typeof event === "string") {
        assert.ok(event.length > 0);
        return;
      }
      const json = formatEventJson(event);
      assertTraceeJson(json);
      // Tracee's full shape, unless a string spells a surrogate escape.
      assert.ok(
        hasTraceeShape(json) || /\\u[dD][89a-fA-F]/.test(json),
        json.slice(0, 300),
      );
      // What Vigil writes reads back as the same event (compared as text:
      // a recursive deep-equal would overflow on the deepest values).
      const again = parseEventLine(json);
      assert.ok(typeof again !== "string", again as string);
      assert.equal(formatEventJson(again), json);
      assert.deepEqual(eventRouting(again), eventRouting(event));
      assert.doesNotMatch(formatTableRow(event), LINE_BREAK_REGEXP);
    }),
    { numRuns: 250 },
  );
});

Deno.test("a finding on any event with any data prints as Tracee JSON on one line", () => {
  const data = fc.dictionary(
    fc.string({ unit: "binary", maxLength: 12 }),
    eventObject(LIMITS).map((value) => value as unknown),
    { maxKeys: 3 },
  );
  checkProperty(
    fc.property(eventLine(LIMITS), data, fc.boolean(), (line, raw, bare) => {
      const trigger = parseEventLine(line);
      if (typeof trigger === "string") return;
      // As the engine does: unprintable data is replaced by a note.
      const note = unprintableData(raw, 65536);
      const finding = findingEvent(
        trigger,
        SIGNATURE,
        bare ? true : note === undefined ? raw : { truncated: note },
      );
      const value = assertTraceeJson(formatEventJson(finding));
      assert.equal(value.eventName, "fidelity");
      assert.ok(
        Array.isArray(value.matchedPolicies) &&
          value.matchedPolicies.length > 0,
      );
      assert.doesNotMatch(formatTableRow(finding), LINE_BREAK_REGEXP);
    }),
    { numRuns: 300 },
  );
});

Deno.test("finding data is written exactly up to Go's depth limit and refused with a reason beyond it, never a crash", () => {
  let deep: unknown = 1n;
  for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { a: deep };
  assert.match(
    unprintableData({ deep }, 65536) ?? "",
    /^finding data nested more than 9998 levels deep/,
  );
  let fits: unknown = 12345678901234567890n;
  for (let i = 0; i < 9997; i++) fits = [fits];
  assert.equal(unprintableData({ fits }, 1 << 20), undefined);
  // Data that fits is written exactly, and reads back exactly.
  const trigger = parseEventLine('{"eventName":"openat"}') as TraceeEvent;
  const json = formatEventJson(findingEvent(trigger, SIGNATURE, { fits }));
  assert.ok(
    json.includes(
      `"args":[{"name":"fits","type":"array","value":${
        "[".repeat(9997)
      }12345678901234567890${"]".repeat(9997)}}]`,
    ),
  );
  const back = parseEventLine(json);
  assert.ok(typeof back !== "string", back as string);
  assert.equal(formatEventJson(back), json);
});
