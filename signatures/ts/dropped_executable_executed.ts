/**
 * VGL-18: a container runs a binary that was written inside it after it
 * started.
 *
 * Stateful: remembers each ELF file a running container writes (magic_write)
 * by container, device and inode, and by container and path, and reports the
 * first start of it in the same container.
 *
 * @module
 */

import {
  argumentValue,
  PROGRAM_START_EVENTS,
  selectTracee,
  writesElf,
} from "@vigil/sensor/sdk";
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
  TraceeEvent,
} from "@vigil/sensor/sdk";

/** What this signature reports; see the description for its limits. */
export const metadata: SignatureMetadata = {
  id: "VGL-18",
  version: "1.0.0",
  name: "Dropped executable run in a container",
  eventName: "dropped_executable_executed",
  description:
    "A running container executed a binary that a process in the same container had written after the container started (magic_write of a file starting with the ELF magic, then a start of a program of the same device and inode, or of the same path, seen as execve, execveat, security_bprm_check or sched_process_exec, whichever comes first): a downloaded or unpacked tool being run. Renames keep the inode, so a file moved after writing is still recognised. Misses scripts, binaries written from the host or by another container into a shared volume, files whose first write does not start at offset 0, binaries run from memory (see VGL-4), and files forgotten when more than 4096 were remembered. Known false positives: builds, tests and package installs inside running containers (CI and development containers), and applications that unpack and run helper binaries at start.",
  tags: ["linux", "container", "drift"],
  properties: {
    Severity: 3,
    Category: "execution",
    Technique: "Ingress Tool Transfer",
    "MITRE ATT&CK": "T1105: Ingress Tool Transfer",
  },
};

/**
 * Writes and program starts in running containers only. A drop is forgotten
 * once reported, so a start seen as several events gives one finding.
 */
/**
 * The members of an event this signature reads (its argument helpers
 * included): the sandbox gives it only those.
 */
export const inputFields = [
  "containerId",
  "eventName",
  "processName",
  "returnValue",
  "args",
];

export const selectedEvents: EventSelector[] = selectTracee([
  "magic_write",
  ...PROGRAM_START_EVENTS,
], "container");

/** The most written files remembered; the oldest are forgotten first. */
const MAX_FILES = 4096;
interface Drop {
  pathname: string;
  writer: string;
  /** The keys the drop is remembered under. */
  keys: string[];
}

/** Drops by `inodeKey` and by `pathKey`. */
const drops = new Map<string, Drop>();

function isInteger(value: unknown): boolean {
  return typeof value === "bigint" || Number.isInteger(value);
}

/**
 * The keys of the file `event` names: by device and inode, and by path, each
 * when the event has the arguments (execve and execveat have only a path).
 */
function keysOf(event: TraceeEvent, pathname: unknown): string[] {
  const keys: string[] = [];
  const dev = argumentValue(event, "dev");
  const inode = argumentValue(event, "inode");
  if (isInteger(dev) && isInteger(inode)) {
    keys.push(`${event.containerId}\0inode\0${dev}:${inode}`);
  }
  if (typeof pathname === "string" && pathname !== "") {
    keys.push(`${event.containerId}\0path\0${pathname}`);
  }
  return keys;
}

function forget(drop: Drop): void {
  for (const key of drop.keys) {
    if (drops.get(key) === drop) drops.delete(key);
  }
}

function remember(drop: Drop): void {
  for (const key of drop.keys) {
    const previous = drops.get(key);
    if (previous !== undefined) forget(previous);
    drops.set(key, drop);
  }
  while (drops.size > 2 * MAX_FILES) {
    const oldest = drops.values().next().value;
    if (oldest === undefined) break;
    forget(oldest);
  }
}

/** Remembers ELF writes; reports the first exec of a remembered file. */
export const onEvent: OnEvent = (event, report) => {
  if (!event.containerId) return;
  const pathname = argumentValue(event, "pathname");
  const keys = keysOf(event, pathname);
  if (event.eventName === "magic_write") {
    if (keys.length === 0 || !writesElf(event)) return;
    remember({
      pathname: typeof pathname === "string" ? pathname : "",
      writer: event.processName,
      keys,
    });
    return;
  }
  // A failed exec call runs nothing.
  if (Number(event.returnValue) < 0) return;
  const key = keys.find((key) => drops.has(key));
  const drop = key === undefined ? undefined : drops.get(key);
  if (drop === undefined) return;
  forget(drop);
  report({
    pathname: typeof pathname === "string" ? pathname : drop.pathname,
    written_as: drop.pathname,
    writer: drop.writer,
  });
};
