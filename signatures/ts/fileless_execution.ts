/**
 * VGL-4: a program runs from memory or from a memory-backed directory.
 *
 * Stateful only to report a program start once, whichever of its events
 * (execve, execveat, security_bprm_check, sched_process_exec) the stream
 * carries.
 *
 * @module
 */

import {
  PROGRAM_START_EVENTS,
  ProgramStarts,
  selectTracee,
  stringArgument,
} from "@vigil/sensor/sdk";
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
  TraceeEvent,
} from "@vigil/sensor/sdk";

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

const starts = new ProgramStarts(() => ({ reported: false }));

/** Every program start, anywhere. */
/**
 * The members of an event this signature reads (its `ProgramStarts` and
 * argument helpers included): the sandbox gives it only those.
 */
export const inputFields = [
  "timestamp",
  "hostProcessId",
  "containerId",
  "eventName",
  "returnValue",
  "args",
];

export const selectedEvents: EventSelector[] = selectTracee(
  PROGRAM_START_EVENTS,
);

function inShm(path: string): boolean {
  return path.startsWith("/dev/shm/") || path.startsWith("/run/shm/");
}

/** The memory-backed path `event` runs, if any. */
function filelessPath(event: TraceeEvent): string | undefined {
  const pathname = stringArgument(event, "pathname");
  // runc re-executes itself from a sealed memfd while it sets a container up.
  const runcOnHost = !event.containerId &&
    pathname.startsWith("memfd:runc_cloned");
  if (pathname.startsWith("memfd:") && !runcOnHost) return pathname;
  if (inShm(pathname)) return pathname;
  const cmdpath = stringArgument(event, "cmdpath");
  return inShm(cmdpath) ? cmdpath : undefined;
}

/** Reports the first event of a program start that runs from memory. */
export const onEvent: OnEvent = (event, report) => {
  const start = starts.startOf(event);
  if (start === undefined || start.reported) return;
  const pathname = filelessPath(event);
  if (pathname === undefined) return;
  start.reported = true;
  report({ pathname });
};
