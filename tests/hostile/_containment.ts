/**
 * What the containment tests share: the replayed stream (opens under /etc and
 * /tmp), a replay through given signature directories beside the helpers,
 * and checks of the benign signatures' findings.
 *
 * @module
 */
import assert from "node:assert/strict";
import { argumentValue } from "../../src/event/event.ts";
import type { SandboxOptions } from "../../src/sandbox/mod.ts";
import { replay, type ReplayResult, ROOT, tracee } from "../_helpers/replay.ts";

export const HOSTILE = `${ROOT}tests/hostile/signatures`;
export const LIB = `${ROOT}signatures/lib`;
export const EVENTS = 40;
export const ETC_OPENS = EVENTS / 2;

export const stream = Array.from(
  { length: EVENTS },
  (_, i) =>
    tracee("openat", [
      ["dirfd", "int", -100],
      ["pathname", "const char*", `/${i % 2 === 0 ? "etc" : "tmp"}/file${i}`],
      ["flags", "string", "O_RDONLY"],
      ["mode", "umode_t", 0],
    ], { processId: 1000 + i }),
);

/**
 * Replays the stream through the given signature directories and the
 * helpers. The deadline is long: only the freeze test is about deadlines,
 * and the others must hold on a machine loaded far beyond its cores.
 */
export function run(
  dirs: string[],
  sandbox: SandboxOptions = {},
): Promise<ReplayResult> {
  return replay({
    signatureDirs: [...dirs.map((dir) => `${HOSTILE}/${dir}`), LIB],
    lines: stream,
    batchSize: 8,
    sandbox: {
      deadlineMs: 5000,
      memoryMiB: 64,
      quarantineAfter: 2,
      ...sandbox,
    },
  });
}

/** The paths a signature found, sorted. */
export function paths(result: ReplayResult, eventName: string): string[] {
  return result.findings.filter((f) => f.eventName === eventName)
    .map((f) => String(argumentValue(f, "path"))).sort();
}

/** Every open under /etc, sorted as `paths()` sorts. */
export const ETC_PATHS = stream.map((event) =>
  String((event.args as { value: unknown }[])[1]!.value)
).filter((path) => path.startsWith("/etc/")).sort();

/** The benign signatures found every open under /etc, exactly once. */
export function assertBenignComplete(result: ReplayResult): void {
  for (const name of ["benign_rego", "benign_ts"]) {
    assert.deepEqual(
      paths(result, name),
      ETC_PATHS,
      `${name}; health ${JSON.stringify(result.health)}; errors ${
        result.errors.join(" | ")
      }`,
    );
  }
}

/** The pids of the sandbox processes `parent` started. */
export function sandboxPids(parent: number | "self"): number[] {
  const pids: number[] = [];
  for (const task of Deno.readDirSync(`/proc/${parent}/task`)) {
    const children = Deno.readTextFileSync(
      `/proc/${parent}/task/${task.name}/children`,
    );
    for (const pid of children.split(" ").filter(Boolean).map(Number)) {
      try {
        const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
        // Not prlimit (util-linux) just before it becomes the sandbox.
        if (
          !argv[0]!.endsWith("prlimit") &&
          argv.some((arg) => arg.endsWith("sandbox/child/main.ts"))
        ) {
          pids.push(pid);
        }
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return pids;
}
