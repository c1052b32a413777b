/**
 * One measured figure of a benchmark, as bench modules return them.
 *
 * @module
 */

/** A measured value, optionally with the baseline it is compared to. */
export interface BenchRow {
  /** The benchmark group, e.g. `kernel source`. */
  section: string;
  /** What was measured. */
  name: string;
  value: number;
  /** e.g. `events/s`, `%`. */
  unit: string;
  /** The same figure without the thing under test, from the same run. */
  baseline?: { name: string; value: number };
}
