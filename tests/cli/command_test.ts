/**
 * `bin/vigil`, the user-facing command: it replaces itself with the Deno
 * runtime, so the process tree is the sensor and its sandbox, with no
 * launcher above them; and it runs the sensor with `deno task start`'s
 * options, which are also those the sensor runs itself again with.
 */
import assert from "node:assert/strict";
import { VIGIL_DENO_FLAGS } from "../../src/cli/reexec.ts";
import { ROOT, TEST_CACHE_DIR } from "../_helpers/replay.ts";

const COMMAND = `${ROOT}bin/vigil`;

/** A process's command line, its arguments split. */
function cmdline(pid: number): string[] {
  return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0")
    .filter((arg) => arg !== "");
}

/** The pids of a process's children. */
function children(pid: number): number[] {
  return Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim()
    .split(/\s+/).filter(Boolean).map(Number);
}

Deno.test("bin/vigil passes deno task start's options, the ones the sensor runs itself again with", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    tasks: { start: { command: string } };
  };
  const flags = VIGIL_DENO_FLAGS.join(" ");
  assert.equal(config.tasks.start.command, `deno run ${flags} mod.ts`);
  const script = await Deno.readTextFile(COMMAND);
  assert.match(script, new RegExp(`^exec "\\$deno" run ${flags} `, "m"));
});

Deno.test("bin/vigil replaces itself with the sensor: its one child is the sandbox", async () => {
  const child = new Deno.Command(COMMAND, {
    args: ["--input", "-", "--cache-dir", TEST_CACHE_DIR],
    env: { VIGIL_DENO: Deno.execPath() },
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    // The sensor is up once its sandbox process is (OPA may run before).
    const isSandbox = (pid: number) =>
      cmdline(pid).some((arg) => arg.endsWith("/sandbox/child/main.ts"));
    let processes: number[] = [];
    for (let i = 0; i < 1200 && !processes.some(isSandbox); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      processes = children(child.pid);
    }
    const sensor = cmdline(child.pid);
    assert.equal(
      Deno.readLinkSync(`/proc/${child.pid}/exe`),
      Deno.readLinkSync("/proc/self/exe"),
    );
    assert.deepEqual(sensor.slice(1, 2 + VIGIL_DENO_FLAGS.length), [
      "run",
      ...VIGIL_DENO_FLAGS,
    ]);
    assert.equal(sensor[2 + VIGIL_DENO_FLAGS.length], `${ROOT}mod.ts`);
    assert.equal(processes.length, 1);
    assert.ok(isSandbox(processes[0]!));
  } finally {
    await child.stdin.close();
    const status = await child.status;
    const stderr = new TextDecoder().decode(
      (await new Response(child.stderr).arrayBuffer()) as ArrayBuffer,
    );
    assert.equal(status.code, 0, stderr);
  }
});
