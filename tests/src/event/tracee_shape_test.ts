import assert from "node:assert/strict";
import { EVENT_FIELD_ORDER } from "../../../src/event/event.ts";
import { formatEventJson, stringifyJson } from "../../../src/event/json.ts";
import { parseEventLine } from "../../../src/event/envelope.ts";
import { hasTraceeShape } from "../../../src/event/tracee_shape.ts";
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
