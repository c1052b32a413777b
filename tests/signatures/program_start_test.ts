/**
 * Program starts as a replayed Tracee stream may show them: the exec call
 * (execve or execveat), security_bprm_check and sched_process_exec, any
 * subset of them, in or out of order. The built-ins that watch starts report
 * each start once, from whichever of its events shows it.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { TraceeEvent } from "../../src/event/event.ts";
import type { OnEvent } from "../../src/sdk/mod.ts";
import { checkProperty } from "../_helpers/property.ts";
import { tracee } from "../_helpers/replay.ts";
import {
  fixtureLines,
  oneKindCounts,
  START_KINDS,
  startFixtures,
  type StartKind,
  withOnlyStartKind,
} from "./_fixtures.ts";
import {
  type EventObject,
  parseLines,
  replayEach,
  type StreamFinding,
} from "./_namespaces.ts";

function countById(findings: StreamFinding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { id } of findings) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

Deno.test("with one kind of program-start event kept, each fixture gives one finding per start", async () => {
  const cases: { name: string; expected: Record<string, number> }[] = [];
  const streams: EventObject[][] = [];
  for (const file of startFixtures()) {
    const lines = await fixtureLines(file);
    for (const kind of Object.keys(START_KINDS) as StartKind[]) {
      cases.push({
        name: `${file} with ${kind} only`,
        expected: oneKindCounts(file, kind),
      });
      streams.push(parseLines(withOnlyStartKind(lines, kind)));
    }
  }
  const { findings, errors } = await replayEach(streams);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    cases.map(({ name }, i) => [name, countById(findings[i]!)]),
    cases.map(({ name, expected }) => [name, expected]),
  );
});

/** One program start: which of its events the stream carries, and how. */
interface StartShape {
  /** The exec call's event (execve at entry). */
  call: boolean;
  /** Failed calls before it, at entry and at exit (execvp along PATH). */
  tries: number;
  /** security_bprm_check events: 2 for a script and its interpreter. */
  checks: number;
  sched: boolean;
  /** The call's event is delivered last (streams need not be sorted). */
  unsorted: boolean;
  /**
   * The check comes after sched_process_exec with its timestamp, as Vigil's
   * kernel source derives it from the same record.
   */
  derived: boolean;
}

const START_SHAPE = fc.record({
  call: fc.boolean(),
  tries: fc.integer({ min: 0, max: 2 }),
  checks: fc.integer({ min: 0, max: 2 }),
  sched: fc.boolean(),
  unsorted: fc.boolean(),
  derived: fc.boolean(),
}).filter((shape) => shape.call || shape.checks > 0 || shape.sched)
  .map((shape): StartShape => ({
    ...shape,
    tries: shape.call ? shape.tries : 0,
    unsorted: shape.call && shape.unsorted,
    derived: shape.sched && shape.checks === 1 && shape.derived,
  }));

/** Each run's process, so that runs do not share a signature's state. */
let pid = 4000;
const BINARY = "/dev/shm/sh";
const ENV = ["LD_PRELOAD=/tmp/.l/libsys.so", "HOME=/var/www"];

/**
 * The events of `shapes`, one start after another by one process: a server
 * (nginx) running a shell from /dev/shm with LD_PRELOAD set, which VGL-4,
 * VGL-6 and VGL-7 each report.
 */
function startEvents(shapes: StartShape[]): Record<string, unknown>[] {
  const hostProcessId = ++pid;
  let time = 1795802400000000000n;
  const at = (context: Record<string, unknown>) => ({
    timestamp: time += 1000n,
    hostProcessId,
    processId: hostProcessId,
    processName: "nginx",
    ...context,
  });
  const call = (pathname: string, returnValue = 0) =>
    tracee("execve", [
      ["pathname", "const char*", pathname],
      ["argv", "const char*const*", ["sh", "-c", "id"]],
      ["envp", "const char*const*", ENV],
    ], at({ returnValue }));
  const events: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const start: Record<string, unknown>[] = [];
    for (let i = 0; i < shape.tries; i++) {
      start.push(
        call(`/usr/local/bin${i}/sh`),
        call(`/usr/local/bin${i}/sh`, -2),
      );
    }
    // Created first, so its timestamp is the earliest (after the tries').
    const late = shape.call ? [call(BINARY)] : [];
    for (let i = 0; i < shape.checks; i++) {
      start.push(tracee("security_bprm_check", [
        ["pathname", "const char*", i === 0 ? BINARY : "/usr/bin/dash"],
        ["dev", "dev_t", 24],
        ["inode", "unsigned long", 4411 + i],
        ["argv", "const char*const*", ["sh", "-c", "id"]],
        ["envp", "const char*const*", ENV],
      ], at({ syscall: "execve" })));
    }
    if (shape.sched) {
      start.push(tracee("sched_process_exec", [
        ["cmdpath", "const char*", BINARY],
        ["pathname", "const char*", BINARY],
        ["argv", "const char**", ["sh", "-c", "id"]],
        ["prev_comm", "const char*", "nginx"],
        ["env", "const char**", ENV],
      ], at({ processName: "sh", syscall: "execve" })));
    }
    if (shape.derived) {
      const [check, sched] = start.splice(-2, 2);
      check!.timestamp = sched!.timestamp;
      start.push(sched!, check!);
    }
    const tries = start.splice(0, 2 * shape.tries);
    events.push(
      ...tries,
      ...(shape.unsorted ? [...start, ...late] : [...late, ...start]),
    );
  }
  return events;
}

/**
 * The starts a signature can tell apart in `shapes`: a start ends at its
 * sched_process_exec, and an exec call delivered first begins a new one;
 * without either (checks only), consecutive starts of a process are one.
 */
function distinguishable(shapes: StartShape[]): number {
  let starts = 1;
  for (let i = 1; i < shapes.length; i++) {
    const previous = shapes[i - 1]!;
    const shape = shapes[i]!;
    const callLast = shape.unsorted && (shape.checks > 0 || shape.sched);
    const callFirst = shape.tries > 0 || (shape.call && !callLast);
    if (previous.sched || callFirst) starts++;
  }
  return starts;
}

const REPORTING = Object.fromEntries(
  await Promise.all(
    ["fileless_execution", "ld_preload", "illegitimate_shell"].map(
      async (name) => {
        const url = new URL(`../../signatures/ts/${name}.ts`, import.meta.url);
        return [name, (await import(url.href) as { onEvent: OnEvent }).onEvent];
      },
    ),
  ),
) as Record<string, OnEvent>;

Deno.test("VGL-4, VGL-6 and VGL-7 report each program start once, whichever of its events arrive", () => {
  checkProperty(
    fc.property(
      fc.array(START_SHAPE, { minLength: 1, maxLength: 6 }),
      (shapes) => {
        const events = startEvents(shapes);
        for (const [name, onEvent] of Object.entries(REPORTING)) {
          let reports = 0;
          for (const event of events) {
            onEvent(event as unknown as TraceeEvent, () => reports++);
          }
          assert.equal(reports, distinguishable(shapes), name);
        }
      },
    ),
    { numRuns: 300 },
  );
});
