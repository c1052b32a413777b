/**
 * The engine's side of the sandbox boundary: a child process with no
 * permissions that runs the signatures, and that the engine can kill.
 *
 * Each batch is sent once; the sandbox answers per signature, in route
 * order, so a silent sandbox points at the signature it is stuck in. When no
 * answer comes within the deadline, or the sandbox dies (a heap cap was hit),
 * that signature is charged with an offence (`blame.ts`), the process is
 * killed and restarted with backoff, and the unanswered work is sent again to
 * every other signature, so that nothing queued is lost. A signature with too
 * many offences is quarantined.
 *
 * @module
 */

import type { LoadOutcome } from "./answer.ts";
import { BatchesInFlight, type PendingBatch } from "./batches.ts";
import { Blame } from "./blame.ts";
import { DeadlineClock } from "./deadline.ts";
import { Loads, measureLoad } from "./loads.ts";
import { Restarts } from "./process.ts";
import { SandboxProcess } from "./sandbox_process.ts";
import { loadFrame, sharedFrames } from "./load_frames.ts";
import {
  type BatchResult,
  callSafely,
  type Fault,
  type SandboxLimits,
  sandboxLimits,
  type SandboxOptions,
  type SandboxProgram,
  type SandboxRestart,
  type SandboxSignature,
} from "./types.ts";
import { encodeBatch, FrameType, type SandboxMessage } from "../protocol.ts";

/** A killable child process that runs signatures with no permissions. */
export class Sandbox {
  #program: SandboxProgram;
  #signatures: readonly SandboxSignature[];
  #limits: SandboxLimits;
  #options: SandboxOptions;
  #blame: Blame;
  #batches = new BatchesInFlight();
  #process: SandboxProcess | undefined;
  #loads = new Loads();
  /** Time since the outstanding work last got an answer. */
  #clock: DeadlineClock;
  /** How often the deadline is checked. */
  #tickMs: number;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #restarts = new Restarts();
  #closed = false;
  #restarting = false;
  /** How long the outstanding batches went unanswered, at the last tick. */
  #silentMs = 0;
  #spawnListeners: ((pid: number) => void)[] = [];

  constructor(program: SandboxProgram, options: SandboxOptions = {}) {
    const { signatures } = program;
    this.#program = program;
    this.#signatures = signatures;
    this.#limits = sandboxLimits(signatures, options);
    this.#blame = new Blame(signatures, this.#limits.quarantineAfter);
    this.#tickMs = Math.max(10, this.#limits.deadlineMs / 4);
    this.#clock = new DeadlineClock(this.#tickMs);
    this.#options = options;
  }

  /** Signatures quarantined so far. */
  get quarantined(): ReadonlySet<number> {
    return this.#blame.quarantined;
  }

  /** The sandbox process's data memory cap, in MiB (see `dataLimitMiB`). */
  get dataLimitMiB(): number {
    return this.#limits.dataLimitMiB;
  }

  /**
   * Calls `listener` with the sandbox process's pid now and after every
   * restart (e.g. so that the kernel source never traces the sandbox).
   */
  onSpawn(listener: (pid: number) => void): void {
    this.#spawnListeners.push(listener);
    if (this.#process) listener(this.#process.pid);
  }

  /** Stops sending events to a signature, e.g. one whose metadata is invalid. */
  disable(signature: number): void {
    this.#blame.quarantine(signature);
  }

  /** How many times the sandbox process was restarted. */
  get restarts(): number {
    return this.#restarts.count;
  }

  /**
   * Why the sandbox is not answering now (closed, restarting, or silent for
   * over half its deadline), or undefined when it answers.
   */
  get unanswering(): string | undefined {
    if (this.#closed) return "the sandbox is closed";
    if (this.#restarting || this.#process === undefined) {
      return `the sandbox is restarting (restart ${this.#restarts.count})`;
    }
    if (this.#silentMs > this.#limits.deadlineMs / 2) {
      return `the sandbox has not answered for ${
        Math.round(this.#silentMs)
      } ms`;
    }
    return undefined;
  }

  /**
   * Starts the sandbox and loads every signature, one at a time under the
   * deadline. A signature that hangs or crashes while loading fails alone.
   */
  async start(): Promise<LoadOutcome[]> {
    this.#watchdog = setInterval(() => this.#checkDeadline(), this.#tickMs);
    return await this.#spawnAndLoad();
  }

  /**
   * Spawns the sandbox process and loads the signatures not quarantined. A
   * signature that fails to load is quarantined; one that hangs, crashes the
   * process or holds too much memory while loading also costs a restart.
   */
  async #spawnAndLoad(): Promise<LoadOutcome[]> {
    const outcomes: LoadOutcome[] = [];
    let loaded = false;
    while (!loaded) {
      this.#spawn();
      const { memoryMiB } = this.#limits;
      for (const frame of sharedFrames(this.#program, memoryMiB)) {
        this.#write(frame);
      }
      loaded = true;
      for (let index = 0; index < this.#signatures.length; index++) {
        if (this.#blame.quarantined.has(index)) continue;
        const outcome = await this.#load(index);
        outcomes[index] = outcome;
        if (outcome.ok) continue;
        const death = this.#loads.takeDeath();
        if (death === undefined || death.signature !== undefined) {
          this.#blame.quarantine(index);
        }
        if (this.#process === undefined) {
          if (this.#closed) return outcomes;
          // The signatures loaded before it died with the process: start
          // again without the culprit.
          await this.#backoff({
            cause: death?.cause ?? "the sandbox process ended",
            signature: death?.signature,
          });
          loaded = false;
          break;
        }
      }
    }
    return outcomes;
  }

  /** Counts and reports a restart, then waits before it (longer each time). */
  async #backoff(restart: Omit<SandboxRestart, "count">): Promise<void> {
    await this.#restarts.next((count) =>
      this.#notify(() => this.#options.onRestart?.({ ...restart, count }))
    );
  }

  /**
   * Evaluates a batch. `routes` maps a signature to the indexes of the events
   * it receives. Resolves when every signature has answered or been skipped.
   */
  evaluate(
    events: string[],
    routes: Map<number, number[]>,
  ): Promise<BatchResult> {
    for (const signature of this.#blame.quarantined) routes.delete(signature);
    const idle = this.#batches.size === 0;
    const { done, batch } = this.#batches.open(events, routes);
    if (batch) {
      if (idle) this.#clock.progress();
      if (!this.#restarting) this.#send(batch);
    }
    return done;
  }

  /**
   * Resolves when the batches sent so far have been written to the sandbox
   * process. A pipe holds 64 KiB and is written to only while this event
   * loop is idle; awaiting this after each batch keeps a batch from waiting
   * in the pipe while the host parses the next one.
   */
  async written(): Promise<void> {
    await this.#process?.written();
  }

  /** Stops the sandbox process. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    const process = this.#process;
    this.#process = undefined;
    await process?.close(2000);
    this.#batches.resolveAll();
  }

  #spawn(): void {
    const process = new SandboxProcess({
      memoryMiB: this.#limits.memoryMiB,
      dataLimitMiB: this.#limits.dataLimitMiB,
    }, {
      onMessage: (message) => this.#onMessage(message),
      onStderr: (line) => this.#notify(() => this.#options.onDebug?.(line)),
      onFault: (fault) => this.#recover(fault),
    });
    if (!process.capped) {
      this.#options.onDebug?.(
        "prlimit (util-linux) not found: the sandbox's memory is capped per isolate only",
      );
    }
    this.#process = process;
    this.#loads.restart();
    for (const listener of this.#spawnListeners) listener(process.pid);
    this.#clock.progress();
  }

  /**
   * Handles a frame. Only an answer to the outstanding work counts as
   * progress: the loading signature's, or one for the oldest batch.
   */
  #onMessage(message: SandboxMessage): void {
    switch (message.type) {
      case FrameType.Loaded:
        if (this.#loads.answer(message.index, message.text)) {
          this.#clock.progress();
        }
        return;
      case FrameType.Result: {
        const recorded = this.#batches.record(message);
        if (recorded) this.#clock.progress();
        if (recorded !== undefined) this.#settle();
        return;
      }
      case FrameType.Log: {
        const path = this.#signatures[message.index]?.path;
        if (path === undefined) return;
        this.#notify(() =>
          this.#options.onLog?.(message.index, message.text, path)
        );
        return;
      }
    }
  }

  /** Calls back the embedder; its failure must not cost the sandbox. */
  #notify(call: () => void): void {
    callSafely(call, this.#options.onDebug);
  }

  /** Resolves the batches every signature has answered. */
  #settle(): void {
    // The next batch's time starts now.
    if (this.#batches.settle()) this.#clock.progress();
  }

  /**
   * Loads one signature; refuses it, killing the process, when the
   * process's data memory grew by more than one isolate and its heap cap
   * (see `measureLoad`).
   */
  async #load(index: number): Promise<LoadOutcome> {
    const pid = this.#process?.pid;
    const held = pid === undefined ? undefined : measureLoad(pid, {
      firstLoad: this.#loads.answered === 0,
      typescript: this.#signatures[index]?.kind === "typescript",
    });
    const outcome = await this.#sendLoad(index);
    const mib = held?.();
    if (!outcome.ok || mib === undefined || mib <= this.#limits.memoryMiB) {
      return outcome;
    }
    const error =
      `it held ${mib} MiB after loading, more than its ${this.#limits.memoryMiB} MiB`;
    this.#loads.fail(error, {
      cause: `Vigil killed the sandbox process: a signature ${error.slice(3)}`,
      signature: index,
    });
    this.#kill();
    return { ok: false, error };
  }

  #sendLoad(index: number): Promise<LoadOutcome> {
    const signature = this.#signatures[index]!;
    const loaded = this.#loads.begin(index);
    this.#clock.progress();
    this.#write(loadFrame(signature, index, this.#limits.memoryMiB));
    return loaded;
  }

  #send(batch: PendingBatch): void {
    this.#write(
      encodeBatch(batch.id, batch.events, batch.routes, batch.isolated),
    );
  }

  #write(frame: Uint8Array): void {
    this.#process?.write(frame);
  }

  /**
   * Kills the sandbox when the outstanding work got no answer within the
   * deadline (of the sandbox's own time, see `DeadlineClock`).
   */
  #checkDeadline(): void {
    const loading = this.#loads.current !== undefined;
    const [limit, what] = loading
      ? [this.#limits.loadDeadlineMs, "load deadline"]
      : [this.#limits.deadlineMs, "deadline"];
    const elapsed = this.#clock.tick(this.#process?.pid, limit);
    this.#silentMs = loading || this.#batches.size === 0 ? 0 : elapsed;
    if (this.#closed || (this.#restarting && !loading)) return;
    if (!loading && this.#batches.size === 0) return;
    if (elapsed > limit) {
      this.#recover({
        reason: `exceeded the ${limit} ms ${what}`,
        cause:
          `Vigil killed the sandbox process: no answer within the ${limit} ms ${what}`,
        external: false,
      });
    }
  }

  /** Kills the current process; its exit is then not treated as a crash. */
  #kill(): void {
    this.#process?.kill();
    this.#process = undefined;
  }

  /**
   * Handles a hang or crash: the signature running at the time (the loading
   * one, or the first unanswered route of the oldest batch) is charged, the
   * process restarted, and the unanswered work sent again. When the oldest
   * batch was in fast mode and the culprit is not certain, or the process
   * was killed from outside, no one is named yet: the batch is sent again
   * isolated, and a repeat names the culprit.
   */
  #recover(fault: Fault): void {
    if (this.#closed) return;
    const loading = this.#loads.current;
    if (loading !== undefined) {
      this.#recoverLoad(loading, fault);
      return;
    }
    if (this.#restarting) return;
    this.#restarting = true;
    const { culprit, unsure } = this.#blame.judgeBatch(
      this.#batches.oldest,
      fault,
      this.#batches.size,
    );
    if (unsure) {
      this.#options.onDebug?.(
        `sandbox ${fault.reason} with no certain culprit; retrying the batch isolated`,
      );
    }
    this.#kill();
    if (culprit !== undefined) {
      const quarantined = this.#blame.charge(culprit);
      this.#batches.report({
        signature: culprit,
        reason: fault.reason,
        quarantined,
      });
      this.#batches.skip(culprit, fault.reason, this.#limits.deadlineMs * 1000);
    }
    this.#restart(fault.cause, culprit);
  }

  /** Restarts the process after a fault and sends the unanswered work. */
  async #restart(cause: string, culprit: number | undefined): Promise<void> {
    await this.#backoff({ cause, signature: culprit });
    if (this.#closed) return;
    const outcomes = await this.#spawnAndLoad();
    this.#restarting = false;
    outcomes.forEach((outcome, signature) => {
      if (outcome.ok) return;
      this.#batches.report({
        signature,
        reason: `could not be loaded again after a restart: ${outcome.error}`,
        quarantined: true,
      });
    });
    this.#batches.drop(this.#blame.quarantined);
    this.#settle();
    for (const batch of this.#batches) this.#send(batch);
    this.#clock.progress();
  }

  /**
   * A fault while a signature loads fails its load, unless the process was
   * killed from outside for the first time during it: then it is loaded
   * again after the restart.
   */
  #recoverLoad(index: number, fault: Fault): void {
    const signature = this.#blame.judgeLoad(index, fault);
    this.#kill();
    this.#loads.fail(`it ${fault.reason}`, { cause: fault.cause, signature });
  }
}
