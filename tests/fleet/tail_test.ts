/**
 * `vigil tail` on a real broker: findings as they arrive, or from a start
 * time, filtered by host (a hostile name included) and by signature, in the
 * `--output` formats.
 */

import assert from "node:assert/strict";
import { parseJsonExact } from "../../src/event/mod.ts";
import type { TraceeEvent } from "../../src/event/mod.ts";
import { ignoreNatsTests, natsServer } from "../_helpers/nats.ts";
import { replay, ROOT } from "../_helpers/replay.ts";
import { assertSameFindings, hostLines, runSensor } from "./_fleet.ts";

const SIGNATURES = `${ROOT}signatures/rego`;
const HOSTILE_HOST = "node.b *>";

function startTail(url: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${ROOT}mod.ts`, "tail", url, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** Reads `child`'s stdout until it has `count` lines, then stops it. */
async function lines(
  child: Deno.ChildProcess,
  count: number,
): Promise<string[]> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    while (text.split("\n").length - 1 < count) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    child.kill("SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    clearTimeout(timer);
    await child.status;
    if (!child.stderr.locked) await child.stderr.cancel();
  }
  return text.split("\n").filter((line) => line !== "");
}

Deno.test({
  name:
    "vigil tail prints findings as they arrive and from a start time, by host and signature",
  ignore: ignoreNatsTests(),
  async fn() {
    await using server = await natsServer();
    const a = await hostLines(["shadow_file_read.jsonl"], "node-a", 2);
    const b = await hostLines(
      ["shadow_file_read.jsonl", "ssh_private_key_read.jsonl"],
      HOSTILE_HOST,
      2,
    );
    // The stream exists before the live tail starts from "now".
    const first = await runSensor(server.url, server.dir, "a", a, [
      "--signatures-dir",
      SIGNATURES,
    ]);
    assert.equal(first.code, 0, first.stderr);
    const live = startTail(server.url, ["--signature", "VGL-12", "-o", "json"]);
    // It prints only what comes once it follows the stream.
    const stderr = live.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let log = "";
    const stuck = setTimeout(() => live.kill("SIGKILL"), 60_000);
    while (!log.includes("Following")) {
      const { value, done } = await stderr.read();
      assert.ok(!done, log);
      log += value;
    }
    clearTimeout(stuck);
    (async () => {
      while (!(await stderr.read()).done) { /* drained */ }
    })();
    const second = await runSensor(server.url, server.dir, "b", b, [
      "--signatures-dir",
      SIGNATURES,
    ]);
    assert.equal(second.code, 0, second.stderr);
    const expectedB = (await replay({ signatureDirs: [SIGNATURES], lines: b }))
      .findings;
    const shadowB = expectedB.filter((f) => f.eventName === "shadow_file_read");
    assert.equal(shadowB.length, 2);
    assertSameFindings(await lines(live, 2), shadowB);

    const since = startTail(server.url, [
      "--since",
      "1h",
      "--host",
      HOSTILE_HOST,
      "-o",
      "json",
    ]);
    const printed = await lines(since, expectedB.length);
    assertSameFindings(printed, expectedB);
    for (const line of printed) {
      assert.equal(
        (parseJsonExact(line) as TraceeEvent).hostName,
        HOSTILE_HOST,
      );
    }

    const table = await lines(
      startTail(server.url, ["--since", "1h", "--host", "node-a"]),
      3,
    );
    assert.match(table[0]!, /^TIME +UID +COMM/);
    assert.equal(table.length, 3);
    assert.ok(table.slice(1).every((row) => row.includes("shadow_file_read")));
  },
});
