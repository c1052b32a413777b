/**
 * VGL-6: the dynamic linker is told to load a library of the attacker's.
 *
 * Stateful only to report a program start once, whichever of its events
 * (execve, execveat, security_bprm_check, sched_process_exec) the stream
 * carries.
 *
 * @module
 */

import {
  argumentValue,
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
  id: "VGL-6",
  version: "1.0.0",
  name: "Dynamic linker hijacking",
  eventName: "ld_preload",
  description:
    "A program was started with LD_PRELOAD naming a library other than a few well-known system ones (fakeroot, eatmydata, jemalloc, tcmalloc, faketime, sanitizer runtimes, in a system library directory or given by bare name), or with LD_LIBRARY_PATH pointing into /tmp, /var/tmp, /dev/shm or /run/shm; or /etc/ld.so.preload was opened for writing. The environment is read from sched_process_exec's env or the envp of execve, execveat and security_bprm_check, which a sensor fills only when exec environments are captured (Tracee's exec-env option); a program start is reported once, from the first of its events that shows it. Misses LD_AUDIT and other loader variables, libraries planted in system directories, LD_LIBRARY_PATH pointing elsewhere and /etc/ld.so.preload replaced by rename. Known false positives: profilers, memory debuggers and shims preloaded from non-system paths (e.g. /opt or a build tree).",
  tags: ["linux", "persistence", "defense-evasion"],
  properties: {
    Severity: 3,
    Category: "persistence",
    Technique: "Dynamic Linker Hijacking",
    "MITRE ATT&CK": "T1574.006: Dynamic Linker Hijacking",
  },
};

const starts = new ProgramStarts(() => ({ reported: false }));

const PRELOAD_FILE = "/etc/ld.so.preload";

/**
 * Every program start, anywhere, and the opens of /etc/ld.so.preload
 * (Vigil's `args` filter; the handler still checks).
 */
/**
 * The members of an event this signature reads (its `ProgramStarts` and
 * argument helpers included): the sandbox gives it only those.
 */
export const inputFields = [
  "timestamp",
  "hostProcessId",
  "eventName",
  "returnValue",
  "args",
];

export const selectedEvents: EventSelector[] = [
  ...selectTracee(PROGRAM_START_EVENTS),
  {
    source: "tracee",
    name: "security_file_open",
    origin: "*",
    args: { pathname: [PRELOAD_FILE] },
  },
];

const PRELOAD_NAME_PREFIXES = [
  "libfakeroot",
  "libeatmydata",
  "libjemalloc",
  "libtcmalloc",
  "libfaketime",
  "libasan",
  "libtsan",
  "libubsan",
  "liblsan",
];
const SYSTEM_LIB_DIRS = ["/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"];
const TEMPORARY_DIRS = ["/tmp", "/var/tmp", "/dev/shm", "/run/shm"];

/** A well-known library in a system directory, or a bare name (looked up there). */
function expectedPreload(library: string): boolean {
  const name = library.slice(library.lastIndexOf("/") + 1);
  return PRELOAD_NAME_PREFIXES.some((prefix) => name.startsWith(prefix)) &&
    (!library.includes("/") ||
      SYSTEM_LIB_DIRS.some((dir) => library.startsWith(dir)));
}

function temporaryDir(dir: string): boolean {
  return TEMPORARY_DIRS.some((tmp) => dir === tmp || dir.startsWith(`${tmp}/`));
}

// ld.so splits LD_PRELOAD on colons and spaces.
function suspiciousVariable(entry: string): boolean {
  if (entry.startsWith("LD_PRELOAD=")) {
    return entry.slice("LD_PRELOAD=".length).split(/[: ]/)
      .some((library) => library !== "" && !expectedPreload(library));
  }
  return entry.startsWith("LD_LIBRARY_PATH=") &&
    entry.slice("LD_LIBRARY_PATH=".length).split(":").some(temporaryDir);
}

/** The loader variables of a start's environment that hijack it. */
function suspiciousVariables(event: TraceeEvent): string[] {
  const env = argumentValue(
    event,
    event.eventName === "sched_process_exec" ? "env" : "envp",
  );
  // Without exec environments, envp is a pointer such as "0x0".
  if (!Array.isArray(env)) return [];
  return env.filter((entry): entry is string =>
    typeof entry === "string" && suspiciousVariable(entry)
  );
}

function isFileWrite(flags: string): boolean {
  const lower = flags.toLowerCase();
  return lower.includes("o_wronly") || lower.includes("o_rdwr");
}

/**
 * Reports the first event of a program start whose environment hijacks the
 * loader, and each write-open of /etc/ld.so.preload.
 */
export const onEvent: OnEvent = (event, report) => {
  if (event.eventName === "security_file_open") {
    const pathname = argumentValue(event, "pathname");
    const flags = stringArgument(event, "flags");
    if (pathname === PRELOAD_FILE && isFileWrite(flags)) {
      report({ pathname, flags });
    }
    return;
  }
  const start = starts.startOf(event);
  if (start === undefined || start.reported) return;
  const variables = suspiciousVariables(event);
  if (variables.length === 0) return;
  start.reported = true;
  report({ variables });
};
