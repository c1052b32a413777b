/**
 * The events stream is input like any other: anything with credentials to
 * publish may put any bytes on it. A collector given hostile messages among
 * good ones skips each bad one alone (counted, acknowledged), keeps running,
 * and publishes exactly the findings of the good ones.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { ignoreNatsTests, natsServer } from "../_helpers/nats.ts";
import { FIXED_SEED } from "../_helpers/property.ts";
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

const encoder = new TextEncoder();

/** Values of any JSON type but `type`'s. */
function notOfType(type: "number" | "string" | "array") {
  const isType = {
    number: (value: unknown) => typeof value === "number",
    string: (value: unknown) => typeof value === "string",
    array: (value: unknown) => Array.isArray(value),
  }[type];
  return fc.jsonValue({ maxDepth: 3 }).filter((value) => !isType(value));
}

const FIELD_TYPES = {
  timestamp: "number",
  processId: "number",
  argsNum: "number",
  eventName: "string",
  hostName: "string",
  containerId: "string",
  args: "array",
} as const;

/**
 * Hostile messages made from `line` (an event) and at random: `invalid`
 * are certainly not events (a field of the wrong type, the line cut short,
 * too deep, out of range, not UTF-8); `unselected` are random bytes and JSON
 * values, which no signature selects even when they parse as an event.
 */
function hostilePayloads(line: string, seed: number) {
  const event = JSON.parse(line);
  const wrongTypes = Object.entries(FIELD_TYPES).flatMap(([field, type]) =>
    fc.sample(notOfType(type), { seed, numRuns: 8 }).map((value) =>
      JSON.stringify({ ...event, [field]: value })
    )
  );
  const cut = fc.sample(fc.nat({ max: line.length - 1 }), {
    seed,
    numRuns: 30,
  }).map((end) => line.slice(0, end).trimEnd() || "{");
  const invalid = [
    ...wrongTypes,
    ...cut,
    "[".repeat(200_000),
    `{"args":${"[".repeat(50_000)}1${"]".repeat(50_000)}}`,
    line.replace('"processId":', '"processId":1e400,"x":'),
    line.replace(
      /"containerId":"[^"]*"/,
      '"containerId":123456789012345678901',
    ),
  ].map((text) => encoder.encode(text));
  invalid.push(new Uint8Array([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x7d]));
  const unselected = fc.sample(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 400 }),
      fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value)),
    ),
    { seed, numRuns: 60 },
  ).map((text) => encoder.encode(text));
  return { invalid, unselected };
}

Deno.test({
  name:
    "a collector skips hostile messages on the events stream one by one and publishes exactly the good events' findings",
  ignore: ignoreNatsTests(),
  async fn() {
    await using server = await natsServer();
    await using look = await observer(server.url);
    const publish = await selectedEvents([BUILTIN_SIGNATURES]);
    const none = `${server.dir}/none`;
    await Deno.mkdir(none);
    const before = await hostLines(
      ["benign_workload.jsonl", "shadow_file_read.jsonl"],
      "node-a",
    );
    const after = await hostLines(
      ["ssh_private_key_read.jsonl", "benign_workload.jsonl"],
      "node-b",
    );
    const sensor = (name: string, lines: string[]) =>
      runSensor(server.url, server.dir, name, lines, [
        "--signatures-dir",
        none,
        "--publish-events",
        publish,
      ]);
    assert.equal((await sensor("before", before)).code, 0);

    const { invalid, unselected } = hostilePayloads(
      before.find((line) => line.includes('"security_file_open"'))!,
      FIXED_SEED,
    );
    const hostile = [...invalid, ...unselected];
    const connection = await connect({
      servers: server.url.replace("nats://", ""),
    });
    try {
      const js = jetstream(connection);
      for (const payload of hostile) {
        await js.publish("vigil.events.node-a.security_file_open", payload);
      }
    } finally {
      await connection.close();
    }
    assert.equal((await sensor("after", after)).code, 0);

    const expected = await replay({
      signatureDirs: [BUILTIN_SIGNATURES],
      lines: [...before, ...after],
    });
    assert.deepEqual(expected.errors, []);
    assert.ok(expected.findings.length >= 2, "both hosts' attacks are found");

    const collector = startCollector(server.url, {
      consumer: "hostile",
      signaturesDirs: [BUILTIN_SIGNATURES],
    });
    let exited = false;
    collector.status.then(() => exited = true);
    let stderr = "";
    try {
      await until("every message acknowledged", async () => {
        assert.ok(!exited, "the collector keeps running");
        const progress = await look.progress("hostile");
        return progress.pending === 0 && progress.unacknowledged === 0;
      });
    } finally {
      const stopped = await stopCollector(collector);
      stderr = stopped.stderr;
      assert.equal(stopped.code, 0, stderr);
    }
    assert.doesNotMatch(stderr, /vigil (error|err:)/);
    const skipped = Number(
      /(\d+) malformed message\(s\) skipped/.exec(stderr)?.[1],
    );
    // A random value may be a valid event that no signature selects.
    assert.ok(
      skipped >= invalid.length && skipped <= hostile.length,
      `${skipped} skipped: ${invalid.length} invalid, ${hostile.length} in all\n${stderr}`,
    );
    // Each of the first ten is named; the rest are only counted.
    assert.equal(stderr.match(/Skipping a message on /g)?.length, 10);
    assert.match(stderr, /Further malformed messages are counted/);
    assertSameFindings(
      await look.payloads("VIGIL_FINDINGS"),
      expected.findings,
    );
  },
});
