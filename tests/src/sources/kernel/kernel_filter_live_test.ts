/**
 * The kernel's argument and scope filters on real opens by real processes:
 * what the BPF programs let through is what the model in path_filter.ts
 * says, every open a glob matches among it, and only in-scope tasks' events.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type KernelScopeFilter,
  openKernelSource,
} from "../../../../src/sources/kernel/mod.ts";
import {
  compilePathFilter,
  pathFilterPasses,
  syscallPathPasses,
} from "../../../../src/sources/kernel/path_filter.ts";
import { GlobSet } from "../../../../src/model/glob.ts";
import type { TraceeEvent } from "../../../../src/event/event.ts";
import { checkAsyncProperty } from "../../../_helpers/property.ts";
import {
  argsOf,
  ARRIVAL_MS,
  captureEvents,
  collectRecords,
  ignoreKernelTests,
  waitFor,
} from "../../../_helpers/kernel.ts";

const ignore = ignoreKernelTests();
const NOBODY = 65534;

/** Runs `command`, then returns the events it and its children made. */
async function eventsOf(
  options: {
    patterns?: readonly string[];
    kernelScope?: KernelScopeFilter;
    /** The event the patterns gate on `pathname`. */
    event?: string;
    /** Other events traced, ungated. */
    also?: readonly string[];
  },
  commands: readonly (readonly string[])[],
): Promise<{ events: TraceeEvent[]; pids: number[]; dropped: number }> {
  const { patterns, kernelScope, event = "security_file_open", also = [] } =
    options;
  const source = await openKernelSource({
    events: new Set([event, ...also, "sched_process_exit"]),
    // Everything the kernel lets through is kept, to see its decision.
    ...(patterns
      ? {
        gate: (name: string) =>
          name === event
            ? { name: "pathname", matches: () => true, patterns }
            : undefined,
      }
      : {}),
    ...(kernelScope ? { kernelScope } : {}),
  });
  const collector = collectRecords(source);
  try {
    const pids: number[] = [];
    for (const args of commands) {
      const child = new Deno.Command(args[0]!, {
        args: args.slice(1),
        stdout: "null",
        stderr: "null",
      }).spawn();
      pids.push(child.pid);
      await child.status;
    }
    const last = pids.at(-1)!;
    const exited = await waitFor(() =>
      collector.records.some((record) =>
        record.eventName === "sched_process_exit" &&
        record.event().hostProcessId === last
      )
    );
    if (!exited) throw new Error(`No exit of ${last} within ${ARRIVAL_MS} ms`);
    await collector.stop();
    return {
      events: collector.records.map((record) => record.event()),
      pids,
      dropped: source.kernelDropped()[patterns ? "argument" : "scope"],
    };
  } finally {
    await collector.stop();
    await source.close();
  }
}

const NAME_CHARS = ["a", "b", ".", "-", "_", "é", "\u{1F600}"];
const fileName = fc.array(fc.constantFrom(...NAME_CHARS), {
  minLength: 1,
  maxLength: 5,
}).map((chars) => chars.join("")).filter((name) =>
  name !== "." && name !== ".."
);
const relativePath = fc.array(fileName, { minLength: 1, maxLength: 3 });

Deno.test({
  name:
    "the kernel's path filter drops exactly the opens its model rejects, and none a glob matches",
  ignore,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vigil-filter-" });
    const seen = { kept: 0, dropped: 0 };
    try {
      await checkAsyncProperty(
        fc.asyncProperty(
          fc.uniqueArray(relativePath, {
            minLength: 2,
            maxLength: 8,
            selector: (parts) => parts.join("/"),
          }),
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), {
            minLength: 1,
            maxLength: 4,
          }),
          async (files, starring) => {
            const run = Deno.makeTempDirSync({ dir });
            const paths = files.map((parts) => `${run}/${parts.join("/")}`);
            const made = paths.filter((path) => {
              try {
                Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), {
                  recursive: true,
                });
                Deno.writeTextFileSync(path, "");
                return true;
              } catch {
                return false; // a file where another path needs a directory
              }
            });
            // Stars in the run's part of a path (anchored entries), or a
            // star before one of its '/' (anywhere entries).
            const patterns = starring.map(([which, at, length]) => {
              const path = paths[which % paths.length]!;
              const start = run.length + (at % (path.length - run.length));
              if (length % 2 === 0) {
                return `*${path.slice(path.lastIndexOf("/", start))}${
                  length % 4 === 0 ? "" : "*"
                }`;
              }
              return `${path.slice(0, start)}*${
                path.slice(start + (length % 4))
              }`;
            });
            const plan = compilePathFilter(patterns);
            assert.ok(plan, `no plan for ${JSON.stringify(patterns)}`);
            const { events, pids } = await eventsOf({ patterns }, [[
              "sh",
              "-c",
              'for f in "$@"; do : < "$f"; done',
              "sh",
              ...made,
            ]]);
            const opened = new Set(
              events.filter((event) =>
                event.eventName === "security_file_open" &&
                event.hostProcessId === pids[0]
              ).map((event) => String(argsOf(event).pathname)),
            );
            const set = new GlobSet(patterns);
            for (const path of made) {
              const passes = pathFilterPasses(plan, path);
              assert.equal(opened.has(path), passes, `${path} (kernel)`);
              seen[passes ? "kept" : "dropped"]++;
              if (set.matches(path)) assert.ok(passes, `${path} (model)`);
            }
          },
        ),
        { numRuns: 8 },
      );
      // Both decisions were made on real opens.
      assert.ok(seen.kept > 0 && seen.dropped > 0, JSON.stringify(seen));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "paths across mount points (a tmpfs in a tmpfs) are reported whole and filtered whole in the kernel",
  ignore,
  async fn() {
    const dir = Deno.realPathSync(
      Deno.makeTempDirSync({ prefix: "vigil-mounts-" }),
    );
    const mounted: string[] = [];
    const mount = (at: string) => {
      Deno.mkdirSync(at, { recursive: true });
      const run = new Deno.Command("mount", {
        args: ["-t", "tmpfs", "vigil-test", at],
      }).outputSync();
      assert.ok(run.success, new TextDecoder().decode(run.stderr));
      mounted.unshift(at);
    };
    try {
      mount(`${dir}/outer`);
      mount(`${dir}/outer/inner`);
      const files = ["secret.key", "other", "plain"].map((name) =>
        `${dir}/outer/inner/x/${name}`
      );
      Deno.mkdirSync(`${dir}/outer/inner/x`);
      for (const file of files) Deno.writeTextFileSync(file, "");
      const reads = [["cat", ...files]];
      const opened = (events: TraceeEvent[], pid: number) =>
        events.filter((event) =>
          event.eventName === "security_file_open" &&
          event.hostProcessId === pid
        ).map((event) => String(argsOf(event).pathname))
          .filter((path) => path.startsWith(`${dir}/`)).sort();

      const all = await eventsOf({}, reads);
      assert.deepEqual(opened(all.events, all.pids[0]!), [...files].sort());

      const patterns = [`${dir}/outer/inner/x/secret*`, "*/inner/x/other"];
      const filtered = await eventsOf({ patterns }, reads);
      assert.deepEqual(
        opened(filtered.events, filtered.pids[0]!),
        files.slice(0, 2).sort(),
      );
      assert.ok(filtered.dropped >= 1, `dropped ${filtered.dropped}`);
    } finally {
      for (const at of mounted) {
        new Deno.Command("umount", { args: [at] }).outputSync();
      }
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the kernel's path filter counts what it drops",
  ignore,
  async fn() {
    const { events, pids, dropped } = await eventsOf(
      { patterns: ["/etc/shadow", "*/.ssh/id_*"] },
      [["cat", "/etc/hostname", "/etc/passwd"]],
    );
    assert.ok(dropped >= 2, `dropped ${dropped}`);
    assert.ok(
      !events.some((event) =>
        event.eventName === "security_file_open" &&
        event.hostProcessId === pids[0]
      ),
    );
  },
});

/** A temp dir with a world-readable file, and a `cat` named `name` in it. */
function catNamed(dir: string, name: string): string {
  const path = `${dir}/${name}`;
  Deno.symlinkSync("/usr/bin/cat", path);
  return path;
}

Deno.test({
  name: "a comm scope keeps only the events of processes with that name",
  ignore,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vigil-scope-" });
    try {
      const file = `${dir}/file`;
      Deno.writeTextFileSync(file, "x");
      const { events, pids } = await eventsOf(
        { kernelScope: { comms: ["vigil-in"] } },
        [[catNamed(dir, "vigil-out"), file], [catNamed(dir, "vigil-in"), file]],
      );
      const [outside, inside] = pids;
      assert.ok(events.every((event) => event.processName === "vigil-in"));
      assert.ok(!events.some((event) => event.hostProcessId === outside));
      assert.ok(
        events.some((event) =>
          event.hostProcessId === inside &&
          event.eventName === "security_file_open" &&
          argsOf(event).pathname === file
        ),
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a uid scope keeps only the events of that user's processes",
  ignore,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vigil-scope-" });
    try {
      Deno.chmodSync(dir, 0o755);
      const file = `${dir}/file`;
      Deno.writeTextFileSync(file, "x", { mode: 0o644 });
      const { events, pids } = await eventsOf(
        { kernelScope: { uids: [NOBODY] } },
        [
          ["cat", file],
          [
            "setpriv",
            `--reuid=${NOBODY}`,
            `--regid=${NOBODY}`,
            "--clear-groups",
            "cat",
            file,
          ],
        ],
      );
      const [root, nobody] = pids;
      assert.ok(events.every((event) => event.userId === NOBODY));
      assert.ok(!events.some((event) => event.hostProcessId === root));
      assert.ok(
        events.some((event) =>
          event.hostProcessId === nobody &&
          event.eventName === "security_file_open" &&
          argsOf(event).pathname === file
        ),
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "openKernelSource() refuses an empty scope list",
  ignore,
  async fn() {
    await assert.rejects(
      openKernelSource({
        events: new Set(["security_file_open"]),
        kernelScope: { uids: [] },
      }),
      RangeError,
    );
  },
});

Deno.test({
  name:
    "mem_prot_alert alone still reports an mprotect that makes memory executable, and none that does not",
  ignore,
  async fn() {
    // Its exit hook returns before the inflight map when the saved
    // registers say PROT_EXEC was not asked.
    const alert = await captureEvents(["mem_prot_alert"], ["w-to-x"]);
    assert.equal(
      alert.events.filter((event) => event.eventName === "mem_prot_alert")
        .length,
      1,
    );
    const none = await captureEvents(["mem_prot_alert"], ["traceme"]);
    assert.deepEqual(none.events, []);
  },
});

Deno.test({
  name:
    "the kernel drops openat events whose absolute pathname no prefix or exact path starts, and keeps relative ones",
  ignore,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vigil-openat-" });
    try {
      for (const name of ["keep-1", "keep-2", "drop"]) {
        Deno.writeTextFileSync(`${dir}/${name}`, "");
      }
      const patterns = [`${dir}/keep-*`, "/etc/shadow"];
      const plan = compilePathFilter(patterns)!;
      const { events, pids, dropped } = await eventsOf(
        { patterns, event: "openat", also: ["security_file_open"] },
        [[
          "sh",
          "-c",
          `cd ${dir} && for f in "$@"; do : < "$f"; done`,
          "sh",
          `${dir}/keep-1`,
          `${dir}/drop`,
          "keep-2",
          "drop",
        ]],
      );
      const opened = events.filter((event) =>
        event.eventName === "openat" && event.hostProcessId === pids[0]
      ).map((event) => String(argsOf(event).pathname));
      // Relative ones arrive resolved: the kernel let them through.
      assert.deepEqual(
        opened.filter((path) => path.startsWith(dir)),
        [`${dir}/keep-1`, `${dir}/keep-2`, `${dir}/drop`],
      );
      assert.ok(dropped >= 1, `dropped ${dropped}`);
      // The same records still carry security_file_open, which is not gated.
      const files = events.filter((event) =>
        event.eventName === "security_file_open" &&
        event.hostProcessId === pids[0]
      ).map((event) => String(argsOf(event).pathname));
      assert.deepEqual(
        files.filter((path) => path.startsWith(dir)),
        [`${dir}/keep-1`, `${dir}/drop`, `${dir}/keep-2`, `${dir}/drop`],
      );
      assert.equal(syscallPathPasses(plan, `${dir}/drop`), false);
      assert.equal(syscallPathPasses(plan, `${dir}/keep-1`), true);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "after refilter() with other globs, the kernel passes the paths the new globs want",
  ignore,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vigil-refilter-" });
    let patterns = ["/vigil-nowhere/*"];
    const gate = (name: string) =>
      name === "security_file_open"
        ? { name: "pathname", matches: () => true, patterns }
        : undefined;
    const source = await openKernelSource({
      events: new Set(["security_file_open", "sched_process_exit"]),
      gate,
    });
    const collector = collectRecords(source);
    const catFile = async (file: string) => {
      Deno.writeTextFileSync(file, "x");
      const child = new Deno.Command("cat", {
        args: [file],
        stdout: "null",
      }).spawn();
      await child.status;
      const exited = await waitFor(() =>
        collector.records.some((record) =>
          record.eventName === "sched_process_exit" &&
          record.event().hostProcessId === child.pid
        )
      );
      assert.ok(exited, `no exit of ${child.pid}`);
    };
    const opened = (file: string) =>
      collector.records.some((record) =>
        record.eventName === "security_file_open" &&
        argsOf(record.event()).pathname === file
      );
    try {
      await catFile(`${dir}/before`);
      assert.ok(!opened(`${dir}/before`), "the first globs let it through");
      patterns = [`${dir}/*`];
      source.refilter(gate);
      await catFile(`${dir}/after`);
      assert.ok(opened(`${dir}/after`), "the new globs' path was dropped");
    } finally {
      await collector.stop();
      await source.close();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
