/**
 * Helpers of the fleet tests: streams of fixture events as different hosts,
 * sensors and collectors run as real `vigil` processes, and what a stream
 * on the broker holds.
 *
 * @module
 */

import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { formatEventJson, parseJsonExact } from "../../src/event/mod.ts";
import type { TraceeEvent } from "../../src/event/mod.ts";
import { BASE_EVENT_IDS } from "../../src/event/mod.ts";
import { startSignatures } from "../../src/cli/start.ts";
import {
  OPA,
  ROOT,
  runVigil,
  spawnVigil,
  TEST_CACHE_DIR,
  type VigilRun,
} from "../_helpers/replay.ts";

const FIXTURES = `${ROOT}tests/fixtures/events`;

/**
 * The lines of fixture `files`, as events of host `hostName`, `copies` times
 * (each copy a second later than the one before, so that no two are equal).
 */
export async function hostLines(
  files: readonly string[],
  hostName: string,
  copies = 1,
): Promise<string[]> {
  const lines: string[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const file of files) {
      const text = await Deno.readTextFile(`${FIXTURES}/${file}`);
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        lines.push(
          line
            .replace(
              /"hostName":"[^"]*"/,
              `"hostName":${JSON.stringify(hostName)}`,
            )
            .replace(
              /^\{"timestamp":(\d+)/,
              (_, time) =>
                `{"timestamp":${BigInt(time) + BigInt(copy) * 1_000_000_000n}`,
            ),
        );
      }
    }
  }
  return lines;
}

/** Runs a sensor replaying `lines` that publishes them (and its findings). */
export async function runSensor(
  url: string,
  dir: string,
  name: string,
  lines: readonly string[],
  extra: readonly string[] = [],
): Promise<VigilRun> {
  const input = `${dir}/${name}.jsonl`;
  await Deno.writeTextFile(input, lines.join("\n") + "\n");
  return await runVigil([
    "--input",
    input,
    "--output",
    url,
    "--nats-spool",
    `${dir}/spool-${name}`,
    ...extra,
  ]);
}

/** Starts `vigil collect` on `url`. */
export function startCollector(
  url: string,
  options: { consumer: string; signaturesDirs: readonly string[] },
): Deno.ChildProcess {
  return spawnVigil([
    "collect",
    url,
    "--consumer",
    options.consumer,
    "--ack-wait",
    "2",
    ...options.signaturesDirs.flatMap((dir) => ["--signatures-dir", dir]),
  ]);
}

/** Stops a collector with SIGTERM and returns its exit code and stderr. */
export async function stopCollector(
  child: Deno.ChildProcess,
): Promise<{ code: number; stderr: string }> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  const output = await child.output();
  return {
    code: output.code,
    stderr: new TextDecoder().decode(output.stderr),
  };
}

/** A connection for the test's own look at the broker, closed when disposed. */
export async function observer(url: string) {
  const connection = await connect({
    servers: url.replace("nats://", ""),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 200,
  });
  const manager = await jetstreamManager(connection);
  return {
    manager,
    /** Progress of the durable consumer `name` of the events stream. */
    async progress(name: string, stream = "VIGIL_EVENTS") {
      const info = await manager.consumers.info(stream, name);
      return {
        acknowledged: info.ack_floor.stream_seq,
        pending: info.num_pending,
        unacknowledged: info.num_ack_pending,
      };
    },
    /** Every message's payload in `stream`, in order. */
    async payloads(stream: string): Promise<string[]> {
      const info = await manager.streams.info(stream);
      const payloads: string[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const message = await manager.streams.getMessage(stream, { seq });
        if (message) payloads.push(message.string());
      }
      return payloads;
    },
    async [Symbol.asyncDispose]() {
      await connection.close();
    },
  };
}

/** Polls `condition` every 20 ms until it holds; throws after `timeoutMs`. */
export async function until(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      // Else the broker may be restarting.
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Findings in one canonical text each (Vigil's JSON of the parsed event), sorted. */
export function canonical(
  findings: readonly (string | TraceeEvent)[],
): string[] {
  return findings.map((finding) =>
    formatEventJson(
      typeof finding === "string"
        ? parseJsonExact(finding) as TraceeEvent
        : finding,
    )
  ).sort();
}

/** The base events the signatures of `dirs` select, comma-separated. */
export async function selectedEvents(dirs: string[]): Promise<string> {
  const set = await startSignatures({
    dirs,
    cacheDir: TEST_CACHE_DIR,
    opa: OPA,
  });
  await set.sandbox.close();
  const names = set.signatures.flatMap((s) => s.selectors.map((x) => x.name))
    .filter((name) => BASE_EVENT_IDS.has(name));
  return [...new Set(names)].sort().join(",");
}

/**
 * Asserts that `actual` and `expected` hold the same findings, each as many
 * times; on failure names the missing and extra ones briefly.
 */
export function assertSameFindings(
  actual: readonly (string | TraceeEvent)[],
  expected: readonly (string | TraceeEvent)[],
): void {
  const left = canonical(actual);
  const right = canonical(expected);
  const count = (list: string[]) => {
    const counts = new Map<string, number>();
    for (const item of list) counts.set(item, (counts.get(item) ?? 0) + 1);
    return counts;
  };
  const have = count(left);
  const want = count(right);
  const brief = (json: string) => {
    const event = parseJsonExact(json) as TraceeEvent;
    return `${event.eventName}@${event.hostName}@${event.timestamp}`;
  };
  const missing = [...want].filter(([k, n]) => (have.get(k) ?? 0) < n)
    .map(([k, n]) => `${brief(k)} x${n - (have.get(k) ?? 0)}`);
  const extra = [...have].filter(([k, n]) => (want.get(k) ?? 0) < n)
    .map(([k, n]) => `${brief(k)} x${n - (want.get(k) ?? 0)}`);
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `Findings differ (${left.length} vs ${right.length} expected); missing: ${
        missing.slice(0, 20).join(", ")
      }; extra: ${extra.slice(0, 20).join(", ")}`,
    );
  }
}
