/**
 * The batches sent to the sandbox and not yet fully answered, oldest first,
 * with what each signature answered so far.
 *
 * @module
 */

import { readAnswer } from "./answer.ts";
import type { BatchResult, Offence } from "./types.ts";

/** A batch sent to the sandbox and not yet fully answered. */
export interface PendingBatch {
  id: number;
  events: string[];
  /** Signature → event indexes still unanswered, in send order. */
  routes: Map<number, number[]>;
  result: BatchResult;
  resolve: (result: BatchResult) => void;
  /**
   * Whether the sandbox answers strictly signature by signature. A batch is
   * first sent in fast mode, where bundled Rego signatures share one parse of
   * each event and answer together; if it hangs there, it is sent again
   * isolated, so that the culprit can be named.
   */
  isolated: boolean;
  /** Whether a kill from outside already came while it was pending. */
  spared: boolean;
}

/** One signature's answer for a batch, as the sandbox framed it. */
export interface BatchAnswer {
  batch: number;
  index: number;
  micros: number;
  text: string;
}

/** Batches in flight, oldest first. */
export class BatchesInFlight {
  #pending: PendingBatch[] = [];
  #nextId = 1;
  /** Offences that came while no batch was pending: reported with the next. */
  #unreported: Offence[] = [];

  /** How many batches are in flight. */
  get size(): number {
    return this.#pending.length;
  }

  /** The oldest batch in flight: the one the sandbox is surely running. */
  get oldest(): PendingBatch | undefined {
    return this.#pending[0];
  }

  [Symbol.iterator](): Iterator<PendingBatch> {
    return this.#pending[Symbol.iterator]();
  }

  /**
   * Opens a batch with the offences not reported yet. `batch` is undefined,
   * and `done` resolved at once, when no signature is routed an event.
   */
  open(
    events: string[],
    routes: Map<number, number[]>,
  ): { done: Promise<BatchResult>; batch: PendingBatch | undefined } {
    const result: BatchResult = {
      findings: [],
      failures: [],
      micros: new Map(),
      offences: this.#unreported.splice(0),
    };
    if (routes.size === 0) {
      return { done: Promise.resolve(result), batch: undefined };
    }
    let resolve!: (result: BatchResult) => void;
    const done = new Promise<BatchResult>((settle) => resolve = settle);
    const batch: PendingBatch = {
      id: this.#nextId++,
      events,
      routes,
      result,
      resolve,
      isolated: false,
      spared: false,
    };
    this.#pending.push(batch);
    return { done, batch };
  }

  /**
   * Records one signature's answer. Returns whether it answered the oldest
   * batch (progress on the outstanding work), or undefined when it answers
   * nothing in flight.
   */
  record(answer: BatchAnswer): boolean | undefined {
    const { batch: batchId, index: signature, micros, text } = answer;
    const batch = this.#pending.find((b) => b.id === batchId);
    const routed = batch?.routes.get(signature);
    if (!batch || !routed) return undefined;
    batch.routes.delete(signature);
    batch.result.micros.set(signature, micros);
    const { findings, failures } = readAnswer(signature, new Set(routed), text);
    batch.result.findings.push(...findings);
    batch.result.failures.push(...failures);
    return batch === this.#pending[0];
  }

  /** Stops waiting for `signatures`' answers (e.g. quarantined ones). */
  drop(signatures: Iterable<number>): void {
    for (const signature of signatures) {
      for (const batch of this.#pending) batch.routes.delete(signature);
    }
  }

  /** Resolves the batches every signature has answered; true if any. */
  settle(): boolean {
    const answered = this.#pending.filter((batch) => batch.routes.size === 0);
    this.#pending = this.#pending.filter((batch) => batch.routes.size > 0);
    for (const batch of answered) batch.resolve(batch.result);
    return answered.length > 0;
  }

  /** Reports an offence with the oldest batch, or with the next one opened. */
  report(offence: Offence): void {
    const batch = this.#pending[0];
    if (batch) batch.result.offences.push(offence);
    else this.#unreported.push(offence);
  }

  /**
   * Drops the culprit's share of the oldest batch, recording the failure
   * and charging it `micros` of time.
   */
  skip(culprit: number, reason: string, micros: number): void {
    const batch = this.#pending[0];
    if (!batch?.routes.has(culprit)) return;
    batch.routes.delete(culprit);
    batch.result.failures.push({
      signature: culprit,
      event: -1,
      message: `it ${reason}`,
    });
    batch.result.micros.set(culprit, micros);
  }

  /** Resolves every batch with what it has (the sandbox is closing). */
  resolveAll(): void {
    for (const batch of this.#pending.splice(0)) batch.resolve(batch.result);
  }
}
