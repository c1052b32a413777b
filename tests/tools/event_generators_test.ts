/**
 * Both event generators (tools/gen_event_fixtures.ts for the signature
 * fixtures, tools/gen_events.ts for benchmarks) make what the sensor would:
 * the catalog's ids and parameters, and entity ids from its hash.
 */
import assert from "node:assert/strict";
import { buildFixtures } from "../../tools/gen_event_fixtures.ts";
import { generateEvents } from "../../tools/gen_events.ts";
import { EVENTS_BY_NAME } from "../../src/event/catalog.ts";
import { entityId } from "../../src/event/entity_id.ts";
import { parseJsonExact } from "../../src/event/json.ts";
import type { TraceeEvent } from "../../src/event/event.ts";

function* generatedLines(): Generator<[source: string, line: string]> {
  for (const [file, lines] of buildFixtures()) {
    for (const line of lines) yield [file, line];
  }
  for (const line of generateEvents({ seed: 1, count: 5000 })) {
    yield ["gen_events", line];
  }
}

Deno.test("generated events carry the catalog's ids and parameters", () => {
  for (const [source, line] of generatedLines()) {
    const event = parseJsonExact(line) as TraceeEvent;
    const where = `${source}: ${event.eventName}`;
    const definition = EVENTS_BY_NAME.get(event.eventName);
    assert.ok(definition, where);
    assert.equal(event.eventId, String(definition.id), where);
    assert.deepEqual(
      event.args.map((arg) => arg.name),
      definition.params.map(([, name]) => name),
      where,
    );
    event.args.forEach((arg, i) => {
      // Tracee's parse step turns some values into strings.
      if (arg.type !== "string") {
        assert.equal(
          arg.type,
          definition.params[i]![0],
          `${where} ${arg.name}`,
        );
      }
    });
  }
});

Deno.test("generated events carry the entity ids the sensor computes", () => {
  for (const [source, line] of generatedLines()) {
    const event = parseJsonExact(line) as TraceeEvent;
    assert.equal(
      event.threadEntityId,
      entityId(event.hostThreadId, event.threadStartTime as bigint),
      `${source}: ${line.slice(0, 120)}`,
    );
  }
});
