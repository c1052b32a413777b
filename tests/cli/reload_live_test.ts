/**
 * Reloading signatures while the sensor watches the real kernel: SIGHUP and
 * --watch load added, changed and removed files without restarting the
 * kernel source, a broken edit keeps the previous version, and every event
 * of processes running across the reloads is evaluated exactly once.
 */
import assert from "node:assert/strict";
import { parseJsonExact } from "../../src/event/json.ts";
import type { TraceeEvent } from "../../src/event/event.ts";
import { ROOT, spawnVigil } from "../_helpers/replay.ts";
import { ARRIVAL_MS, ignoreKernelTests } from "../_helpers/kernel.ts";
import { Lines } from "../_helpers/lines.ts";

/** A signature in the seed's shape: openat of `path` is finding `event`. */
function opensSignature(name: string, path: string): string {
  return `package tracee.${name}

import data.tracee.helpers

__rego_metadoc__ := {
    "id": "${name}-0.1.0",
    "version": "0.1.0",
    "name": "${name}",
    "eventName": "${name.toLowerCase()}",
    "description": "Reads of ${path}",
}

tracee_selected_events[{"source": "tracee", "name": "openat"}]

tracee_match {
    input.eventName == "openat"
    helpers.get_tracee_argument("pathname") == "${path}"
}
`;
}

async function signatureDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "vigil-reload-" });
  await Deno.copyFile(
    `${ROOT}signatures/lib/helpers.rego`,
    `${path}/helpers.rego`,
  );
  await Deno.writeTextFile(
    `${path}/mine.rego`,
    opensSignature("Mine", "/etc/passwd"),
  );
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** The pid of `cat <path>`, run to its end. */
async function cat(path: string): Promise<number> {
  const child = new Deno.Command("cat", { args: [path], stdout: "null" })
    .spawn();
  await child.status;
  return child.pid;
}

/** The findings printed so far, as events. */
function findings(stdout: Lines): TraceeEvent[] {
  return stdout.lines.filter((line) => line.startsWith("{")).map((line) =>
    parseJsonExact(line) as TraceeEvent
  );
}

/** Waits for the finding `event` of process `pid`. */
async function finding(stdout: Lines, event: string, pid: number) {
  await stdout.waitFor(
    (line) =>
      line.includes(`"processId":${pid},`) &&
      line.includes(`"eventName":"${event}"`),
    ARRIVAL_MS,
  );
}

Deno.test({
  name:
    "SIGHUP loads an added signature, keeps a broken edit's previous version, drops a removed one, and evaluates every event once across the reloads",
  ignore: ignoreKernelTests(),
  async fn() {
    await using dir = await signatureDir();
    const vigil = spawnVigil(["-s", dir.path, "-o", "json"]);
    const stdout = new Lines(vigil.stdout);
    const stderr = new Lines(vigil.stderr);
    const reloaded = async (match: (line: string) => boolean) => {
      const from = stderr.lines.length;
      vigil.kill("SIGHUP");
      await stderr.waitFor(
        (line) => line.includes("Reloaded") && match(line),
        60_000,
        from,
      );
    };
    let status: Deno.CommandStatus | undefined;
    try {
      await stderr.waitFor((l) => l.includes("Watching the kernel"), 30_000);
      // Readers of /etc/passwd run all along, across every reload.
      const readers: number[] = [];
      let reading = true;
      const background = (async () => {
        while (reading) {
          readers.push(await cat("/etc/passwd"));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      try {
        await Deno.writeTextFile(
          `${dir.path}/theirs.rego`,
          opensSignature("Theirs", "/etc/hostname"),
        );
        await reloaded((line) => line.includes("added Theirs-0.1.0"));
        await finding(stdout, "theirs", await cat("/etc/hostname"));

        // A broken edit: the previous Mine keeps running, and says why.
        await Deno.writeTextFile(
          `${dir.path}/mine.rego`,
          "package tracee.Mine\n\ntracee_match {",
        );
        const from = stderr.lines.length;
        await reloaded(() => true);
        const kept = await stderr.waitFor(
          (line) => line.includes("previous version keeps running"),
          1000,
          from,
        );
        assert.match(kept.line, /mine\.rego/);
        await finding(stdout, "mine", await cat("/etc/passwd"));

        await Deno.remove(`${dir.path}/theirs.rego`);
        await reloaded((line) => line.includes("removed Theirs-0.1.0"));
      } finally {
        reading = false;
        await background;
      }
      const removed = await cat("/etc/hostname");
      const marker = await cat("/etc/passwd");
      await finding(stdout, "mine", marker);
      for (const pid of readers) await finding(stdout, "mine", pid);
      const all = findings(stdout);
      assert.deepEqual(
        all.filter((e) => e.processId === removed),
        [],
        "the removed signature still fired",
      );
      // Exactly one finding per reader: none lost or doubled by a swap.
      for (const pid of readers) {
        const count = all.filter((e) =>
          e.processId === pid && e.eventName === "mine"
        ).length;
        assert.equal(count, 1, `reader ${pid}: ${count} findings`);
      }
      assert.ok(readers.length >= 5, `${readers.length} readers`);
    } finally {
      vigil.kill("SIGINT");
      status = await vigil.status;
      await Promise.all([stdout.ended(), stderr.ended()]);
    }
    assert.equal(status.code, 0, stderr.lines.join("\n"));
    // The run's totals span the reloads (one kernel source throughout).
    assert.equal(
      stderr.lines.filter((l) => l.includes("Watching the kernel")).length,
      1,
    );
  },
});

Deno.test({
  name: "--watch reloads once a signature file is added, without a signal",
  ignore: ignoreKernelTests(),
  async fn() {
    await using dir = await signatureDir();
    const vigil = spawnVigil(["-s", dir.path, "-o", "json", "--watch"]);
    const stdout = new Lines(vigil.stdout);
    const stderr = new Lines(vigil.stderr);
    try {
      await stderr.waitFor((l) => l.includes("Watching the kernel"), 30_000);
      // A finding proves the run has started, and with it the watcher.
      await finding(stdout, "mine", await cat("/etc/passwd"));
      await Deno.writeTextFile(
        `${dir.path}/theirs.rego`,
        opensSignature("Theirs", "/etc/hostname"),
      );
      await stderr.waitFor(
        (line) => line.includes("added Theirs-0.1.0"),
        60_000,
      );
      await finding(stdout, "theirs", await cat("/etc/hostname"));
    } finally {
      vigil.kill("SIGINT");
      await vigil.status;
      await Promise.all([stdout.ended(), stderr.ended()]);
    }
    const reloads = stderr.lines.filter((l) => l.includes("Reloaded"));
    assert.equal(reloads.length, 1, reloads.join("\n"));
  },
});
