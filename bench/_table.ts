/**
 * Formats bench rows as one plain-text table: each row with its baseline and
 * the ratio of the two.
 *
 * @module
 */

import type { BenchRow } from "./_row.ts";

/** A number with 3 significant digits, or thousands-grouped when large. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return "-";
  if (Math.abs(value) >= 1000) {
    return Math.round(value).toLocaleString("en-US");
  }
  return Number(value.toPrecision(3)).toString();
}

/** The table: section, name, value, unit, baseline, baseline value, ratio. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = [
    ["SECTION", "WHAT", "VALUE", "UNIT", "BASELINE", "BASE VALUE", "RATIO"],
    ...rows.map((row) => [
      row.section,
      row.name,
      formatValue(row.value),
      row.unit,
      row.baseline?.name ?? "",
      row.baseline ? formatValue(row.baseline.value) : "",
      row.baseline && row.baseline.value !== 0
        ? `${formatValue(row.value / row.baseline.value)}x`
        : "",
    ]),
  ];
  const numeric = new Set([2, 5, 6]);
  const widths = cells[0]!.map((_, column) =>
    Math.max(...cells.map((line) => line[column]!.length))
  );
  const lines = cells.map((line) =>
    line.map((cell, i) =>
      numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)
    ).join("  ").trimEnd()
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines.join("\n");
}
