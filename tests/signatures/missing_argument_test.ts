/**
 * A built-in signature must not go silent because an optional argument is
 * missing. Every positive fixture is replayed once per argument of each
 * event its signatures read, with that one argument removed, and must give
 * the same findings, unless the argument is one the signature needs for a
 * detection ({@linkcode REQUIRED}). Streams holding program starts are also
 * replayed with one kind of start event kept, so that each start event is
 * the only witness of its start once.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  EXPECTED_COUNTS,
  fixtureLines,
  oneKindCounts,
  START_KINDS,
  START_WATCHERS,
  type StartKind,
  withOnlyStartKind,
} from "./_fixtures.ts";
import {
  type EventObject,
  parseLines,
  replayEach,
  type StreamFinding,
} from "./_namespaces.ts";

const START = [
  "execve",
  "execveat",
  "security_bprm_check",
  "sched_process_exec",
];

function each(names: string[], required: string[]): Record<string, string[]> {
  return Object.fromEntries(names.map((name) => [name, required]));
}

/**
 * The events each built-in reads, and for each the arguments without which
 * that event may not give its detection. Every argument not listed is
 * optional: removing it must not change what the signature reports.
 */
const REQUIRED: Record<string, Record<string, string[]>> = {
  "VGL-1": { ptrace: ["request"] },
  "VGL-2": {
    ptrace: ["request"],
    security_file_open: ["pathname", "flags"],
    process_vm_writev: ["pid"],
  },
  "VGL-3": { mem_prot_alert: ["alert"] },
  "VGL-4": {
    // The path exec was given: a memfd run by descriptor shows only later.
    ...each(["execve", "execveat"], ["pathname"]),
    security_bprm_check: ["pathname"],
    // pathname for a memfd, cmdpath for a script (pathname: its interpreter).
    sched_process_exec: ["pathname", "cmdpath"],
  },
  "VGL-5": {
    init_module: [],
    finit_module: [],
    security_kernel_read_file: ["type"],
  },
  "VGL-6": {
    // The environment; without exec-env it is a pointer, "0x0".
    ...each(["execve", "execveat", "security_bprm_check"], ["envp"]),
    sched_process_exec: ["env"],
    security_file_open: ["pathname", "flags"],
  },
  "VGL-7": {
    // The parent is the process name of these (busybox also needs argv).
    ...each(["execve", "execveat", "security_bprm_check"], ["pathname"]),
    sched_process_exec: ["pathname", "prev_comm"],
  },
  "VGL-8": { security_file_open: ["pathname", "flags"] },
  "VGL-9": { security_sb_mount: ["dev_name"] },
  "VGL-10": { magic_write: ["bytes"] },
  "VGL-11": { security_file_open: ["pathname", "flags"] },
  "VGL-12": { security_file_open: ["pathname", "flags"] },
  "VGL-13": { security_file_open: ["pathname", "flags"] },
  "VGL-14": { security_file_open: ["pathname", "flags"] },
  "VGL-15": { security_file_open: ["pathname", "flags"] },
  "VGL-16": {
    // The binary is known from any start event, or the unlinker's executable.
    ...each(START, []),
    sched_process_fork: ["parent_pid", "child_pid"],
    sched_process_exit: [],
    unlink: ["pathname"],
    unlinkat: ["pathname"],
  },
  "VGL-17": {
    ...each(START, ["pathname"]),
    // connect and security_socket_connect each show the connection.
    connect: ["sockfd", "addr"],
    security_socket_connect: ["sockfd", "remote_addr"],
    dup: ["oldfd"],
    dup2: ["oldfd", "newfd"],
    dup3: ["oldfd", "newfd"],
    sched_process_fork: ["parent_pid", "child_pid"],
    sched_process_exit: [],
  },
  "VGL-18": {
    // The file by device and inode, or by path (execve has only the path).
    magic_write: ["bytes", "pathname", "dev", "inode"],
    ...each(["execve", "execveat"], ["pathname"]),
    ...each(["security_bprm_check", "sched_process_exec"], ["dev", "inode"]),
  },
};

/** A stream of a positive fixture: whole, or with one kind of start kept. */
interface Stream {
  name: string;
  events: EventObject[];
  expected: Record<string, number>;
  /** The event names whose arguments are removed in turn. */
  varied: Set<string>;
}

/** One replay: `stream` without argument `arg` of event `index`. */
interface Variant {
  stream: Stream;
  index: number;
  arg: string;
}

async function positiveStreams(): Promise<Stream[]> {
  const streams: Stream[] = [];
  for (const [file, expected] of Object.entries(EXPECTED_COUNTS)) {
    const ids = Object.keys(expected);
    if (ids.length === 0) continue;
    const lines = await fixtureLines(file);
    const read = new Set(ids.flatMap((id) => Object.keys(REQUIRED[id] ?? {})));
    streams.push({
      name: file,
      events: parseLines(lines),
      expected,
      varied: read,
    });
    if (!ids.some((id) => START_WATCHERS.has(id))) continue;
    // A start event is varied where it is its start's only witness.
    for (const kind of Object.keys(START_KINDS) as StartKind[]) {
      const names = new Set<string>(START_KINDS[kind]);
      streams.push({
        name: `${file} with ${kind} only`,
        events: parseLines(withOnlyStartKind(lines, kind)),
        expected: oneKindCounts(file, kind),
        varied: new Set([...read].filter((name) => names.has(name))),
      });
    }
  }
  return streams;
}

function variantsOf(stream: Stream): Variant[] {
  return stream.events.flatMap((event, index) =>
    stream.varied.has(event.eventName)
      ? event.args.map(({ name }) => ({ stream, index, arg: name }))
      : []
  );
}

function without(event: EventObject, arg: string): EventObject {
  const args = event.args.filter(({ name }) => name !== arg);
  return { ...event, argsNum: args.length, args };
}

function countById(findings: StreamFinding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { id } of findings) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

/** Whether `finding` was triggered by `event`. */
function triggeredBy(finding: StreamFinding, event: EventObject): boolean {
  return finding.hostProcessId === event.hostProcessId &&
    BigInt(finding.timestamp) === BigInt(event.timestamp as bigint);
}

/** Streams per engine run: enough to amortise its start, few enough to keep memory small. */
const EVENTS_PER_RUN = 40_000;

Deno.test("removing one argument of an event loses a finding only where the argument is required", async () => {
  const streams = await positiveStreams();
  const baselines = await replayEach(streams.map((stream) => stream.events));
  assert.deepEqual(baselines.errors, []);
  for (const [i, stream] of streams.entries()) {
    assert.deepEqual(
      countById(baselines.findings[i]!),
      stream.expected,
      stream.name,
    );
  }
  const baselineOf = new Map(
    streams.map((stream, i) => [stream, baselines.findings[i]!]),
  );
  const variants = streams.flatMap(variantsOf);
  const problems: string[] = [];
  /**
   * Required arguments removed from an event that triggered the signature,
   * and whether the event then failed to trigger it at least once.
   */
  const exercised = new Map<string, boolean>();
  for (let first = 0; first < variants.length;) {
    const batch: Variant[] = [];
    let events = 0;
    while (first < variants.length && events < EVENTS_PER_RUN) {
      const variant = variants[first++]!;
      batch.push(variant);
      events += variant.stream.events.length;
    }
    const result = await replayEach(
      batch.map(({ stream, index, arg }) =>
        stream.events.map((event, i) =>
          i === index ? without(event, arg) : event
        )
      ),
    );
    assert.deepEqual(result.errors, []);
    assert.equal(result.malformed, 0);
    for (const [i, { stream, index, arg }] of batch.entries()) {
      const event = stream.events[index]!;
      const baseline = baselineOf.get(stream)!;
      const before = countById(baseline);
      const after = countById(result.findings[i]!);
      for (
        const id of new Set([...Object.keys(before), ...Object.keys(after)])
      ) {
        const [was, is] = [before[id] ?? 0, after[id] ?? 0];
        const required = REQUIRED[id]?.[event.eventName]?.includes(arg);
        const where =
          `${stream.name}: ${id} without ${event.eventName}.${arg} (event ${index})`;
        if (!required && is !== was) problems.push(`${where}: ${was} -> ${is}`);
        if (required && is > was) problems.push(`${where}: ${was} -> ${is}`);
        const triggers = (findings: StreamFinding[]) =>
          findings.some((f) => f.id === id && triggeredBy(f, event));
        if (required && triggers(baseline)) {
          const key = `${id} ${event.eventName}.${arg}`;
          const needed = !triggers(result.findings[i]!);
          exercised.set(key, (exercised.get(key) ?? false) || needed);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
  // A required argument is needed by at least one of the events it was
  // removed from: the table claims no more than the signatures need.
  const neverNeeded = [...exercised].filter(([, lost]) => !lost).map(([key]) =>
    key
  );
  assert.deepEqual(neverNeeded, []);
  assert.ok(variants.length > 1000, `only ${variants.length} variants`);
});
