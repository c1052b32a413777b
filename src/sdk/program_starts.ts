/**
 * Telling program starts apart in an event stream, so that a signature
 * reports a start once whichever of its events the stream carries.
 *
 * @module
 */

import type { TraceeEvent } from "../event/event.ts";

/**
 * The events one program start can appear as in a Tracee stream: the exec
 * call (at entry, and again at exit when it failed), security_bprm_check
 * (once per binary handler: a script, then its interpreter) and
 * sched_process_exec. A stream may carry any of them.
 */
export const PROGRAM_START_EVENTS: readonly string[] = Object.freeze([
  "execve",
  "execveat",
  "security_bprm_check",
  "sched_process_exec",
]);

/** The events of a process's latest program start seen so far. */
interface TrackedStart<T> {
  /** The latest timestamp among them. */
  last: bigint;
  /** sched_process_exec was seen: the next start event begins a new start. */
  running: boolean;
  /** The last exec call failed: the next (execvp's next PATH entry) is a retry. */
  failed: boolean;
  /** What the signature keeps of this start. */
  state: T;
}

/**
 * The latest program start of each process (by host pid), each with a state
 * object of the signature's. An event no newer than the latest one seen for
 * its process belongs to that process's current start: streams need not be
 * sorted, and a sensor may stamp two events of one start alike (Vigil's
 * kernel source derives security_bprm_check from sched_process_exec's
 * record). A zero timestamp tells nothing. Otherwise a start ends at
 * sched_process_exec, and an exec call begins the next one unless it retries
 * a failed one (execvp walking PATH).
 *
 * At most `maxProcesses` processes are tracked; the least recently seen are
 * forgotten first.
 *
 * @example Report each program start from /tmp once
 * ```ts
 * import {
 *   PROGRAM_START_EVENTS,
 *   ProgramStarts,
 *   stringArgument,
 * } from "@vigil/sensor/sdk";
 * import type { EventSelector, OnEvent } from "@vigil/sensor/sdk";
 *
 * const starts = new ProgramStarts(() => ({ reported: false }));
 *
 * export const selectedEvents: EventSelector[] = PROGRAM_START_EVENTS.map(
 *   (name) => ({ source: "tracee", name, origin: "*" }),
 * );
 *
 * export const onEvent: OnEvent = (event, report) => {
 *   const start = starts.startOf(event);
 *   if (start === undefined || start.reported) return;
 *   const pathname = stringArgument(event, "pathname");
 *   if (!pathname.startsWith("/tmp/")) return;
 *   start.reported = true;
 *   report({ pathname });
 * };
 * ```
 */
export class ProgramStarts<T extends object> {
  readonly #newState: () => T;
  readonly #maxProcesses: number;
  readonly #starts = new Map<number, TrackedStart<T>>();

  /**
   * @param newState Makes the state of a start when one begins.
   * @param maxProcesses The most processes tracked.
   */
  constructor(newState: () => T, maxProcesses = 4096) {
    this.#newState = newState;
    this.#maxProcesses = maxProcesses;
  }

  /**
   * The state of the program start `event` (one of
   * {@linkcode PROGRAM_START_EVENTS}) belongs to, or `undefined` for a
   * failed exec call, which starts nothing.
   */
  startOf(event: TraceeEvent): T | undefined {
    const time = ProgramStarts.#timeOf(event);
    const call = event.eventName === "execve" || event.eventName === "execveat";
    const failed = call && Number(event.returnValue) < 0;
    const previous = this.#starts.get(event.hostProcessId);
    const start = previous !== undefined &&
        ProgramStarts.#continues(previous, time, call && !failed)
      ? previous
      : { last: time, running: false, failed: false, state: this.#newState() };
    if (time > start.last) start.last = time;
    if (event.eventName === "sched_process_exec") start.running = true;
    if (call) start.failed = failed;
    this.#track(event.hostProcessId, start);
    return failed ? undefined : start.state;
  }

  /** The state of the latest program start of process `pid`, if tracked. */
  latest(pid: number): T | undefined {
    return this.#starts.get(pid)?.state;
  }

  /**
   * Process `child` was forked from `parent`: it runs the same program, with
   * a shallow copy of the state, until its next start, which is its own.
   */
  fork(parent: number, child: number): void {
    const start = this.#starts.get(parent);
    if (start === undefined || child === parent) return;
    this.#track(child, {
      last: start.last,
      running: true,
      failed: false,
      state: { ...start.state },
    });
  }

  /** Forgets process `pid` (it exited, or its start is dealt with). */
  forget(pid: number): void {
    this.#starts.delete(pid);
  }

  #track(pid: number, start: TrackedStart<T>): void {
    this.#starts.delete(pid);
    this.#starts.set(pid, start);
    if (this.#starts.size > this.#maxProcesses) {
      const oldest = this.#starts.keys().next().value;
      if (oldest !== undefined) this.#starts.delete(oldest);
    }
  }

  static #timeOf(event: TraceeEvent): bigint {
    const time = event.timestamp;
    if (typeof time === "bigint") return time;
    return Number.isSafeInteger(time) ? BigInt(time) : 0n;
  }

  /**
   * Whether an event at `time` belongs to `previous` rather than beginning a
   * start; `call` tells an exec call's event that is not a failure.
   */
  static #continues(
    previous: TrackedStart<unknown>,
    time: bigint,
    call: boolean,
  ): boolean {
    // Delivered late, or stamped like the start's latest event.
    if (time !== 0n && time <= previous.last) return true;
    return !previous.running && (!call || previous.failed);
  }
}
