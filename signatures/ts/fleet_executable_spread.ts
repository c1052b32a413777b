/**
 * VGL-19: the same new executable started on several hosts within minutes,
 * a worm or a campaign rather than one compromised machine. It needs events
 * from many hosts: it fires under `vigil collect` (central analysis) and
 * never in a single host's run, whose events all carry one `hostName`.
 *
 * Stateful: remembers, per host, the ELF files written there (magic_write)
 * and, per executable, the hosts that started it while it was new.
 *
 * @module
 */

import { argumentValue, selectTracee, writesElf } from "@vigil/sensor/sdk";
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
  TraceeEvent,
} from "@vigil/sensor/sdk";

/** How many hosts make a spread. */
const HOSTS = 3;
/** Within how long (event time) their first starts must fall. */
const WINDOW_NS = 10n * 60n * 1_000_000_000n;
/** A file changed this long before it is started counts as new. */
const FRESH_NS = 60n * 60n * 1_000_000_000n;
/** The most executables and written files remembered (oldest forgotten). */
const MAX_REMEMBERED = 4096;
const MAX_HOST_NAME = 256;
/** What this signature reports; see the description for its limits. */
export const metadata: SignatureMetadata = {
  id: "VGL-19",
  version: "1.0.0",
  name: "Executable spreading across hosts",
  eventName: "fleet_executable_spread",
  description:
    `The same new executable was started for the first time on ${HOSTS} hosts within 10 minutes (event time). "The same" is its SHA-256 when the events carry one (Tracee's sched_process_exec with hash calculation enabled adds a sha256 argument; Vigil's kernel source does not compute it), else its path. "New" means written on that host as an ELF file (magic_write, matched by host and path) before it started, or changed (inode ctime) at most an hour before it started. A host is an event's hostName, so containers with their own host names count as hosts. Misses spreads slower than the window or to fewer hosts, copies under different paths without a hash, old binaries run by the worm (curl, sh), and hosts whose clocks disagree by more than the window. Known false positives: a rollout of a new build or package to several hosts at once (configuration management, unattended upgrades, a DaemonSet or a scaled Deployment starting the same new image on several nodes), and CI runners building and running the same path.`,
  tags: ["linux", "fleet", "lateral-movement"],
  properties: {
    Severity: 3,
    Category: "lateral-movement",
    Technique: "Lateral Tool Transfer",
    "MITRE ATT&CK": "T1570: Lateral Tool Transfer",
  },
};

/** Program starts (one event each) and ELF writes, from anywhere. */
export const selectedEvents: EventSelector[] = selectTracee([
  "sched_process_exec",
  "magic_write",
]);

interface Spread {
  /** The first start's event time on each host, in insertion order. */
  hosts: Map<string, bigint>;
  reported: boolean;
}

/** Executables by identity (`sha256:…` or `path:…`). */
const spreads = new Map<string, Spread>();
/** ELF files written, by host and path. */
const written = new Set<string>();

function nanos(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isFinite(value)) {
    return BigInt(Math.trunc(value));
  }
  return undefined;
}

function remember<K, V>(map: Map<K, V> | Set<K>, key: K, value?: V): void {
  if (map instanceof Map) map.set(key, value!);
  else map.add(key);
  if (map.size > MAX_REMEMBERED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

/** Whether the started file is new on its host: written there, or changed lately. */
function isNew(event: TraceeEvent, host: string, pathname: string): boolean {
  if (written.has(`${host}\0${pathname}`)) return true;
  const time = nanos(event.timestamp);
  const ctime = nanos(argumentValue(event, "ctime"));
  if (time === undefined || ctime === undefined || ctime <= 0n) return false;
  const age = time - ctime;
  return age >= 0n && age <= FRESH_NS;
}

/**
 * Hosts whose first start falls within the window ending at `now`; the
 * others are forgotten (so one executable holds at most a window's hosts).
 */
function recentHosts(spread: Spread, now: bigint): string[] {
  for (const [host, first] of spread.hosts) {
    if (now - first > WINDOW_NS) spread.hosts.delete(host);
  }
  return [...spread.hosts.keys()];
}

/** Counts each host's first start of a new executable; reports the spread once. */
export const onEvent: OnEvent = (event, report) => {
  const host = String(event.hostName).slice(0, MAX_HOST_NAME);
  const pathname = argumentValue(event, "pathname");
  if (typeof pathname !== "string" || pathname === "") return;
  if (event.eventName === "magic_write") {
    if (writesElf(event)) {
      remember(written, `${host}\0${pathname}`);
    }
    return;
  }
  if (!isNew(event, host, pathname)) return;
  const sha256 = argumentValue(event, "sha256");
  const hash = typeof sha256 === "string" && sha256 !== "" ? sha256 : "";
  const key = hash ? `sha256:${hash}` : `path:${pathname}`;
  let spread = spreads.get(key);
  if (spread === undefined) {
    spread = { hosts: new Map(), reported: false };
    remember(spreads, key, spread);
  }
  const now = nanos(event.timestamp) ?? 0n;
  if (spread.reported || spread.hosts.has(host)) return;
  spread.hosts.set(host, now);
  const hosts = recentHosts(spread, now);
  if (hosts.length < HOSTS) return;
  spread.reported = true;
  report({
    pathname,
    sha256: hash,
    hosts,
    window_seconds: Number(WINDOW_NS / 1_000_000_000n),
  });
};
