/**
 * The sensor's spool against a real broker that is down: what a run could
 * not publish is delivered once the broker is back, in the same run or the
 * next, exactly once; past the spool's size the oldest are dropped and
 * counted.
 */

import assert from "node:assert/strict";
import { ignoreNatsTests, natsServer } from "../_helpers/nats.ts";
import { replay, ROOT, runVigil, spawnVigil } from "../_helpers/replay.ts";
import { assertSameFindings, hostLines, observer, until } from "./_fleet.ts";

const SIGNATURES = `${ROOT}signatures/rego`;

async function spoolFiles(dir: string): Promise<number> {
  let size = 0;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".seg")) {
        size += (await Deno.stat(`${dir}/${entry.name}`)).size;
      }
    }
  } catch {
    // Not created yet.
  }
  return size;
}

Deno.test({
  name:
    "a sensor spools while the broker is down and publishes once it is back",
  ignore: ignoreNatsTests(),
  async fn() {
    await using server = await natsServer({ started: false });
    const lines = await hostLines(["shadow_file_read.jsonl"], "node-a", 5);
    const spool = `${server.dir}/spool`;
    const sensor = spawnVigil([
      "--input",
      "-",
      "--output",
      server.url,
      "--signatures-dir",
      SIGNATURES,
      "--nats-spool",
      spool,
    ], { stdin: "piped" });
    const writer = sensor.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(lines.join("\n") + "\n"));
      await until("findings spooled", async () => await spoolFiles(spool) > 0);
      await server.start();
      await using look = await observer(server.url);
      await until(
        "findings published",
        async () => (await look.payloads("VIGIL_FINDINGS")).length >= 5,
      );
      await writer.close();
      const { code, stderr } = await sensor.output();
      assert.equal(code, 0, new TextDecoder().decode(stderr));
      const expected = await replay({ signatureDirs: [SIGNATURES], lines });
      assertSameFindings(
        await look.payloads("VIGIL_FINDINGS"),
        expected.findings,
      );
    } finally {
      try {
        sensor.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await sensor.status;
    }
  },
});

Deno.test({
  name: "the next run of a sensor sends what the last one spooled",
  ignore: ignoreNatsTests(),
  async fn() {
    await using server = await natsServer({ started: false });
    const lines = await hostLines(["ssh_private_key_read.jsonl"], "node-b", 4);
    const input = `${server.dir}/events.jsonl`;
    await Deno.writeTextFile(input, lines.join("\n") + "\n");
    const args = (path: string) => [
      "--input",
      path,
      "--output",
      server.url,
      "--signatures-dir",
      SIGNATURES,
      "--nats-spool",
      `${server.dir}/spool`,
    ];
    const down = await runVigil(args(input));
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, /4 left in the spool/);
    await server.start();
    const up = await runVigil(args("/dev/null"));
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /4 message\(s\) published/);
    await using look = await observer(server.url);
    const expected = await replay({ signatureDirs: [SIGNATURES], lines });
    assertSameFindings(
      await look.payloads("VIGIL_FINDINGS"),
      expected.findings,
    );
  },
});

Deno.test({
  name: "a full spool drops exactly the oldest messages and counts them",
  ignore: ignoreNatsTests(),
  async fn() {
    await using server = await natsServer({ started: false });
    const lines = await hostLines(["shadow_file_read.jsonl"], "node-c", 20);
    const input = `${server.dir}/events.jsonl`;
    await Deno.writeTextFile(input, lines.join("\n") + "\n");
    const expected = await replay({ signatureDirs: [SIGNATURES], lines });
    assert.equal(expected.findings.length, 20);
    const args = (path: string) => [
      "--input",
      path,
      "--output",
      server.url,
      "--signatures-dir",
      SIGNATURES,
      "--nats-spool",
      `${server.dir}/spool`,
      // Room for a few findings of about 2 KiB each.
      "--nats-spool-size",
      "8K",
    ];
    const down = await runVigil(args(input));
    assert.equal(down.code, 0, down.stderr);
    const dropped = Number(
      /(\d+) dropped from the full spool/.exec(down.stderr)?.[1],
    );
    const left = Number(/(\d+) left in the spool/.exec(down.stderr)?.[1]);
    assert.ok(dropped > 0 && left > 0, down.stderr);
    assert.equal(dropped + left, 20);
    await server.start();
    const up = await runVigil(args("/dev/null"));
    assert.equal(up.code, 0, up.stderr);
    await using look = await observer(server.url);
    // The survivors are the newest, in the order they were found.
    const newest = expected.findings.slice(dropped);
    assertSameFindings(await look.payloads("VIGIL_FINDINGS"), newest);
  },
});
