/**
 * Credentials as NATS users give them, against a real broker that requires
 * them: user and password, or a token, in the URL; a wrong one publishes
 * nothing and keeps the findings in the spool.
 */

import assert from "node:assert/strict";
import { ignoreNatsTests, natsServer } from "../_helpers/nats.ts";
import { ROOT } from "../_helpers/replay.ts";
import { hostLines, runSensor } from "./_fleet.ts";

const SIGNATURES = `${ROOT}signatures/rego`;

for (
  const [kind, serverArgs, userinfo] of [
    [
      "user and password",
      ["--user", "alice", "--pass", "s3cret"],
      "alice:s3cret",
    ],
    ["a token", ["--auth", "t0ken"], "t0ken"],
  ] as const
) {
  Deno.test({
    name: `a sensor authenticates with ${kind} in the URL`,
    ignore: ignoreNatsTests(),
    async fn() {
      await using server = await natsServer({ args: [...serverArgs] });
      const lines = await hostLines(["shadow_file_read.jsonl"], "node-a", 2);
      const url = server.url.replace("nats://", `nats://${userinfo}@`);
      const sensor = await runSensor(url, server.dir, "good", lines, [
        "--signatures-dir",
        SIGNATURES,
      ]);
      assert.equal(sensor.code, 0, sensor.stderr);
      assert.match(sensor.stderr, /2 message\(s\) published to NATS/);

      const wrong = server.url.replace("nats://", "nats://mallory:guess@");
      const refused = await runSensor(wrong, server.dir, "bad", lines, [
        "--signatures-dir",
        SIGNATURES,
      ]);
      assert.equal(refused.code, 0, refused.stderr);
      assert.match(refused.stderr, /2 left in the spool/);
    },
  });
}
