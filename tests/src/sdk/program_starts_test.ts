import assert from "node:assert/strict";
import { ProgramStarts } from "../../../src/sdk/program_starts.ts";
import { startEvent } from "./_events.ts";

const newState = () => ({ seen: 0 });

Deno.test("ProgramStarts: the events of one start share a state; the next exec call begins a new one", () => {
  const starts = new ProgramStarts(newState);
  const call = starts.startOf(startEvent("execve", 7, 10n));
  const check = starts.startOf(startEvent("security_bprm_check", 7, 11n));
  const exec = starts.startOf(startEvent("sched_process_exec", 7, 12n));
  assert.ok(call !== undefined && call === check && check === exec);
  const next = starts.startOf(startEvent("execve", 7, 20n));
  assert.ok(next !== undefined && next !== exec);
  assert.equal(starts.latest(7), next);
});

Deno.test("ProgramStarts: a failed exec call starts nothing, and the retry continues the start", () => {
  const starts = new ProgramStarts(newState);
  assert.equal(starts.startOf(startEvent("execve", 7, 10n, -2)), undefined);
  const retry = starts.startOf(startEvent("execve", 7, 11n));
  const exec = starts.startOf(startEvent("sched_process_exec", 7, 12n));
  assert.ok(retry !== undefined && retry === exec);
});

Deno.test("ProgramStarts: an event delivered late belongs to the start it came from", () => {
  const starts = new ProgramStarts(newState);
  const exec = starts.startOf(startEvent("sched_process_exec", 7, 12n));
  assert.equal(starts.startOf(startEvent("execve", 7, 10n)), exec);
});

Deno.test("ProgramStarts: a forked child gets a copy of the state; forget() and the process cap drop processes", () => {
  const starts = new ProgramStarts(newState, 2);
  const parent = starts.startOf(startEvent("sched_process_exec", 1, 5n))!;
  parent.seen = 3;
  starts.fork(1, 2);
  const child = starts.latest(2);
  assert.deepEqual(child, { seen: 3 });
  assert.notEqual(child, parent);
  // The child's next exec call is a start of its own.
  assert.notEqual(starts.startOf(startEvent("execve", 2, 6n)), child);
  starts.fork(1, 1);
  starts.fork(9, 3);
  assert.equal(starts.latest(3), undefined);
  starts.startOf(startEvent("execve", 3, 7n));
  assert.equal(starts.latest(1), undefined, "the least recently seen goes");
  starts.forget(3);
  assert.equal(starts.latest(3), undefined);
  assert.notEqual(starts.latest(2), undefined);
});
