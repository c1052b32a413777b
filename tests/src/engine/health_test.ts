import assert from "node:assert/strict";
import { HealthTable } from "../../../src/engine/health.ts";
import { loadedSignature } from "./_signature.ts";

Deno.test("HealthTable keeps counters per signature, in load order", () => {
  const table = new HealthTable([loadedSignature(3), loadedSignature(1)], 10);
  assert.deepEqual(table.entries().map(([s]) => s.index), [3, 1]);
  assert.equal(table.get(2), undefined);
  table.get(1)!.events += 5;
  assert.equal(table.get(1)!.events, 5);
  assert.equal(table.get(3)!.events, 0);
});

Deno.test("HealthTable admits a burst of its rate, then counts the rest as dropped", () => {
  const table = new HealthTable([loadedSignature(0)], 2);
  const admitted = Array.from({ length: 10 }, () => table.withinFindingRate(0));
  assert.deepEqual(admitted.slice(0, 2), [true, true]);
  // A token refills every 500 ms: only a stall of seconds admits them all.
  const accepted = admitted.filter(Boolean).length;
  assert.ok(accepted < 10, `${accepted} admitted`);
  const health = table.get(0)!;
  assert.equal(health.findings, accepted);
  assert.equal(health.dropped, 10 - accepted);
});

Deno.test("HealthTable admits nothing for a signature it does not know", () => {
  const table = new HealthTable([loadedSignature(0)], 5);
  assert.equal(table.withinFindingRate(7), false);
  assert.equal(table.get(0)!.dropped, 0);
});

Deno.test("HealthTable.format() lines up one row per signature and ends with the sandbox's restarts", () => {
  let restarts = 0;
  const table = new HealthTable(
    [
      loadedSignature(0, { id: "A" }),
      loadedSignature(1, { id: "LONGER-ID" }),
    ],
    10,
    () => restarts,
  );
  Object.assign(table.get(1)!, {
    events: 12,
    kills: 3,
    micros: 2500,
    quarantined: true,
  });
  restarts = 4;
  const lines = table.format().split("\n");
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^SIGNATURE\s+EVENTS\s+FINDINGS\s+DROPPED/);
  assert.match(lines[1]!, /^A\s+0\s+0\s+0\s+0\s+0\s+0\s+0\.0\s+ok$/);
  assert.match(
    lines[2]!,
    /^LONGER-ID\s+12\s+0\s+0\s+0\s+0\s+3\s+2\.5\s+quarantined$/,
  );
  // Columns line up: each header starts where its values start.
  const column = lines[0]!.indexOf("EVENTS");
  assert.equal(lines[1]!.slice(column).trimStart(), lines[1]!.slice(column));
  assert.equal(lines[2]!.slice(column, column + 2), "12");
  assert.equal(lines[3], "sandbox restarts: 4");
  assert.equal(table.restarts, 4);
});
