/**
 * The fleet end to end on a real `nats-server -js` (loopback, free port, its
 * own store): sensors publish base events, collectors run the signatures
 * over every host's events, and the findings stream holds exactly what one
 * local replay of all the hosts' events gives, once each, whatever happens
 * to a collector or the broker in between.
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
  stopCollector,
  until,
} from "./_fleet.ts";

const REGO_SIGNATURES = `${BUILTIN_SIGNATURES}/rego`;

/** What each host does: the benign workload plus attacks of its own. */
const HOSTS: Record<string, string[]> = {
  "node-a": [
    "benign_workload.jsonl",
    "shadow_file_read.jsonl",
    "kernel_module_loading.jsonl",
  ],
  "node.b *>": [
    "benign_workload.jsonl",
    "ssh_private_key_read.jsonl",
    "code_injection_ptrace.jsonl",
  ],
  "node-c": [
    "benign_workload.jsonl",
    "disk_mount.jsonl",
    "k8s_credentials_access.jsonl",
    "anti_debugging.jsonl",
  ],
};

async function emptyDir(dir: string): Promise<string> {
  await Deno.mkdir(`${dir}/none`, { recursive: true });
  return `${dir}/none`;
}

Deno.test({
  name:
    "three sensors and two collectors give each expected finding once, across a collector's SIGKILL and a broker restart",
  ignore: ignoreNatsTests(),
  async fn() {
    await using server = await natsServer();
    await using look = await observer(server.url);
    const streams = await Promise.all(
      // Enough events that a collector is killed with work left.
      Object.entries(HOSTS).map(([host, files]) => hostLines(files, host, 20)),
    );
    // Sensors without signatures: the findings stream holds the collectors'.
    const none = await emptyDir(server.dir);
    const publish = await selectedEvents([REGO_SIGNATURES]);
    const sensors = await Promise.all(
      streams.map((lines, i) =>
        runSensor(server.url, server.dir, `sensor${i}`, lines, [
          "--signatures-dir",
          none,
          "--publish-events",
          publish,
        ])
      ),
    );
    for (const sensor of sensors) {
      assert.equal(sensor.code, 0, sensor.stderr);
      assert.doesNotMatch(sensor.stderr, /spool/, "everything was sent");
    }

    const expected = await replay({
      signatureDirs: [REGO_SIGNATURES],
      lines: streams.flat(),
    });
    assert.deepEqual(expected.errors, []);
    assert.ok(expected.findings.length >= 6, "the union has findings");

    const collect = { consumer: "shared", signaturesDirs: [REGO_SIGNATURES] };
    // The first collector dies (SIGKILL) once it has acknowledged something
    // and before everything is.
    const first = startCollector(server.url, collect);
    let exited = false;
    first.status.then(() => exited = true);
    let killedMidStream = false;
    try {
      await until("the first acknowledgements", async () => {
        assert.ok(!exited, "the first collector runs");
        const progress = await look.progress("shared");
        if (progress.acknowledged === 0) return false;
        killedMidStream = progress.pending + progress.unacknowledged > 0;
        return true;
      });
    } finally {
      first.kill("SIGKILL");
      await first.status;
    }
    assert.ok(killedMidStream, "the collector was killed mid-stream");
    // Two collectors share the rest while the broker restarts under them.
    const collectors = [
      startCollector(server.url, collect),
      startCollector(server.url, collect),
    ];
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await server.stop();
      await server.start();
      await until("every event acknowledged", async () => {
        const progress = await look.progress("shared");
        return progress.pending === 0 && progress.unacknowledged === 0;
      });
    } finally {
      for (const collector of collectors) {
        const { stderr } = await stopCollector(collector);
        assert.doesNotMatch(stderr, /vigil error/);
      }
    }
    assertSameFindings(
      await look.payloads("VIGIL_FINDINGS"),
      expected.findings,
    );
  },
});

Deno.test({
  name:
    "the fleet signature fires once when three hosts run the same dropped binary, under two replica collectors",
  ignore: ignoreNatsTests(),
  async fn() {
    await using server = await natsServer();
    await using look = await observer(server.url);
    const none = await emptyDir(server.dir);
    const publish = await selectedEvents([BUILTIN_SIGNATURES]);
    const streams: string[][] = [];
    for (const host of ["node-1", "node-2", "node-3"]) {
      const lines = await hostLines(["dropped_executable.jsonl"], host);
      streams.push(lines);
      // One after another: the stream's order is the union's.
      const sensor = await runSensor(server.url, server.dir, host, lines, [
        "--signatures-dir",
        none,
        "--publish-events",
        publish,
      ]);
      assert.equal(sensor.code, 0, sensor.stderr);
      assert.doesNotMatch(sensor.stderr, /spool/, "everything was sent");
    }
    const expected = await replay({
      signatureDirs: [BUILTIN_SIGNATURES],
      lines: streams.flat(),
    });
    const spreads = expected.findings.filter((f) =>
      f.eventName === "fleet_executable_spread"
    );
    assert.equal(spreads.length, 1);
    // Replicas: each reads every event; the server drops the second copy.
    const collectors = ["replica-1", "replica-2"].map((consumer) =>
      startCollector(server.url, {
        consumer,
        signaturesDirs: [BUILTIN_SIGNATURES],
      })
    );
    try {
      for (const consumer of ["replica-1", "replica-2"]) {
        await until(`${consumer} done`, async () => {
          const progress = await look.progress(consumer);
          return progress.pending === 0 && progress.unacknowledged === 0;
        });
      }
    } finally {
      for (const collector of collectors) await stopCollector(collector);
    }
    assertSameFindings(
      await look.payloads("VIGIL_FINDINGS"),
      expected.findings,
    );
  },
});
