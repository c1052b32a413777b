/**
 * VGL-16: a process deletes the file it was started from.
 *
 * Stateful: remembers, per process (host pid), the binary it executed (the
 * `pathname` of security_bprm_check and sched_process_exec, and the path exec
 * was given: sched_process_exec's `cmdpath`, execve's `pathname`), from
 * whichever of a start's events the stream carries, hands it on to forked
 * children, and compares the path of each successful unlink or unlinkat of
 * that process with it.
 *
 * @module
 */

import type {
  EventSelector,
  OnEvent,
  Report,
  SignatureMetadata,
  TraceeEvent,
} from "../../src/sdk/mod.ts";

/** What this signature reports; see the description for its limits. */
export const metadata: SignatureMetadata = {
  id: "VGL-16",
  version: "1.0.0",
  name: "Self-deleting executable",
  eventName: "self_deleting_executable",
  description:
    "A process, or a child it forked without executing anything else, deleted (unlink or unlinkat) the executable it was started from, which malware does to leave no file behind. A relative path is compared with the path the program was started by, or with the end of its absolute path. Misses deletion by another program (rm run by the process), renames over the binary, truncation, processes that started before the sensor or were forgotten when more than 8192 processes were tracked, and scripts started as an interpreter's argument (python3 x.py) deleting themselves. Known false positives: self-updating or self-uninstalling programs that delete their binary before replacing it.",
  tags: ["linux", "defense-evasion"],
  properties: {
    Severity: 3,
    Category: "defense-evasion",
    Technique: "File Deletion",
    "MITRE ATT&CK": "T1070.004: File Deletion",
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

/** The program a process last started, from the events seen of the start. */
interface Start {
  /** The latest timestamp among them. */
  last: bigint;
  /** sched_process_exec was seen: the next start event begins a new start. */
  running: boolean;
  /** The last exec call failed: the next (execvp's next PATH entry) is a retry. */
  failed: boolean;
  /** Absolute path of the binary (security_bprm_check, sched_process_exec). */
  pathname: string;
  /** The path exec was given, possibly relative. */
  cmdpath: string;
}

/** The most processes remembered; the oldest are forgotten first. */
const MAX_PROCESSES = 8192;
/** unlinkat's flag for removing a directory. */
const AT_REMOVEDIR = 0x200;

const starts = new Map<number, Start>();

function argument(event: TraceeEvent, name: string): unknown {
  return event.args.find((arg) => arg.name === name)?.value;
}

/** A pid argument's value, `undefined` when absent or not a pid. */
function pidArgument(event: TraceeEvent, name: string): number | undefined {
  const pid = argument(event, name);
  return typeof pid === "number" && Number.isSafeInteger(pid) ? pid : undefined;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function remember(pid: number, start: Start): void {
  starts.delete(pid);
  starts.set(pid, start);
  if (starts.size > MAX_PROCESSES) {
    const oldest = starts.keys().next().value;
    if (oldest !== undefined) starts.delete(oldest);
  }
}

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
    : { last: time, running: false, failed: false, pathname: "", cmdpath: "" };
  if (time > start.last) start.last = time;
  if (event.eventName === "sched_process_exec") start.running = true;
  if (call) start.failed = failed;
  remember(event.hostProcessId, start);
  return failed ? undefined : start;
}

/** Adds what `event` says of the program to its start. */
function onStart(event: TraceeEvent): void {
  const start = programStart(event);
  if (start === undefined) return;
  const pathname = text(argument(event, "pathname"));
  if (event.eventName === "execve" || event.eventName === "execveat") {
    start.cmdpath ||= pathname;
    return;
  }
  start.pathname ||= pathname;
  start.cmdpath ||= text(argument(event, "cmdpath"));
}

/** Program starts, the process life cycle and file deletions, anywhere. */
export const selectedEvents: EventSelector[] = [
  ...START_EVENTS,
  "sched_process_fork",
  "sched_process_exit",
  "unlink",
  "unlinkat",
].map((name) => ({ source: "tracee", name, origin: "*" }));

function withoutDotSlash(path: string): string {
  return path.replace(/^(?:\.\/)+/, "");
}

/** Whether the unlinked `target` names the file known as `known`. */
function samePath(target: string, known: string): boolean {
  if (target === "" || known === "") return false;
  if (target.startsWith("/")) return target === known;
  const relative = withoutDotSlash(target);
  return withoutDotSlash(known) === relative || known.endsWith(`/${relative}`);
}

function onUnlink(event: TraceeEvent, report: Report): void {
  if (Number(event.returnValue) !== 0) return;
  if (
    event.eventName === "unlinkat" &&
    (Number(argument(event, "flags")) & AT_REMOVEDIR) !== 0
  ) return;
  const start = starts.get(event.hostProcessId);
  if (start === undefined) return;
  const target = text(argument(event, "pathname"));
  if (
    samePath(target, start.pathname) ||
    samePath(target, start.cmdpath) ||
    samePath(target, text(event.executable?.path))
  ) {
    starts.delete(event.hostProcessId);
    report({
      pathname: target,
      executable: start.pathname || start.cmdpath,
    });
  }
}

/** Tracks each process's binary; reports an unlink of it by the process. */
export const onEvent: OnEvent = (event, report) => {
  switch (event.eventName) {
    case "execve":
    case "execveat":
    case "security_bprm_check":
    case "sched_process_exec":
      onStart(event);
      return;
    case "sched_process_fork": {
      const parent = pidArgument(event, "parent_pid");
      const child = pidArgument(event, "child_pid");
      const start = parent === undefined ? undefined : starts.get(parent);
      if (child !== undefined && child !== parent && start !== undefined) {
        // The child runs the same program: its next start is its own.
        remember(child, { ...start, running: true, failed: false });
      }
      return;
    }
    case "sched_process_exit":
      if (argument(event, "process_group_exit") === true) {
        starts.delete(event.hostProcessId);
      }
      return;
    case "unlink":
    case "unlinkat":
      onUnlink(event, report);
  }
};
