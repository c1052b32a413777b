/**
 * VGL-19 (fleet_executable_spread) fed events directly: it needs three hosts
 * starting the same new executable within ten minutes, reports it once, and
 * ignores old binaries, slow spreads and one host's repeated starts.
 */

import assert from "node:assert/strict";
import type { TraceeEvent } from "../../src/event/event.ts";
import type { OnEvent } from "../../src/sdk/mod.ts";
import { tracee } from "../_helpers/replay.ts";

const SECOND = 1_000_000_000n;
const T0 = 1_795_803_180n * SECOND;

let instances = 0;

/** A fresh instance of the signature and a `feed` returning its reports. */
async function load() {
  const url = new URL(
    "../../signatures/ts/fleet_executable_spread.ts",
    import.meta.url,
  );
  url.search = `instance=${++instances}`;
  const { onEvent } = await import(url.href) as { onEvent: OnEvent };
  return (event: Record<string, unknown>): unknown[] => {
    const reports: unknown[] = [];
    onEvent(
      event as unknown as TraceeEvent,
      (data) => reports.push(data ?? true),
    );
    return reports;
  };
}

/** A start of `path` on `host` at `time`, its file changed at `ctime`. */
function exec(
  host: string,
  path: string,
  time: bigint,
  ctime: bigint,
  extra: [string, string, unknown][] = [],
) {
  return tracee("sched_process_exec", [
    ["pathname", "const char*", path],
    ["ctime", "unsigned long", ctime],
    ...extra,
  ], { hostName: host, timestamp: time });
}

/** An ELF file written at `path` on `host`. */
function write(host: string, path: string) {
  return tracee("magic_write", [
    ["pathname", "const char*", path],
    ["bytes", "bytes", btoa("\x7fELF\x02\x01\x01\x00")],
  ], { hostName: host, timestamp: T0 });
}

Deno.test("VGL-19 reports a new executable started on three hosts, once", async () => {
  const feed = await load();
  const fresh = T0 - 60n * SECOND;
  assert.deepEqual(feed(exec("a", "/tmp/x", T0, fresh)), []);
  assert.deepEqual(feed(exec("a", "/tmp/x", T0 + SECOND, fresh)), []);
  assert.deepEqual(feed(exec("b", "/tmp/x", T0 + 2n * SECOND, fresh)), []);
  assert.deepEqual(feed(exec("c", "/tmp/x", T0 + 3n * SECOND, fresh)), [{
    pathname: "/tmp/x",
    sha256: "",
    hosts: ["a", "b", "c"],
    window_seconds: 600,
  }]);
  assert.deepEqual(feed(exec("d", "/tmp/x", T0 + 4n * SECOND, fresh)), []);
});

Deno.test("VGL-19 counts a file written on the host as new, whatever its ctime", async () => {
  const feed = await load();
  const old = T0 - 86_400n * SECOND;
  for (const host of ["a", "b", "c"]) feed(write(host, "/tmp/worm"));
  feed(exec("a", "/tmp/worm", T0, old));
  feed(exec("b", "/tmp/worm", T0, old));
  assert.equal(feed(exec("c", "/tmp/worm", T0, old)).length, 1);
});

Deno.test("VGL-19 ignores old binaries, one host's starts and slow spreads", async () => {
  const feed = await load();
  const old = T0 - 86_400n * SECOND;
  for (const host of ["a", "b", "c", "d"]) {
    assert.deepEqual(feed(exec(host, "/usr/bin/ls", T0, old)), []);
  }
  const fresh = (time: bigint) => time - 60n * SECOND;
  for (let i = 0n; i < 5n; i++) {
    assert.deepEqual(feed(exec("a", "/tmp/y", T0 + i, fresh(T0))), []);
  }
  // Eleven minutes between hosts: never three within the window.
  for (const [i, host] of ["a", "b", "c"].entries()) {
    const time = T0 + BigInt(i) * 660n * SECOND;
    assert.deepEqual(feed(exec(host, "/tmp/z", time, fresh(time))), []);
  }
});

Deno.test("VGL-19 knows one executable by its sha256 under any path", async () => {
  const feed = await load();
  const fresh = T0 - SECOND;
  const hash: [string, string, unknown][] = [["sha256", "const char*", "ab12"]];
  feed(exec("a", "/tmp/p1", T0, fresh, hash));
  feed(exec("b", "/var/tmp/p2", T0, fresh, hash));
  const [report] = feed(exec("c", "/dev/shm/p3", T0, fresh, hash));
  assert.deepEqual(report, {
    pathname: "/dev/shm/p3",
    sha256: "ab12",
    hosts: ["a", "b", "c"],
    window_seconds: 600,
  });
});
