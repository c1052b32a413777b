/**
 * The human table format: one line per event, columns as Tracee's table.
 *
 * @module
 */

import { stringifyJson, type TraceeEvent } from "../event/mod.ts";
import { printable } from "./printable.ts";

const COLUMNS = [
  ["TIME", 18],
  ["UID", 6],
  ["COMM", 16],
  ["PID", 8],
  ["TID", 8],
  ["RET", 8],
  ["EVENT", 26],
] as const;

function formatTime(timestamp: number | bigint): string {
  const nanos = BigInt(timestamp);
  const date = new Date(Number(nanos / 1_000_000n));
  const micros = String(nanos % 1_000_000_000n / 1000n).padStart(6, "0");
  return `${date.toISOString().slice(11, 19)}.${micros}`;
}

function cell(text: string, width: number): string {
  return text.length >= width
    ? `${text.slice(0, width - 1)} `
    : text.padEnd(width);
}

/** The header line. */
export function formatTableHeader(): string {
  return COLUMNS.map(([name, width]) => cell(name, width)).join("") + "ARGS";
}

/**
 * One event as a table line; a finding's arguments are its data. Every text
 * is `printable`: nothing in an event can end the line or forge another.
 */
export function formatTableRow(event: TraceeEvent): string {
  const values = [
    formatTime(event.timestamp),
    String(event.userId),
    event.processName,
    String(event.hostProcessId),
    String(event.hostThreadId),
    String(event.returnValue),
    event.eventName,
  ];
  const args = event.args.map((arg) =>
    `${arg.name}: ${
      typeof arg.value === "string" ? arg.value : stringifyJson(arg.value)
    }`
  ).join(", ");
  return values.map((value, i) => cell(printable(value), COLUMNS[i]![1]))
    .join("") + printable(args);
}
