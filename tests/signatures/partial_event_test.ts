/**
 * The TypeScript built-ins on events that lack fields and arguments: a
 * replayed line may hold any subset of Tracee's fields, and a signature that
 * throws loses the event. Each fixture event is fed with a random subset of
 * its context fields and arguments removed.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { TraceeEvent } from "../../src/event/event.ts";
import type { OnEvent } from "../../src/sdk/mod.ts";
import { checkProperty } from "../_helpers/property.ts";
import { ROOT } from "../_helpers/replay.ts";
import { EXPECTED_COUNTS, fixtureLines } from "./_fixtures.ts";
import { type EventObject, parseLines } from "./_namespaces.ts";

const SIGNATURES: [string, OnEvent][] = [];
for await (const entry of Deno.readDir(`${ROOT}signatures/ts`)) {
  const module = await import(`${ROOT}signatures/ts/${entry.name}`);
  SIGNATURES.push([entry.name, module.onEvent as OnEvent]);
}

const EVENTS: EventObject[] = [];
for (const file of Object.keys(EXPECTED_COUNTS)) {
  EVENTS.push(...parseLines(await fixtureLines(file)));
}

Deno.test("TypeScript built-ins handle events lacking any fields and arguments without throwing", () => {
  assert.ok(SIGNATURES.length >= 6);
  checkProperty(
    fc.property(
      fc.array(
        fc.record({
          index: fc.nat({ max: EVENTS.length - 1 }),
          fields: fc.uniqueArray(fc.nat({ max: 40 })),
          args: fc.uniqueArray(fc.nat({ max: 20 })),
        }),
        { minLength: 1, maxLength: 40 },
      ),
      (picks) => {
        for (const { index, fields, args } of picks) {
          const event = EVENTS[index]!;
          const keys = Object.keys(event);
          const partial: Record<string, unknown> = Object.fromEntries(
            Object.entries(event).filter((_, i) =>
              !fields.includes(i) || keys[i] === "args"
            ),
          );
          partial.args = event.args.filter((_, i) => !args.includes(i));
          for (const [name, onEvent] of SIGNATURES) {
            assert.doesNotThrow(
              () => onEvent(partial as unknown as TraceeEvent, () => {}),
              name,
            );
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});
