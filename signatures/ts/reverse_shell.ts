/**
 * VGL-17: a shell whose standard input and output are a network connection
 * the process opened to a remote address (a reverse shell).
 *
 * Stateful: per process (host pid), the file descriptors that refer to a
 * socket connected to a non-loopback address, followed through dup, dup2 and
 * dup3, inherited by forked children and kept across exec. A process is
 * reported once, so a program start seen as several events (execve,
 * security_bprm_check, sched_process_exec) gives one finding.
 *
 * @module
 */

import {
  argumentValue,
  isShellName,
  pidArgument,
  PROGRAM_START_EVENTS,
  selectTracee,
  startedShell,
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
  id: "VGL-17",
  version: "1.0.0",
  name: "Reverse shell",
  eventName: "reverse_shell",
  description:
    "A shell (sh, bash, dash, zsh, ksh, mksh, csh, tcsh, ash, fish, or busybox run as one) runs with standard input and standard output both duplicated from a socket that it, or the process it was forked or executed from, connected to a non-loopback IPv4 or IPv6 address: bash's /dev/tcp redirections, or a Python, Perl or netcat program that connects, dup2s the socket onto 0 and 1 and executes a shell. Misses shells fed through a pipe or a pseudo-terminal by a relay process (socat pty, python pty.spawn), accepted connections (bind shells), descriptors duplicated with fcntl(F_DUPFD), connections made before the sensor started, and processes forgotten when more than 4096 were tracked. Known false positives: a descriptor number reused after close, when the close was not seen (close is not selected), and deliberate remote-administration tools that hand a connected socket to a shell.",
  tags: ["linux", "execution", "command-and-control"],
  properties: {
    Severity: 4,
    Category: "execution",
    Technique: "Unix Shell",
    "MITRE ATT&CK": "T1059.004: Unix Shell",
  },
};

/** Connections, descriptor copies and the process life cycle, anywhere. */
/**
 * The members of an event this signature reads (its argument helpers
 * included): the sandbox gives it only those.
 */
export const inputFields = [
  "hostProcessId",
  "processName",
  "executable",
  "eventName",
  "returnValue",
  "args",
];

export const selectedEvents: EventSelector[] = selectTracee([
  "connect",
  "security_socket_connect",
  "dup",
  "dup2",
  "dup3",
  "sched_process_fork",
  "sched_process_exit",
  ...PROGRAM_START_EVENTS,
]);

/** The most processes tracked; the oldest are forgotten first. */
const MAX_PROCESSES = 4096;
/** A process's descriptors tracked at most. */
const MAX_DESCRIPTORS = 64;
/** connect's return value for a non-blocking connect under way. */
const EINPROGRESS = -115;

interface Connections {
  /** Descriptor to the remote address it is connected to. */
  remote: Map<number, string>;
  reported: boolean;
}

const processes = new Map<number, Connections>();

function track(pid: number, connections: Connections): void {
  processes.delete(pid);
  processes.set(pid, connections);
  if (processes.size > MAX_PROCESSES) {
    const oldest = processes.keys().next().value;
    if (oldest !== undefined) processes.delete(oldest);
  }
}

function isLoopbackOrUnspecified(address: string): boolean {
  return address.startsWith("127.") || address === "0.0.0.0" ||
    address === "::1" || address === "::";
}

/** `address:port` of a remote IPv4 or IPv6 peer, else `undefined`. */
function remoteAddress(sockaddr: unknown): string | undefined {
  if (typeof sockaddr !== "object" || sockaddr === null) return undefined;
  const fields = sockaddr as Record<string, unknown>;
  if (fields.sa_family === "AF_INET") {
    const address = String(fields.sin_addr ?? "");
    if (address === "" || isLoopbackOrUnspecified(address)) return undefined;
    return `${address}:${fields.sin_port}`;
  }
  if (fields.sa_family === "AF_INET6") {
    const address = String(fields.sin6_addr ?? "");
    if (address === "" || isLoopbackOrUnspecified(address)) return undefined;
    // An IPv4-mapped address is printed as plain IPv4.
    return address.includes(":")
      ? `[${address}]:${fields.sin6_port}`
      : `${address}:${fields.sin6_port}`;
  }
  return undefined;
}

/** A descriptor argument's value, `undefined` when absent or not one. */
function descriptor(event: TraceeEvent, name: string): number | undefined {
  const fd = Number(argumentValue(event, name));
  return Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}

function onConnect(event: TraceeEvent): void {
  const result = Number(event.returnValue);
  if (result !== 0 && result !== EINPROGRESS) return;
  const fd = descriptor(event, "sockfd");
  if (fd === undefined) return;
  const sockaddr = argumentValue(
    event,
    event.eventName === "connect" ? "addr" : "remote_addr",
  );
  const remote = remoteAddress(sockaddr);
  const connections = processes.get(event.hostProcessId);
  if (remote === undefined) {
    connections?.remote.delete(fd);
    return;
  }
  const tracked = connections ?? { remote: new Map(), reported: false };
  setRemote(tracked, fd, remote);
  track(event.hostProcessId, tracked);
}

function setRemote(
  connections: Connections,
  fd: number,
  remote: string,
): void {
  if (connections.remote.size < MAX_DESCRIPTORS || connections.remote.has(fd)) {
    connections.remote.set(fd, remote);
  }
}

/** The remote address standard input and output are both connected to. */
function shellStreamsRemote(connections: Connections): string | undefined {
  const stdin = connections.remote.get(0);
  return stdin !== undefined && connections.remote.get(1) === stdin
    ? stdin
    : undefined;
}

function check(
  connections: Connections,
  shell: string,
  report: Report,
): void {
  if (connections.reported) return;
  const remote = shellStreamsRemote(connections);
  if (remote === undefined) return;
  connections.reported = true;
  report({ remote_address: remote, shell });
}

function onDup(event: TraceeEvent, report: Report): void {
  const connections = processes.get(event.hostProcessId);
  if (connections === undefined) return;
  const result = Number(event.returnValue);
  if (result < 0) return;
  const oldfd = descriptor(event, "oldfd");
  const newfd = event.eventName === "dup" ? result : descriptor(event, "newfd");
  if (newfd === undefined) return;
  const remote = oldfd === undefined
    ? undefined
    : connections.remote.get(oldfd);
  if (remote === undefined) {
    connections.remote.delete(newfd);
    return;
  }
  setRemote(connections, newfd, remote);
  if (isShellName(event.processName)) {
    check(connections, event.executable?.path || event.processName, report);
  }
}

/** Tracks remote sockets; reports a shell once its stdin and stdout are one. */
export const onEvent: OnEvent = (event, report) => {
  switch (event.eventName) {
    case "connect":
    case "security_socket_connect":
      onConnect(event);
      return;
    case "dup":
    case "dup2":
    case "dup3":
      onDup(event, report);
      return;
    case "sched_process_fork": {
      const parent = pidArgument(event, "parent_pid");
      const child = pidArgument(event, "child_pid");
      const connections = parent === undefined
        ? undefined
        : processes.get(parent);
      if (
        child !== undefined && child !== parent && connections !== undefined
      ) {
        // A child of a reported shell (a pipeline, a subshell) is the same
        // reverse shell: it is not reported again.
        track(child, {
          remote: new Map(connections.remote),
          reported: connections.reported,
        });
      }
      return;
    }
    case "execve":
    case "execveat":
    case "security_bprm_check":
    case "sched_process_exec": {
      // A failed exec call starts nothing.
      if (Number(event.returnValue) < 0) return;
      const connections = processes.get(event.hostProcessId);
      const shell = startedShell(event);
      if (connections !== undefined && shell !== undefined) {
        check(connections, shell, report);
      }
      return;
    }
    case "sched_process_exit":
      if (argumentValue(event, "process_group_exit") === true) {
        processes.delete(event.hostProcessId);
      }
  }
};
