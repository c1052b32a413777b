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

import {
  argumentValue,
  pidArgument,
  PROGRAM_START_EVENTS,
  ProgramStarts,
  selectTracee,
  stringArgument,
} from "@vigil/sensor/sdk";
import type {
  EventSelector,
  OnEvent,
  Report,
  SignatureMetadata,
  TraceeEvent,
} from "@vigil/sensor/sdk";

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

/** unlinkat's flag for removing a directory. */
const AT_REMOVEDIR = 0x200;

/** The program a process last started, from the events seen of the start. */
interface Program {
  /** Absolute path of the binary (security_bprm_check, sched_process_exec). */
  pathname: string;
  /** The path exec was given, possibly relative. */
  cmdpath: string;
}

/** Each process's program; at most 8192, the least recently seen forgotten. */
const starts = new ProgramStarts<Program>(
  () => ({ pathname: "", cmdpath: "" }),
  8192,
);

/** Adds what `event` says of the program to its start. */
function onStart(event: TraceeEvent): void {
  const start = starts.startOf(event);
  if (start === undefined) return;
  const pathname = stringArgument(event, "pathname");
  if (event.eventName === "execve" || event.eventName === "execveat") {
    start.cmdpath ||= pathname;
    return;
  }
  start.pathname ||= pathname;
  start.cmdpath ||= stringArgument(event, "cmdpath");
}

/** Program starts, the process life cycle and file deletions, anywhere. */
/**
 * The members of an event this signature reads (its `ProgramStarts` and
 * argument helpers included): the sandbox gives it only those.
 */
export const inputFields = [
  "timestamp",
  "hostProcessId",
  "executable",
  "eventName",
  "returnValue",
  "args",
];

export const selectedEvents: EventSelector[] = selectTracee([
  ...PROGRAM_START_EVENTS,
  "sched_process_fork",
  "sched_process_exit",
  "unlink",
  "unlinkat",
]);

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

/** The binary the event's context names, if any (a partial event may lack it). */
function executablePath(event: TraceeEvent): string {
  const path = event.executable?.path;
  return typeof path === "string" ? path : "";
}

function onUnlink(event: TraceeEvent, report: Report): void {
  if (Number(event.returnValue) !== 0) return;
  if (
    event.eventName === "unlinkat" &&
    (Number(argumentValue(event, "flags")) & AT_REMOVEDIR) !== 0
  ) return;
  const start = starts.latest(event.hostProcessId);
  if (start === undefined) return;
  const target = stringArgument(event, "pathname");
  if (
    samePath(target, start.pathname) ||
    samePath(target, start.cmdpath) ||
    samePath(target, executablePath(event))
  ) {
    starts.forget(event.hostProcessId);
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
      if (parent !== undefined && child !== undefined) {
        starts.fork(parent, child);
      }
      return;
    }
    case "sched_process_exit":
      if (argumentValue(event, "process_group_exit") === true) {
        starts.forget(event.hostProcessId);
      }
      return;
    case "unlink":
    case "unlinkat":
      onUnlink(event, report);
  }
};
