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

/**
 * The rows `measure` gives, or one row of `section` saying why they could
 * not be measured (no root, no BPF, no containerd), so one missing part
 * does not cost the rest of the table.
 */
export async function rowsOrWhy(
  section: string,
  measure: () => Promise<BenchRow[]>,
): Promise<BenchRow[]> {
  try {
    return await measure();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [{
      section,
      name: `not measured: ${message.split("\n")[0]}`,
      value: NaN,
      unit: "",
    }];
  }
}
