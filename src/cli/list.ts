/**
 * The `list` command's table of signatures.
 *
 * @module
 */

import type { LoadedSignature } from "../model/mod.ts";
import { printable } from "../output/mod.ts";

function mitre(properties: Record<string, unknown>): string {
  const value = properties["MITRE ATT&CK"];
  return typeof value === "string" ? value : "";
}

/** One line per signature: id, name, event, version, severity, MITRE, selected events. */
export function formatSignatureList(
  signatures: readonly LoadedSignature[],
): string {
  // Properties and argument names are free-form: escaped, so that none can
  // start a line of its own.
  const rows = [
    ["ID", "NAME", "EVENT", "VERSION", "SEVERITY", "MITRE ATT&CK", "SELECTS"],
    ...signatures.map((s) =>
      [
        s.metadata.id,
        s.metadata.name,
        s.metadata.eventName,
        s.metadata.version,
        String(s.metadata.properties.Severity ?? ""),
        mitre(s.metadata.properties),
        s.selectors.map((sel) =>
          `${sel.name}${sel.origin === "*" ? "" : `@${sel.origin}`}${
            sel.args.length === 0
              ? ""
              : `(${sel.args.map((a) => a.name).join(",")})`
          }`
        ).join(","),
      ].map(printable)
    ),
  ];
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => row[column]!.length))
  );
  return rows.map((row) =>
    row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()
  )
    .join("\n");
}
