/**
 * Printers: events in Tracee's JSON lines or table, to stdout or a file. A
 * file is opened again by path on `reopen()` (logrotate's `postrotate`
 * sends SIGUSR1), so nothing is written to a file that was moved away.
 *
 * @module
 */

import { formatEventJson, type TraceeEvent } from "../event/mod.ts";
import type {
  OutputContext,
  OutputSink,
  OutputSpec,
  OutputStats,
} from "./output.ts";
import { formatTableHeader, formatTableRow } from "./table.ts";

/** The printed formats. */
export const PrintFormat = { Json: "json", Table: "table" } as const;

/** One of {@linkcode PrintFormat}'s values. */
export type PrintFormat = typeof PrintFormat[keyof typeof PrintFormat];

function openFile(path: string, truncate: boolean): Deno.FsFile {
  return Deno.openSync(path, {
    write: true,
    create: true,
    ...(truncate ? { truncate: true } : { append: true }),
  });
}

/**
 * Opens a printer to `spec.target` (a file, created or truncated) or to
 * stdout. A failed write costs its lines, counted as dropped, and is said
 * once until a write succeeds again; it never stops the run.
 */
export function openPrinter(
  format: PrintFormat,
  spec: OutputSpec,
  context: OutputContext,
): Promise<OutputSink> {
  const path = spec.target;
  let file = path === undefined ? undefined : openFile(path, true);
  const encoder = new TextEncoder();
  const toLine = format === PrintFormat.Json
    ? (event: TraceeEvent, json?: string) => json ?? formatEventJson(event)
    : formatTableRow;
  const header = format === PrintFormat.Table ? [formatTableHeader()] : [];
  let lines: string[] = [...header];
  /** Events among `lines` (the rest are headers). */
  let events = 0;
  const stats: OutputStats = { written: 0, failed: 0, dropped: 0, queued: 0 };
  let failing = false;
  let closed = false;
  // Written synchronously: an asynchronous write costs a hop to another
  // thread and back, which the engine waits for before its next batches.
  // Printing every file open of a 500k/s flood: 250-320k -> 350-370k events
  // handled in 3 s (same minutes).
  const flush = () => {
    if (lines.length === 0) return Promise.resolve();
    let bytes = encoder.encode(lines.join("\n") + "\n");
    const count = events;
    lines = [];
    events = 0;
    const sink = file ?? Deno.stdout;
    try {
      while (bytes.length > 0) bytes = bytes.subarray(sink.writeSync(bytes));
      stats.written += count;
      failing = false;
    } catch (error) {
      stats.failed++;
      stats.dropped += count;
      if (!failing) {
        context.warn(
          `Output ${spec.text}: cannot write (${
            error instanceof Error ? error.message : String(error)
          }); its events are dropped and counted until a write succeeds`,
        );
      }
      failing = true;
    }
    return Promise.resolve();
  };
  return Promise.resolve({
    name: spec.text,
    write(event, json) {
      lines.push(toLine(event, json));
      events++;
    },
    flush,
    stats: () => ({ ...stats }),
    reopen() {
      if (path === undefined || closed) return;
      void flush();
      try {
        const next = openFile(path, false);
        file?.close();
        file = next;
        if (next.statSync().size === 0) lines.push(...header);
      } catch (error) {
        context.warn(
          `Output ${spec.text}: cannot reopen ${path} (${
            error instanceof Error ? error.message : String(error)
          }); writing on to the file already open`,
        );
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await flush();
      file?.close();
    },
  });
}
