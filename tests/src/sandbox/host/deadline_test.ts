import assert from "node:assert/strict";
import { DeadlineClock } from "../../../../src/sandbox/host/deadline.ts";

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* this process is busy */ }
}

Deno.test("DeadlineClock does not count the time this process was too busy to tick", () => {
  const clock = new DeadlineClock(20);
  clock.progress();
  busy(300);
  const elapsed = clock.tick(undefined, 1000);
  assert.ok(elapsed < 100, `${elapsed} ms counted`);
});

Deno.test("DeadlineClock counts time without an answer from the last progress", async () => {
  const clock = new DeadlineClock(1000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  clock.progress();
  assert.ok(clock.tick(undefined, 1000) < 50);
});
