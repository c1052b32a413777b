/**
 * How long the sandbox's outstanding work has gone without an answer,
 * counting only time that is the sandbox's: not the time this process was
 * too busy to read answers (its watchdog ticked late, e.g. while it parsed a
 * huge answer), nor the time the sandbox waited for a CPU on a machine busy
 * with other work, up to `MAX_WAIT_CREDIT` deadlines.
 *
 * @module
 */

import { cpuWaitsMs } from "./process.ts";

/**
 * At most this many deadlines of a sandbox's waiting for a CPU extend one
 * piece of outstanding work's deadline: enough for an honest signature on a
 * machine loaded several times over, while a hung one still dies.
 */
const MAX_WAIT_CREDIT = 3;

/** The clock of the sandbox's deadline. */
export class DeadlineClock {
  #tickMs: number;
  /** When the outstanding work last got an answer, plus the time credited. */
  #since = 0;
  #lastTick = performance.now();
  /** Each sandbox thread's total wait for a CPU at the last tick, in ms. */
  #cpuWaits = new Map<string, number>();
  /** Waits credited since the last answer, and the `#since` they gave. */
  #credited = { at: 0, ms: 0 };

  /** @param tickMs How often `tick()` is called. */
  constructor(tickMs: number) {
    this.#tickMs = tickMs;
  }

  /** Starts the time of the outstanding work afresh (an answer came). */
  progress(): void {
    this.#since = performance.now();
  }

  /**
   * Called every `tickMs` with the sandbox process's pid: credits the time
   * that was not the sandbox's, up to `MAX_WAIT_CREDIT × limitMs` of CPU
   * waits since the last answer, and returns the time without an answer.
   */
  tick(pid: number | undefined, limitMs: number): number {
    const now = performance.now();
    if (this.#since !== this.#credited.at) this.#credited.ms = 0;
    const stalled = now - this.#lastTick - this.#tickMs;
    this.#lastTick = now;
    if (stalled > this.#tickMs) this.#since += stalled;
    const credit = Math.min(
      this.#cpuWait(pid),
      MAX_WAIT_CREDIT * limitMs - this.#credited.ms,
    );
    if (credit > 0) {
      this.#credited.ms += credit;
      this.#since += credit;
    }
    this.#credited.at = this.#since;
    return now - this.#since;
  }

  /** The longest a thread of `pid` waited for a CPU since the last tick. */
  #cpuWait(pid: number | undefined): number {
    const waits = pid === undefined ? undefined : cpuWaitsMs(pid);
    let longest = 0;
    for (const [thread, ms] of waits ?? []) {
      const before = this.#cpuWaits.get(thread);
      if (before !== undefined) longest = Math.max(longest, ms - before);
    }
    this.#cpuWaits = waits ?? new Map();
    return longest;
  }
}
