/**
 * A collector is a service: started before its broker (a node booting, the
 * broker's pod rescheduled), it says why it cannot connect yet, keeps
 * trying, and collects once the broker is up.
 */

import assert from "node:assert/strict";
import { ignoreNatsTests, natsServer } from "../_helpers/nats.ts";
import { BUILTIN_SIGNATURES, replay } from "../_helpers/replay.ts";
import {
  assertSameFindings,
  hostLines,
  observer,
  runSensor,
  selectedEvents,
  startCollector,
  until,
} from "./_fleet.ts";

const REGO_SIGNATURES = `${BUILTIN_SIGNATURES}/rego`;

Deno.test({
  name:
    "a collector started before the broker keeps trying, says why, and collects once it is up",
  ignore: ignoreNatsTests(),
  async fn() {
    await using server = await natsServer({ started: false });
    const collector = startCollector(server.url, {
      consumer: "early",
      signaturesDirs: [REGO_SIGNATURES],
    });
    let exited = false;
    collector.status.then(() => exited = true);
    let stderr = "";
    const reading = collector.stderr.pipeThrough(new TextDecoderStream())
      .pipeTo(new WritableStream({ write: (text) => void (stderr += text) }));
    try {
      await until("a refused attempt said", () => {
        assert.ok(!exited, `the collector waits for the broker\n${stderr}`);
        return Promise.resolve(/Cannot connect to NATS yet: /.test(stderr));
      });
      await server.start();
      const none = `${server.dir}/none`;
      await Deno.mkdir(none);
      const lines = await hostLines(["shadow_file_read.jsonl"], "node-a", 3);
      const sensor = await runSensor(server.url, server.dir, "sensor", lines, [
        "--signatures-dir",
        none,
        "--publish-events",
        await selectedEvents([REGO_SIGNATURES]),
      ]);
      assert.equal(sensor.code, 0, sensor.stderr);
      await using look = await observer(server.url);
      await until("every event acknowledged", async () => {
        assert.ok(!exited, "the collector keeps running");
        const progress = await look.progress("early");
        return progress.pending === 0 && progress.unacknowledged === 0;
      });
      const expected = await replay({
        signatureDirs: [REGO_SIGNATURES],
        lines,
      });
      assert.equal(expected.findings.length, 3);
      assertSameFindings(
        await look.payloads("VIGIL_FINDINGS"),
        expected.findings,
      );
    } finally {
      try {
        collector.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      const { code } = await collector.status;
      await reading;
      assert.equal(code, 0, stderr);
    }
    assert.match(stderr, /3 finding\(s\): 3 published/);
  },
});
