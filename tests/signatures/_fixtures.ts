/**
 * The event fixtures of the built-in signatures and what each must trigger
 * (tests/fixtures/events/expected.json and expected_data.json).
 *
 * @module
 */

import { ROOT } from "../_helpers/replay.ts";

/** The directory of the fixture streams. */
export const FIXTURES = `${ROOT}tests/fixtures/events`;

/** One expected finding: the signature id and its data (`true`: none). */
export interface ExpectedFinding {
  id: string;
  data: Record<string, unknown> | true;
}

/** `{"<file>": {"<signature id>": <count>}}`. */
export const EXPECTED_COUNTS = JSON.parse(
  await Deno.readTextFile(`${FIXTURES}/expected.json`),
) as Record<string, Record<string, number>>;

/** `{"<file>": [{id, data}]}`, in stream order. */
export const EXPECTED_FINDINGS = JSON.parse(
  await Deno.readTextFile(`${FIXTURES}/expected_data.json`),
) as Record<string, ExpectedFinding[]>;

/** The lines of a fixture stream. */
export async function fixtureLines(file: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${FIXTURES}/${file}`);
  return text.split("\n").filter((line) => line !== "");
}

/**
 * The events a program start can appear as, by kind: a Tracee that selected
 * only one kind gives streams with only those.
 */
export const START_KINDS = {
  call: ["execve", "execveat"],
  security_bprm_check: ["security_bprm_check"],
  sched_process_exec: ["sched_process_exec"],
} as const;

/** A kind of program-start event. */
export type StartKind = keyof typeof START_KINDS;

const START_EVENT_NAMES = new Set<string>(Object.values(START_KINDS).flat());

/** The event name of a fixture line. */
export function eventNameOf(line: string): string {
  return (JSON.parse(line) as { eventName: string }).eventName;
}

/** `lines` without the program-start events of every kind but `kind`. */
export function withOnlyStartKind(lines: string[], kind: StartKind): string[] {
  const kept = new Set<string>(START_KINDS[kind]);
  return lines.filter((line) => {
    const name = eventNameOf(line);
    return !START_EVENT_NAMES.has(name) || kept.has(name);
  });
}

/** The built-ins that watch program starts. */
export const START_WATCHERS = new Set([
  "VGL-4",
  "VGL-6",
  "VGL-7",
  "VGL-16",
  "VGL-17",
  "VGL-18",
]);

/**
 * What a fixture gives when only one kind of program-start event is kept,
 * where that differs from the whole stream: the kind does not show a start.
 */
export const ONE_KIND_COUNTS: Record<
  string,
  Partial<Record<StartKind, Record<string, number>>>
> = {
  // execveat(fd, "", AT_EMPTY_PATH) names no path: the memfd shows later.
  "fileless_memfd.jsonl": { call: {} },
  "program_starts.jsonl": { call: { "VGL-4": 4, "VGL-6": 1, "VGL-7": 1 } },
  "program_starts_no_exec_env.jsonl": { call: { "VGL-4": 4, "VGL-7": 1 } },
  // Renamed after it was written: only its inode, which execve lacks, tells.
  "dropped_executable_renamed.jsonl": { call: { "VGL-10": 1 } },
};

/** The fixtures that exercise the start watchers, and the benign workload. */
export function startFixtures(): string[] {
  return Object.entries(EXPECTED_COUNTS)
    .filter(([file, counts]) =>
      file === "benign_workload.jsonl" ||
      Object.keys(counts).some((id) => START_WATCHERS.has(id))
    )
    .map(([file]) => file);
}

/** What `file` must give with only `kind` of program-start event kept. */
export function oneKindCounts(
  file: string,
  kind: StartKind,
): Record<string, number> {
  return ONE_KIND_COUNTS[file]?.[kind] ?? EXPECTED_COUNTS[file] ?? {};
}
