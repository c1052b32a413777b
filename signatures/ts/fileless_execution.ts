/**
 * VGL-4: a program runs from memory or from a memory-backed directory.
 *
 * Stateful only to report a program start once, whichever of its events
 * (execve, execveat, security_bprm_check, sched_process_exec) the stream
 * carries.
 *
 * @module
 */

import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
  TraceeEvent,
} from "../../src/sdk/mod.ts";

/** What this signature reports; see the description for its limits. */
export const metadata: SignatureMetadata = {
  id: "VGL-4",
  version: "1.0.0",
  name: "Fileless execution",
  eventName: "fileless_execution",
  description:
    "A program was executed from an anonymous memory file (memfd_create, the binary path starts with memfd:) or from /dev/shm or /run/shm, where it leaves nothing on disk. Reported once per program start, from the first of its events that shows it: the path given to execve or execveat, the binary of security_bprm_check, or sched_process_exec's binary or command path (for a script, the path it was run by). An execveat of a memfd by descriptor shows the memfd only in the later two. On the host, runc re-executing itself from memfd:runc_cloned is expected and not reported. Misses scripts passed as an argument to an interpreter (python3 /dev/shm/x.py), other tmpfs mounts (/tmp, /run/user), execveat relative to a directory descriptor, and code loaded into a running process. Known false positives: software that deliberately runs sealed copies of itself from memfd (some container runtimes and self-updaters).",
  tags: ["linux", "defense-evasion"],
  properties: {
    Severity: 3,
    Category: "defense-evasion",
    Technique: "Reflective Code Loading",
    "MITRE ATT&CK": "T1620: Reflective Code Loading",
  },
};

/**
 * The events one program start can appear as in a Tracee stream: the exec
 * call (at entry, and again at exit when it failed), security_bprm_check
 * (once per binary handler: a script, then its interpreter) and
 * sched_process_exec. A stream may carry any of them.
 */
const START_EVENTS = [
  "execve",
  "execveat",
  "security_bprm_check",
  "sched_process_exec",
];

/** The events of one program start of a process, seen so far. */
interface Start {
  /** The latest timestamp among them. */
  last: bigint;
  /** sched_process_exec was seen: the next start event begins a new start. */
  running: boolean;
  /** The last exec call failed: the next (execvp's next PATH entry) is a retry. */
  failed: boolean;
  reported: boolean;
}

/** The most processes tracked; the oldest are forgotten first. */
const MAX_PROCESSES = 4096;
const starts = new Map<number, Start>();

function timeOf(event: TraceeEvent): bigint {
  const time = event.timestamp;
  if (typeof time === "bigint") return time;
  return Number.isSafeInteger(time) ? BigInt(time) : 0n;
}

/**
 * Whether an event at `time` belongs to `previous` rather than beginning a
 * start; `call` tells an exec call's event that is not a failure.
 */
function continues(previous: Start, time: bigint, call: boolean): boolean {
  // Delivered late, or stamped like the start's latest event.
  if (time !== 0n && time <= previous.last) return true;
  // A start ends at sched_process_exec; an exec call begins the next one,
  // unless it retries one that failed (execvp walking PATH).
  return !previous.running && (!call || previous.failed);
}

/**
 * The program start `event` (one of {@linkcode START_EVENTS}) belongs to, or
 * `undefined` for a failed exec call. An event no newer than the latest one
 * seen for the process belongs to its current start: streams need not be
 * sorted, and a sensor may stamp two events of one start alike (Vigil's
 * kernel source derives security_bprm_check from sched_process_exec's
 * record). A zero timestamp tells nothing.
 */
function programStart(event: TraceeEvent): Start | undefined {
  const time = timeOf(event);
  const call = event.eventName === "execve" || event.eventName === "execveat";
  const failed = call && Number(event.returnValue) < 0;
  const previous = starts.get(event.hostProcessId);
  const start = previous !== undefined &&
      continues(previous, time, call && !failed)
    ? previous
    : { last: time, running: false, failed: false, reported: false };
  if (time > start.last) start.last = time;
  if (event.eventName === "sched_process_exec") start.running = true;
  if (call) start.failed = failed;
  starts.delete(event.hostProcessId);
  starts.set(event.hostProcessId, start);
  if (starts.size > MAX_PROCESSES) {
    const oldest = starts.keys().next().value;
    if (oldest !== undefined) starts.delete(oldest);
  }
  return failed ? undefined : start;
}

/** Every program start, anywhere. */
export const selectedEvents: EventSelector[] = START_EVENTS.map((name) => ({
  source: "tracee",
  name,
  origin: "*",
}));

function argument(event: TraceeEvent, name: string): unknown {
  return event.args.find((arg) => arg.name === name)?.value;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function inShm(path: string): boolean {
  return path.startsWith("/dev/shm/") || path.startsWith("/run/shm/");
}

/** The memory-backed path `event` runs, if any. */
function filelessPath(event: TraceeEvent): string | undefined {
  const pathname = text(argument(event, "pathname"));
  // runc re-executes itself from a sealed memfd while it sets a container up.
  const runcOnHost = !event.containerId &&
    pathname.startsWith("memfd:runc_cloned");
  if (pathname.startsWith("memfd:") && !runcOnHost) return pathname;
  if (inShm(pathname)) return pathname;
  const cmdpath = text(argument(event, "cmdpath"));
  return inShm(cmdpath) ? cmdpath : undefined;
}

/** Reports the first event of a program start that runs from memory. */
export const onEvent: OnEvent = (event, report) => {
  const start = programStart(event);
  if (start === undefined || start.reported) return;
  const pathname = filelessPath(event);
  if (pathname === undefined) return;
  start.reported = true;
  report({ pathname });
};
