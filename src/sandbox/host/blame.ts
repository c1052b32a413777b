/**
 * Who is charged when the sandbox hangs or dies, and quarantine: a
 * signature charged `quarantineAfter` times receives no more events.
 *
 * The signature charged is the one the sandbox was surely running: the one
 * loading, or the first unanswered route of the oldest batch. When that is
 * not sure (fast mode), or the process was killed from outside for the first
 * time, no one is charged yet: the work is sent again, isolated, and a repeat
 * names the culprit.
 *
 * @module
 */

import type { PendingBatch } from "./batches.ts";
import type { Fault, SandboxSignature } from "./types.ts";

/** The outcome of a fault while a batch was in flight. */
export interface BatchVerdict {
  /** The signature charged, if any. */
  culprit: number | undefined;
  /** Whether no one was charged because the culprit was not sure. */
  unsure: boolean;
}

/** Offences per signature, and the quarantined signatures. */
export class Blame {
  #signatures: readonly SandboxSignature[];
  #quarantineAfter: number;
  #offences: number[];
  #quarantined = new Set<number>();
  /** Signatures whose load was already interrupted by a kill from outside. */
  #sparedLoads = new Set<number>();

  constructor(
    signatures: readonly SandboxSignature[],
    quarantineAfter: number,
  ) {
    this.#signatures = signatures;
    this.#quarantineAfter = quarantineAfter;
    this.#offences = signatures.map(() => 0);
  }

  /** Signatures quarantined so far. */
  get quarantined(): ReadonlySet<number> {
    return this.#quarantined;
  }

  /** Sends no more events to `signature`. */
  quarantine(signature: number): void {
    this.#quarantined.add(signature);
  }

  /** Counts an offence of `signature`; returns whether it is now quarantined. */
  charge(signature: number): boolean {
    const quarantined = ++this.#offences[signature]! >= this.#quarantineAfter;
    if (quarantined) this.#quarantined.add(signature);
    return quarantined;
  }

  /**
   * Names the culprit of a fault while `oldest` was the oldest batch of
   * `inFlight`; when there is none to name yet, marks the batch to be sent
   * again isolated.
   */
  judgeBatch(
    oldest: PendingBatch | undefined,
    fault: Fault,
    inFlight: number,
  ): BatchVerdict {
    if (!oldest) return { culprit: undefined, unsure: false };
    if (fault.external && !oldest.spared) {
      oldest.spared = true;
      oldest.isolated = true;
      return { culprit: undefined, unsure: false };
    }
    if (!oldest.isolated && !this.#surelyRunning(oldest, inFlight)) {
      oldest.isolated = true;
      return { culprit: undefined, unsure: true };
    }
    return { culprit: oldest.routes.keys().next().value, unsure: false };
  }

  /**
   * Names the culprit of a fault while signature `index` loaded: none the
   * first time the process is killed from outside during its load.
   */
  judgeLoad(index: number, fault: Fault): number | undefined {
    if (!fault.external || this.#sparedLoads.has(index)) return index;
    this.#sparedLoads.add(index);
    return undefined;
  }

  /**
   * Whether the first unanswered route of `batch`, the oldest one sent in
   * fast mode, is surely what the sandbox is running. Not when a bundled
   * signature is unanswered (its bundle runs them all), nor when a TypeScript
   * signature's answer is awaited while later batches are in flight: the
   * sandbox's main thread may then be running a later batch's Rego, with that
   * answer queued behind it.
   */
  #surelyRunning(batch: PendingBatch, inFlight: number): boolean {
    const unanswered = [...batch.routes.keys()];
    if (unanswered.some((s) => this.#isBundled(s))) return false;
    const [first] = unanswered;
    return first === undefined || this.#signatures[first]?.kind === "rego" ||
      inFlight === 1;
  }

  #isBundled(signature: number): boolean {
    const spec = this.#signatures[signature];
    return spec?.kind === "rego" && "bundle" in spec;
  }
}
