/**
 * Counters kept as plain numbers where things happen, and read only when
 * metrics are scraped: counting costs a map update, not a metrics library
 * call.
 *
 * @module
 */

/**
 * A counter by label values, e.g. suppressed findings by signature.
 *
 * @example Count and read
 * ```ts
 * import assert from "node:assert/strict";
 * import { LabelledCounter } from "./counter.ts";
 *
 * const suppressed = new LabelledCounter<"signature">();
 * suppressed.inc({ signature: "VGL-1" });
 * suppressed.inc({ signature: "VGL-1" }, 2);
 * assert.deepEqual([...suppressed.entries()], [[{ signature: "VGL-1" }, 3]]);
 * ```
 */
export class LabelledCounter<Label extends string> {
  #counts = new Map<string, { labels: Record<Label, string>; value: number }>();

  /** Adds `by` (default 1) to the count of `labels`. */
  inc(labels: Record<Label, string>, by = 1): void {
    const key = JSON.stringify(labels);
    const entry = this.#counts.get(key);
    if (entry) entry.value += by;
    else this.#counts.set(key, { labels: { ...labels }, value: by });
  }

  /** Each label set counted so far, with its count. */
  *entries(): IterableIterator<[Record<Label, string>, number]> {
    for (const { labels, value } of this.#counts.values()) {
      yield [labels, value];
    }
  }
}

/**
 * The counters that parts of Vigil increment themselves; everything else
 * the metrics show is read from the engine, the source and the outputs.
 */
export class SensorMetrics {
  /** Findings an exception silenced, by signature id. */
  readonly findingsSuppressed = new LabelledCounter<"signature">();
}
