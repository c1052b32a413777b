/**
 * VGL-7: a web server or database starts a shell.
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
  id: "VGL-7",
  version: "1.0.0",
  name: "Shell started by a server process",
  eventName: "illegitimate_shell",
  description:
    "A shell (sh, bash, dash, zsh, ksh, mksh, csh, tcsh, ash, fish, or busybox run as a shell) was executed by a process that was a web server, application server or database just before the exec (nginx, httpd, apache2, lighttpd, caddy, php-fpm*, php-cgi, mysqld, mariadbd, postgres, mongod, redis-server: sched_process_exec's prev_comm, or the process name of execve, execveat and security_bprm_check, which come before the name changes), the typical trace of a web shell or an injected command. Reported once per program start, from the first of its events that shows it. Misses shells started through an intermediate program (the server runs python, which runs sh), servers with other process names, and servers that run commands without a shell. Known false positives: Apache piped loggers and CGI scripts run through /bin/sh, PostgreSQL archive_command and restore_command, and applications that deliberately call system().",
  tags: ["linux", "web-shell"],
  properties: {
    Severity: 3,
    Category: "persistence",
    Technique: "Web Shell",
    "MITRE ATT&CK": "T1505.003: Web Shell",
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

const SHELLS = new Set([
  "sh",
  "bash",
  "dash",
  "zsh",
  "ksh",
  "mksh",
  "csh",
  "tcsh",
  "ash",
  "fish",
]);

const SERVERS = new Set([
  "nginx",
  "httpd",
  "apache2",
  "lighttpd",
  "caddy",
  "php-cgi",
  "mysqld",
  "mariadbd",
  "postgres",
  "mongod",
  "redis-server",
]);

function argument(event: TraceeEvent, name: string): unknown {
  return event.args.find((arg) => arg.name === name)?.value;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

// php-fpm's process name carries its version, e.g. php-fpm8.2.
function isServer(name: string): boolean {
  return SERVERS.has(name) || name.startsWith("php-fpm");
}

/** The shell `event` starts, if it starts one: busybox counts when run as one. */
function shellOf(event: TraceeEvent): string | undefined {
  const pathname = text(argument(event, "pathname"));
  const name = basename(pathname);
  if (SHELLS.has(name)) return pathname;
  const argv = argument(event, "argv");
  const first = Array.isArray(argv) ? text(argv[0]) : "";
  return name === "busybox" && SHELLS.has(basename(first))
    ? pathname
    : undefined;
}

/** The process name before the exec. */
function parentName(event: TraceeEvent): string {
  return event.eventName === "sched_process_exec"
    ? text(argument(event, "prev_comm"))
    : text(event.processName);
}

/** Reports the first event of a program start that shows a server's shell. */
export const onEvent: OnEvent = (event, report) => {
  const start = programStart(event);
  if (start === undefined || start.reported) return;
  const parent = parentName(event);
  if (!isServer(parent)) return;
  const shell = shellOf(event);
  if (shell === undefined) return;
  start.reported = true;
  report({ shell, parent_comm: parent });
};
