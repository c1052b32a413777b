/**
 * The cost of operating the sensor: the built-in signatures replaying the
 * bench's events as the CLI wires them, plain (findings as JSON to
 * /dev/null) and with `--server` (events counted by name, evaluation times
 * observed, /metrics scraped every second) plus a webhook output POSTing
 * every finding to an endpoint in another process. Every finding must reach
 * the endpoint.
 *
 * @module
 */

import type { BenchRow } from "./_row.ts";
import { OPA } from "./replay_bench.ts";
import { CountedSource, runReadings } from "../src/cli/observe.ts";
import { startSignatures } from "../src/cli/start.ts";
import { Engine } from "../src/engine/mod.ts";
import { SIGNATURE_ERROR_EVENT } from "../src/event/mod.ts";
import { SensorMetrics, startMetricsServer } from "../src/metrics/mod.ts";
import {
  openOutput,
  Outputs,
  type OutputSink,
  parseOutputSpec,
} from "../src/output/mod.ts";
import { ReplaySource } from "../src/sources/mod.ts";

const SECTION = "operations";

/** An HTTP endpoint in its own process that counts the events POSTed. */
const ENDPOINT = `
let events = 0;
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(port) },
  async (request) => {
    if (request.method === "GET") return new Response(String(events));
    events += (await request.json()).length;
    return new Response(null, { status: 204 });
  });
`;

interface Run {
  seconds: number;
  events: number;
  findings: number;
}

async function runOnce(
  dirs: readonly string[],
  eventsPath: string,
  cacheDir: string,
  webhook: string | undefined,
): Promise<Run> {
  const set = await startSignatures({ dirs: [...dirs], cacheDir, opa: OPA });
  const sinks: OutputSink[] = [
    await openOutput(parseOutputSpec("json:/dev/null")),
  ];
  if (webhook) sinks.push(await openOutput(parseOutputSpec(webhook)));
  const outputs = new Outputs(sinks);
  const parts = {
    phase: undefined,
    metrics: new SensorMetrics(),
    sandbox: set.sandbox,
    outputs,
  } as const;
  const server = webhook === undefined ? undefined : await startMetricsServer({
    address: { hostname: "127.0.0.1", port: 0 },
    readings: runReadings(parts),
    sensor: parts.metrics,
    unhealthy: () => undefined,
  });
  const engine = new Engine({
    signatures: set.signatures,
    sandbox: set.sandbox,
    output: outputs,
    print: new Set([
      ...set.signatures.map((s) => s.metadata.eventName),
      SIGNATURE_ERROR_EVENT.name,
    ]),
    ...(server && {
      onEvaluated: (signature, micros) =>
        server.observeEvaluation(signature.metadata.id, micros),
    }),
  });
  const replay = new ReplaySource(await Deno.open(eventsPath), {
    path: eventsPath,
    wants: (name) => engine.wants(name),
  });
  const source = server ? new CountedSource(replay) : replay;
  const url = server &&
    `http://127.0.0.1:${server.address.port}/metrics`;
  const scraper = url === undefined ? undefined : setInterval(() => {
    fetch(url).then((response) => response.text()).catch(() => {});
  }, 1000);
  try {
    const start = performance.now();
    await engine.run(source, new AbortController().signal);
    const seconds = (performance.now() - start) / 1000;
    return {
      seconds,
      events: engine.counts.events + source.unwanted,
      findings: engine.counts.printed,
    };
  } finally {
    clearInterval(scraper);
    await source.close();
    await outputs.close();
    await server?.close();
    await set.sandbox.close();
  }
}

/** Options of {@linkcode observeBench}. */
export interface ObserveBenchOptions {
  eventsPath: string;
  cacheDir: string;
  /** The built-in signatures' directories. */
  dirs: readonly string[];
  /**
   * Runs of each configuration, alternated; the fastest counts.
   * @default {3}
   */
  runs?: number;
  log?: (line: string) => void;
}

/**
 * Measures the built-ins' replay rate plain and with metrics and a webhook.
 *
 * @throws {Error} When the endpoint did not receive every finding.
 */
export async function observeBench(
  options: ObserveBenchOptions,
): Promise<BenchRow[]> {
  const { eventsPath, cacheDir, dirs, runs = 3 } = options;
  const log = options.log ?? (() => {});
  const endpoint = new Deno.Command(Deno.execPath(), {
    args: ["eval", ENDPOINT],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = endpoint.stdout.getReader();
    const { value } = await reader.read();
    reader.releaseLock();
    const base = `http://127.0.0.1:${new TextDecoder().decode(value).trim()}/`;
    let plain: Run | undefined;
    let observed: Run | undefined;
    let findings = 0;
    // The first run of a process is slower (compiles, caches): not counted.
    await runOnce(dirs, eventsPath, cacheDir, undefined);
    for (let r = 0; r < runs; r++) {
      const a = await runOnce(dirs, eventsPath, cacheDir, undefined);
      const b = await runOnce(dirs, eventsPath, cacheDir, `webhook:${base}`);
      findings += b.findings;
      if (!plain || a.seconds < plain.seconds) plain = a;
      if (!observed || b.seconds < observed.seconds) observed = b;
    }
    const delivered = Number(await (await fetch(base)).text());
    if (delivered !== findings) {
      throw new Error(
        `The webhook endpoint received ${delivered} of ${findings} findings`,
      );
    }
    const rate = (run: Run) => run.events / run.seconds;
    log(
      `operations: plain ${
        Math.round(rate(plain!))
      } events/s, with --server and a webhook ${
        Math.round(rate(observed!))
      } events/s`,
    );
    const name = "built-in signatures, findings as JSON to /dev/null";
    return [
      { section: SECTION, name, value: rate(plain!), unit: "events/s" },
      {
        section: SECTION,
        name: `same with --server (scraped every 1 s) and a webhook output (${
          observed!.findings
        } findings POSTed, all received)`,
        value: rate(observed!),
        unit: "events/s",
        baseline: { name: "plain", value: rate(plain!) },
      },
    ];
  } finally {
    endpoint.kill("SIGTERM");
    await endpoint.stdout.cancel().catch(() => {});
    await endpoint.status;
  }
}

if (import.meta.main) {
  // `deno run -A observe_bench.ts <events file> <cache dir> <signature dir>...`
  const [eventsPath, cacheDir, ...dirs] = Deno.args;
  if (!eventsPath || !cacheDir || dirs.length === 0) {
    console.error(
      "Usage: observe_bench.ts <events file> <cache dir> <signature dir>...",
    );
    Deno.exit(2);
  }
  const rows = await observeBench({
    eventsPath,
    cacheDir,
    dirs,
    log: console.error,
  });
  console.log(JSON.stringify(rows, null, 2));
}
