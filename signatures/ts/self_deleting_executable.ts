/**
 * VGL-16: a process deletes the file it was started from.
 *
 * Stateful: remembers, per process (host pid), the binary it executed
 * (sched_process_exec `pathname` and `cmdpath`), hands it on to forked
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

/** Process life cycle and file deletions, anywhere. */
export const selectedEvents: EventSelector[] = [
  { source: "tracee", name: "sched_process_exec", origin: "*" },
  { source: "tracee", name: "sched_process_fork", origin: "*" },
  { source: "tracee", name: "sched_process_exit", origin: "*" },
  { source: "tracee", name: "unlink", origin: "*" },
  { source: "tracee", name: "unlinkat", origin: "*" },
];

/** The most processes remembered; the oldest are forgotten first. */
const MAX_PROCESSES = 8192;
/** unlinkat's flag for removing a directory. */
const AT_REMOVEDIR = 0x200;

interface Executable {
  /** Absolute path of the binary. */
  pathname: string;
  /** The path exec was given, possibly relative. */
  cmdpath: string;
}

const executables = new Map<number, Executable>();

function argument(event: TraceeEvent, name: string): unknown {
  return event.args.find((arg) => arg.name === name)?.value;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function remember(pid: number, executable: Executable): void {
  executables.delete(pid);
  executables.set(pid, executable);
  if (executables.size > MAX_PROCESSES) {
    const oldest = executables.keys().next().value;
    if (oldest !== undefined) executables.delete(oldest);
  }
}

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
  const executable = executables.get(event.hostProcessId);
  if (executable === undefined) return;
  const target = text(argument(event, "pathname"));
  if (
    samePath(target, executable.pathname) ||
    samePath(target, executable.cmdpath) ||
    samePath(target, event.executable.path)
  ) {
    executables.delete(event.hostProcessId);
    report({ pathname: target, executable: executable.pathname });
  }
}

/** Tracks each process's binary; reports an unlink of it by the process. */
export const onEvent: OnEvent = (event, report) => {
  switch (event.eventName) {
    case "sched_process_exec":
      remember(event.hostProcessId, {
        pathname: text(argument(event, "pathname")),
        cmdpath: text(argument(event, "cmdpath")),
      });
      return;
    case "sched_process_fork": {
      const parent = Number(argument(event, "parent_pid"));
      const child = Number(argument(event, "child_pid"));
      const executable = executables.get(parent);
      if (child !== parent && executable !== undefined) {
        remember(child, executable);
      }
      return;
    }
    case "sched_process_exit":
      if (argument(event, "process_group_exit") === true) {
        executables.delete(event.hostProcessId);
      }
      return;
    case "unlink":
    case "unlinkat":
      onUnlink(event, report);
  }
};
