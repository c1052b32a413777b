/**
 * Many event streams replayed through the real engine as one: each stream
 * is renamed into a namespace of its own (host pids and fork pid arguments
 * offset, container ids suffixed), so that no signature's state carries
 * from one stream to the next, and findings are told apart by host pid.
 * One engine run for hundreds of streams instead of one each.
 *
 * @module
 */

import type { TraceeEvent } from "../../src/event/event.ts";
import { parseJsonExact, stringifyJson } from "../../src/event/json.ts";
import { replay } from "../_helpers/replay.ts";

/** Host pids of stream `k` are the fixture's plus `k * PID_SPACE`. */
const PID_SPACE = 100_000;
const HOST_PID_FIELDS = [
  "hostProcessId",
  "hostThreadId",
  "hostParentProcessId",
];
/** sched_process_fork's host ids (the `*_ns_*` ones are namespace ids). */
const HOST_PID_ARG_REGEXP = /^(?!.*_ns_).*_(?:pid|tid)$/;

/** An event as parsed from a fixture line (64-bit integers exact). */
export type EventObject = Record<string, unknown> & {
  eventName: string;
  args: { name: string; value: unknown }[];
};

/** Parses fixture lines exactly. */
export function parseLines(lines: string[]): EventObject[] {
  return lines.map((line) => parseJsonExact(line) as EventObject);
}

function renamed(event: EventObject, k: number): EventObject {
  const copy: EventObject = { ...event };
  const offset = k * PID_SPACE;
  for (const field of HOST_PID_FIELDS) {
    if (typeof copy[field] === "number") {
      copy[field] = (copy[field] as number) + offset;
    }
  }
  if (typeof copy.containerId === "string" && copy.containerId !== "") {
    copy.containerId = `${copy.containerId}-${k}`;
  }
  if (event.eventName === "sched_process_fork") {
    copy.args = event.args.map((arg) =>
      HOST_PID_ARG_REGEXP.test(arg.name) && typeof arg.value === "number"
        ? { ...arg, value: arg.value + offset }
        : arg
    );
  }
  return copy;
}

/** One finding of a stream: its signature and the triggering event's identity. */
export interface StreamFinding {
  id: string;
  /** The triggering event's timestamp and host pid, in the fixture's names. */
  timestamp: bigint | number;
  hostProcessId: number;
}

/** What replaying the streams gave: findings per stream, and engine errors. */
export interface NamespacedResult {
  findings: StreamFinding[][];
  errors: string[];
  malformed: number;
}

/**
 * Replays `streams` (each a list of events) through the built-in signatures
 * in one engine run, each stream in its own namespace.
 */
export async function replayEach(
  streams: EventObject[][],
): Promise<NamespacedResult> {
  const lines = streams.flatMap((events, k) =>
    events.map((event) => stringifyJson(renamed(event, k)))
  );
  // Far more findings than a real stream's: none may be rate-limited away.
  const { findings, errors, malformed } = await replay({
    lines,
    engine: { findingsPerSecond: Number.MAX_SAFE_INTEGER },
  });
  const byStream: StreamFinding[][] = streams.map(() => []);
  for (const finding of findings as TraceeEvent[]) {
    const k = Math.floor(finding.hostProcessId / PID_SPACE);
    byStream[k]?.push({
      id: String(finding.metadata?.Properties.signatureID),
      timestamp: finding.timestamp,
      hostProcessId: finding.hostProcessId - k * PID_SPACE,
    });
  }
  return { findings: byStream, errors, malformed };
}
