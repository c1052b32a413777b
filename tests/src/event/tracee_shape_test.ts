import assert from "node:assert/strict";
import fc from "fast-check";
import { EVENT_FIELD_ORDER } from "../../../src/event/event.ts";
import {
  formatEventJson,
  parseJsonExact,
  stringifyJson,
} from "../../../src/event/json.ts";
import { parseEventLine } from "../../../src/event/envelope.ts";
import {
  eventProjection,
  hasTraceeShape,
  traceeShapedJson,
} from "../../../src/event/tracee_shape.ts";
import { checkProperty } from "../../_helpers/property.ts";
import { generateEvents } from "../../../tools/gen_events.ts";
import { tracee } from "../../_helpers/replay.ts";

const FULL = stringifyJson(
  tracee("openat", [["pathname", "const char*", "/etc/passwd"]]),
);

Deno.test("hasTraceeShape() takes Tracee's own lines and Vigil's formatted events", () => {
  assert.ok(hasTraceeShape(FULL));
  for (const line of generateEvents({ seed: 3, count: 500 })) {
    assert.ok(hasTraceeShape(line), line);
    const event = parseEventLine(line);
    assert.ok(typeof event !== "string");
    assert.ok(hasTraceeShape(formatEventJson(event)));
  }
});

Deno.test("hasTraceeShape() refuses a line missing any field, or with one Go would print otherwise", () => {
  const event = JSON.parse(FULL) as Record<string, unknown>;
  for (const field of EVENT_FIELD_ORDER) {
    if (field === "matchedPolicies" || field === "metadata") continue;
    const { [field]: _, ...rest } = event;
    assert.equal(hasTraceeShape(JSON.stringify(rest)), false, field);
  }
  const variants = [
    FULL.replace('"containerId":"",', ""),
    FULL.replace('"matchedPolicies":[""]', '"matchedPolicies":[]'),
    FULL.replace('"container":{}', '"container":{"id":""}'),
    FULL.replace('"processorId":4', '"processorId":"4"'),
    FULL.replace('"eventId":"0"', '"eventId":0'),
    FULL.replace('"executable":{"path":"/usr/bin/bash"}', '"executable":{}'),
    FULL.replace('"isCompat":false', '"isCompat":null'),
  ];
  for (const line of variants) {
    assert.notEqual(line, FULL);
    assert.equal(hasTraceeShape(line), false, line);
  }
  assert.ok(
    hasTraceeShape(FULL.replace('"matchedPolicies":[""],', "")),
    "matchedPolicies may be absent",
  );
});

Deno.test("hasTraceeShape() reads a string holding quotes, backslashes and a fake key", () => {
  const line = FULL.replace(
    '"processName":"bash"',
    String.raw`"processName":"a\"\\\",\"executable\":{}"`,
  );
  assert.ok(hasTraceeShape(line));
  assert.ok(typeof parseEventLine(line) !== "string");
  // A megabyte-long name is read without backtracking.
  assert.ok(
    hasTraceeShape(
      FULL.replace('"hostName":"hb"', `"hostName":"${'\\"'.repeat(1 << 19)}"`),
    ),
  );
});

/** The members a line may lack (`eventName` aside), in Tracee's order. */
const OPTIONAL = EVENT_FIELD_ORDER.filter((field) =>
  field !== "eventName" && field !== "metadata"
);

Deno.test("traceeShapedJson() gives a line lacking any members the values normalising it gives, unparsed", () => {
  const lines = [...generateEvents({ seed: 5, count: 200 })];
  checkProperty(
    fc.property(
      fc.nat(lines.length - 1),
      fc.subarray(OPTIONAL),
      (at, dropped) => {
        const event = JSON.parse(lines[at]!) as Record<string, unknown>;
        for (const field of dropped) delete event[field];
        const line = stringifyJson(event);
        const shaped = traceeShapedJson(line);
        assert.ok(shaped !== undefined, line);
        const normalised = parseEventLine(line);
        assert.ok(typeof normalised !== "string");
        assert.deepEqual(
          parseJsonExact(shaped),
          parseJsonExact(formatEventJson(normalised)),
        );
        assert.equal(
          shaped === line,
          dropped.length === 0 ||
            dropped.every((field) => field === "matchedPolicies"),
        );
      },
    ),
  );
});

Deno.test("traceeShapedJson() leaves to parsing a line naming a member it lacks after args, or out of Tracee's order", () => {
  const event = JSON.parse(FULL) as Record<string, unknown>;
  const { processName, containerId: _, ...rest } = event;
  // Go reads a member wherever it stands: these lines must be parsed.
  for (
    const line of [
      stringifyJson({ ...rest, processName: "" }),
      stringifyJson({ ...rest, containerId: "abc" }),
      stringifyJson({ containerId: "abc", ...rest, processName }),
      JSON.stringify(rest).replace('"args":[', '"args": ['),
    ]
  ) {
    assert.equal(traceeShapedJson(line), undefined, line);
  }
  const sparse = FULL.replace('"containerId":"",', "");
  assert.notEqual(sparse, FULL);
  assert.equal(traceeShapedJson(sparse), FULL);
});

/** Members `eventProjection` may keep: those before `args`, and `args`. */
const PROJECTABLE: string[] = EVENT_FIELD_ORDER.filter((field) =>
  field !== "metadata" && field !== "matchedPolicies"
);

Deno.test("eventProjection() keeps exactly the members named, as they were", () => {
  const lines = [...generateEvents({ seed: 7, count: 200 })];
  checkProperty(
    fc.property(
      fc.nat(lines.length - 1),
      fc.subarray(PROJECTABLE),
      fc.subarray(OPTIONAL),
      (at, fields, dropped) => {
        const event = JSON.parse(lines[at]!) as Record<string, unknown>;
        for (const field of dropped) delete event[field];
        const json = traceeShapedJson(stringifyJson(event))!;
        const whole = parseJsonExact(json) as Record<string, unknown>;
        const projected = parseJsonExact(
          eventProjection(fields)!(json),
        ) as Record<string, unknown>;
        const expected = Object.fromEntries(
          Object.entries(whole).filter(([key]) =>
            fields.includes(key) ||
            (key === "matchedPolicies" && fields.includes("eventName"))
          ),
        );
        assert.deepEqual(projected, expected);
      },
    ),
  );
});

Deno.test("eventProjection() cuts nothing for a member after args or unknown to Tracee", () => {
  assert.equal(eventProjection(["eventName", "metadata"]), undefined);
  assert.equal(eventProjection(["eventName", "hostname"]), undefined);
  assert.equal(eventProjection(["args"])!("not an event"), "not an event");
});

Deno.test("traceeShapedJson() reads Go's null for a nil args list as Tracee's []", () => {
  const line = FULL.replace(/"args":\[.*\]\}$/, '"args":null}');
  assert.notEqual(line, FULL);
  const shaped = traceeShapedJson(line);
  assert.ok(shaped !== undefined);
  const normalised = parseEventLine(line);
  assert.ok(typeof normalised !== "string");
  assert.deepEqual(
    parseJsonExact(shaped),
    parseJsonExact(formatEventJson(normalised)),
  );
  assert.deepEqual((JSON.parse(shaped) as { args: unknown }).args, []);
  // Only as the last member: anything after it is left to parsing.
  assert.equal(
    traceeShapedJson(line.replace(/\}$/, ',"metadata":null}')),
    undefined,
  );
});
