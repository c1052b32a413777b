/**
 * A sandbox killed from outside, mid-batch or while signatures load: it is
 * restarted, the restart is said and counted, no one is charged, and no
 * finding is lost.
 */
import assert from "node:assert/strict";
import { argumentValue } from "../../src/event/event.ts";
import { stringifyJson } from "../../src/event/json.ts";
import type { SandboxRestart } from "../../src/sandbox/mod.ts";
import { spawnVigil } from "../_helpers/replay.ts";
import {
  assertBenignComplete,
  ETC_OPENS,
  ETC_PATHS,
  HOSTILE,
  LIB,
  paths,
  run,
  sandboxPids,
  stream,
} from "./_containment.ts";

Deno.test("a sandbox killed from outside mid-batch restarts with a reported cause, charges no one, and loses nothing", async () => {
  const undisturbed = await run(["benign", "announcer"], {
    deadlineMs: 10_000,
  });
  const restarts: SandboxRestart[] = [];
  let killed = false;
  const disturbed = await run(["benign", "announcer"], {
    deadlineMs: 10_000,
    onRestart: (restart) => restarts.push(restart),
    onLog: (_index, message) => {
      // The announcer logs as it starts an event: a batch is pending.
      if (killed || !message.startsWith("working on /etc/file8")) return;
      killed = true;
      for (const pid of sandboxPids("self")) Deno.kill(pid, "SIGKILL");
    },
  });
  assert.ok(killed);
  assertBenignComplete(disturbed);
  assert.deepEqual(paths(disturbed, "announcer"), ETC_PATHS);
  assert.deepEqual(
    disturbed.findings.map((f) => [f.eventName, argumentValue(f, "path")])
      .sort(),
    undisturbed.findings.map((f) => [f.eventName, argumentValue(f, "path")])
      .sort(),
  );
  assert.equal(restarts.length, 1, JSON.stringify(restarts));
  assert.deepEqual(restarts[0], {
    cause: "the sandbox process was killed by SIGKILL",
    signature: undefined,
    count: 1,
  });
  for (const health of Object.values(disturbed.health)) {
    assert.equal(health.kills, 0);
    assert.equal(health.failures, 0);
  }
});

Deno.test("a sandbox killed from outside while a signature loads is restarted, and that signature loaded again, not refused", async () => {
  const restarts: SandboxRestart[] = [];
  let killed = false;
  // The chatter loads first and talks while the others load.
  const result = await run(["blind_chatter", "benign"], {
    onRestart: (restart) => restarts.push(restart),
    onLog: () => {
      if (killed) return;
      killed = true;
      for (const pid of sandboxPids("self")) Deno.kill(pid, "SIGKILL");
    },
  });
  assert.ok(killed);
  assert.deepEqual(result.errors, []);
  assertBenignComplete(result);
  assert.deepEqual(paths(result, "blind_chatter"), ETC_PATHS);
  assert.equal(restarts.length, 1, JSON.stringify(restarts));
  assert.equal(restarts[0]!.signature, undefined);
});

Deno.test("vigil warns once per sandbox restart with its cause, and counts restarts in --stats and its summary", async () => {
  const dirs = ["benign", "announcer"].flatMap((
    dir,
  ) => ["--signatures-dir", `${HOSTILE}/${dir}`]);
  const child = spawnVigil([
    ...dirs,
    "--signatures-dir",
    LIB,
    "--deadline",
    "10000",
    "--stats",
    "--output",
    "json",
    "--input",
    "-",
  ], { stdin: "piped" });
  const stdout = new Response(child.stdout).text();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(
      stream.map((event) => stringifyJson(event)).join("\n") + "\n",
    ),
  );
  await writer.close();
  let stderr = "";
  let killed = false;
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    stderr += chunk;
    if (!killed && stderr.includes("ANNOUNCER: working on /etc/file8")) {
      killed = true;
      for (const pid of sandboxPids(child.pid)) Deno.kill(pid, "SIGKILL");
    }
  }
  const { code } = await child.status;
  assert.equal(code, 0, stderr);
  assert.ok(killed, stderr);
  const warnings = stderr.split("\n").filter((line) =>
    line.includes("Restarting the sandbox")
  );
  assert.equal(warnings.length, 1, stderr);
  assert.match(
    warnings[0]!,
    /: Restarting the sandbox \(restart 1\): the sandbox process was killed by SIGKILL; no signature was charged$/,
  );
  assert.match(stderr, /^sandbox restarts: 1$/m);
  assert.match(stderr, /processed, \d+ finding\(s\), 1 sandbox restart\(s\)/);
  const found = (await stdout).split("\n").filter((line) =>
    line.includes('"eventName":"announcer"')
  );
  assert.equal(found.length, ETC_OPENS);
});
