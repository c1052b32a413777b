/**
 * VGL-7: a web server or database starts a shell.
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
  startedShell,
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

const starts = new ProgramStarts(() => ({ reported: false }));

/** Every program start, anywhere. */
/**
 * The members of an event this signature reads (its `ProgramStarts` and
 * argument helpers included): the sandbox gives it only those.
 */
export const inputFields = [
  "timestamp",
  "hostProcessId",
  "processName",
  "eventName",
  "returnValue",
  "args",
];

export const selectedEvents: EventSelector[] = selectTracee(
  PROGRAM_START_EVENTS,
);

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

// php-fpm's process name carries its version, e.g. php-fpm8.2.
function isServer(name: string): boolean {
  return SERVERS.has(name) || name.startsWith("php-fpm");
}

/** The process name before the exec (a partial event may lack it). */
function parentName(event: TraceeEvent): string {
  if (event.eventName === "sched_process_exec") {
    return stringArgument(event, "prev_comm");
  }
  return typeof event.processName === "string" ? event.processName : "";
}

/** Reports the first event of a program start that shows a server's shell. */
export const onEvent: OnEvent = (event, report) => {
  const start = starts.startOf(event);
  if (start === undefined || start.reported) return;
  const parent = parentName(event);
  if (!isServer(parent)) return;
  const shell = startedShell(event);
  if (shell === undefined) return;
  start.reported = true;
  report({ shell, parent_comm: parent });
};
