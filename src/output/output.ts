/**
 * Where events go: printers in Tracee's formats, to stdout or a file.
 *
 * @module
 */

import { formatEventJson, type TraceeEvent } from "../event/mod.ts";
import { formatTableHeader, formatTableRow } from "./table.ts";

/** The output formats. */
export const OutputFormat = { Json: "json", Table: "table" } as const;

/** One of {@linkcode OutputFormat}'s values. */
export type OutputFormat = typeof OutputFormat[keyof typeof OutputFormat];

/** A sink for events. Writes are buffered until `flush`. */
export interface EventOutput {
  /**
   * Buffers `event`; `json`, when given, is `formatEventJson(event)` already
   * written (the JSON format reuses it).
   */
  write(event: TraceeEvent, json?: string): void;
  /** Writes what is buffered. */
  flush(): Promise<void>;
  /** Flushes and releases the destination. Idempotent. */
  close(): Promise<void>;
}

/** An `--output` value: a format and an optional file. */
export interface OutputSpec {
  format: OutputFormat;
  path?: string;
}

/**
 * Parses `FORMAT[:PATH]`.
 *
 * @throws {RangeError} When the format is unknown.
 */
export function parseOutputSpec(text: string): OutputSpec {
  const colon = text.indexOf(":");
  const format = colon < 0 ? text : text.slice(0, colon);
  const path = colon < 0 ? undefined : text.slice(colon + 1);
  if (format !== OutputFormat.Json && format !== OutputFormat.Table) {
    throw new RangeError(
      `Cannot use output "${text}": the format must be json or table`,
    );
  }
  if (path === "") {
    throw new RangeError(
      `Cannot use output "${text}": the path after ":" is empty`,
    );
  }
  return path === undefined ? { format } : { format, path };
}

/** Opens an output; a file is created or truncated. */
export async function openOutput(spec: OutputSpec): Promise<EventOutput> {
  const file = spec.path === undefined
    ? undefined
    : await Deno.open(spec.path, { write: true, create: true, truncate: true });
  const sink = file ?? Deno.stdout;
  const encoder = new TextEncoder();
  const format = spec.format === OutputFormat.Json
    ? (event: TraceeEvent, json?: string) => json ?? formatEventJson(event)
    : formatTableRow;
  let lines: string[] = spec.format === OutputFormat.Table
    ? [formatTableHeader()]
    : [];
  let closed = false;
  // Written synchronously: an asynchronous write costs a hop to another
  // thread and back, which the engine waits for before its next batches.
  // Printing every file open of a 500k/s flood: 250-320k -> 350-370k events
  // handled in 3 s (same minutes).
  const flush = () => {
    if (lines.length === 0) return Promise.resolve();
    let bytes = encoder.encode(lines.join("\n") + "\n");
    lines = [];
    while (bytes.length > 0) bytes = bytes.subarray(sink.writeSync(bytes));
    return Promise.resolve();
  };
  return {
    write(event, json) {
      lines.push(format(event, json));
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      await flush();
      file?.close();
    },
  };
}
