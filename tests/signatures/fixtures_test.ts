import assert from "node:assert/strict";
import { EVENT_FIELD_ORDER } from "../../src/event/event.ts";
import { buildFixtures } from "../../tools/gen_event_fixtures.ts";
import { EXPECTED_COUNTS, fixtureLines } from "./_fixtures.ts";

const TRACEE_FIELDS = EVENT_FIELD_ORDER.filter((field) =>
  field !== "matchedPolicies" && field !== "metadata"
);
const TIMESTAMP_REGEXP = /^\{"timestamp":\d{19},"threadStartTime":\d{19},/;

Deno.test("fixture streams are what tools/gen_event_fixtures.ts generates", async () => {
  const generated = buildFixtures();
  assert.deepEqual(
    [...generated.keys()].sort(),
    Object.keys(EXPECTED_COUNTS).sort(),
  );
  for (const [file, lines] of generated) {
    assert.deepEqual(await fixtureLines(file), lines, `${file} is stale`);
  }
});

Deno.test("fixture events have Tracee's full field set, in order, with 19-digit timestamps", async () => {
  for (const file of Object.keys(EXPECTED_COUNTS)) {
    for (const line of await fixtureLines(file)) {
      assert.match(line, TIMESTAMP_REGEXP, file);
      const event = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual(Object.keys(event), TRACEE_FIELDS, file);
      assert.equal(typeof event.eventId, "string", file);
      assert.equal(event.argsNum, (event.args as unknown[]).length, file);
    }
  }
});
