/**
 * Per-signature health: what each signature received, found, failed on, cost,
 * and how often it was killed; and the limits that keep one signature from
 * drowning the output.
 *
 * @module
 */

import type { LoadedSignature } from "../model/mod.ts";

/** Counters of one signature. */
export interface SignatureHealth {
  /** Events sent to the signature. */
  events: number;
  /** Findings accepted. */
  findings: number;
  /** Findings dropped by the rate limit. */
  dropped: number;
  /** Findings whose data was too large and was replaced. */
  truncated: number;
  /** Events or batches the signature failed on (throws, bad results). */
  failures: number;
  /** Times its sandbox was killed for it (deadline or crash). */
  kills: number;
  /** Time spent evaluating, in microseconds. */
  micros: number;
  quarantined: boolean;
}

/** A token bucket: `rate` findings per second, bursts up to `rate`. */
class RateLimit {
  #rate: number;
  #tokens: number;
  #last = performance.now();

  constructor(rate: number) {
    this.#rate = rate;
    this.#tokens = rate;
  }

  take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(
      this.#rate,
      this.#tokens + (now - this.#last) / 1000 * this.#rate,
    );
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }
}

/**
 * Health counters and finding limits of every signature, and how often the
 * sandbox process they share was restarted.
 */
export class HealthTable {
  #rows = new Map<
    number,
    { signature: LoadedSignature; health: SignatureHealth; limit: RateLimit }
  >();
  #restarts: () => number;

  /**
   * @param signatures The loaded signatures.
   * @param findingsPerSecond Findings accepted per signature per second.
   * @param restarts How many times the sandbox process was restarted so far.
   * @param previous The table of the signatures these replace (a reload): a
   * signature with the same id keeps its counters and rate limit, shared
   * with that table, and leaves quarantine (its new sandbox runs it again).
   */
  constructor(
    signatures: readonly LoadedSignature[],
    findingsPerSecond: number,
    restarts: () => number = () => 0,
    previous?: HealthTable,
  ) {
    this.#restarts = restarts;
    const carried = new Map(
      [...(previous ? previous.#rows.values() : [])].map((row) => [
        row.signature.metadata.id,
        row,
      ]),
    );
    for (const signature of signatures) {
      const row = carried.get(signature.metadata.id);
      if (row) {
        row.health.quarantined = false;
        this.#rows.set(signature.index, { ...row, signature });
        continue;
      }
      this.#rows.set(signature.index, {
        signature,
        limit: new RateLimit(findingsPerSecond),
        health: {
          events: 0,
          findings: 0,
          dropped: 0,
          truncated: 0,
          failures: 0,
          kills: 0,
          micros: 0,
          quarantined: false,
        },
      });
    }
  }

  /** The counters of the signature with sandbox index `index`. */
  get(index: number): SignatureHealth | undefined {
    return this.#rows.get(index)?.health;
  }

  /** Every signature with its counters, in load order. */
  entries(): [LoadedSignature, SignatureHealth][] {
    return [...this.#rows.values()].map((
      { signature, health },
    ) => [signature, health]);
  }

  /** Whether a finding of this signature fits its rate limit (counts it either way). */
  withinFindingRate(index: number): boolean {
    const row = this.#rows.get(index);
    if (!row) return false;
    if (row.limit.take()) {
      row.health.findings++;
      return true;
    }
    row.health.dropped++;
    return false;
  }

  /** How many times the sandbox process was restarted so far. */
  get restarts(): number {
    return this.#restarts();
  }

  /**
   * A table of every signature's counters, one line each, then the sandbox
   * process's restarts.
   */
  format(): string {
    const header = [
      "SIGNATURE",
      "EVENTS",
      "FINDINGS",
      "DROPPED",
      "TRUNCATED",
      "FAILURES",
      "KILLS",
      "TIME_MS",
      "STATE",
    ];
    const rows = this.entries().map(([signature, health]) => [
      signature.metadata.id,
      String(health.events),
      String(health.findings),
      String(health.dropped),
      String(health.truncated),
      String(health.failures),
      String(health.kills),
      (health.micros / 1000).toFixed(1),
      health.quarantined ? "quarantined" : "ok",
    ]);
    const all = [header, ...rows];
    const widths = header.map((_, i) =>
      Math.max(...all.map((row) => row[i]!.length))
    );
    return [
      ...all.map((row) =>
        row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()
      ),
      `sandbox restarts: ${this.restarts}`,
    ].join("\n");
  }
}
