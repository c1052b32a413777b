/**
 * The fleet's figures, on a real `nats-server -js` (loopback, free port, its
 * own store, stopped at the end): one sensor replaying the bench's events
 * and publishing its findings and the built-ins' base events with
 * acknowledgements, against the same replay printing JSON to /dev/null
 * (rate, CPU per published message, messages lost); then the events stream
 * through one collector and through two sharing a consumer.
 *
 * @module
 */

import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { BASE_EVENT_IDS } from "../src/event/mod.ts";
import { startSignatures } from "../src/cli/start.ts";
import { defaultOpaPath } from "../src/loader/mod.ts";
import type { BenchRow } from "./_row.ts";
import { MOD } from "./_deno.ts";

/** Options of {@linkcode fleetBench}. */
export interface FleetBenchOptions {
  eventsPath: string;
  cacheDir: string;
  workDir: string;
  builtinDirs: string[];
  log?: (line: string) => void;
}

const SECTION = "fleet";

/** A run's wall time, CPU time (itself and its children) and stderr. */
interface TimedRun {
  seconds: number;
  cpuSeconds: number;
  stderr: string;
}

/** Runs `deno run -A mod.ts ...args` under `/usr/bin/time`. */
async function timedVigil(args: string[]): Promise<TimedRun> {
  const started = performance.now();
  const output = await new Deno.Command("/usr/bin/time", {
    args: [
      "-f",
      "CPU %U %S",
      Deno.execPath(),
      "run",
      "-A",
      "--quiet",
      MOD,
      ...args,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`Cannot run vigil: ${stderr.trim()}`);
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(stderr);
  return {
    seconds,
    cpuSeconds: Number(cpu?.[1]) + Number(cpu?.[2]),
    stderr,
  };
}

async function selectedEvents(dirs: string[], cacheDir: string) {
  const set = await startSignatures({
    dirs,
    cacheDir,
    opa: defaultOpaPath(),
  });
  await set.sandbox.close();
  return [
    ...new Set(
      set.signatures.flatMap((s) => s.selectors.map((x) => x.name))
        .filter((name) => BASE_EVENT_IDS.has(name)),
    ),
  ].sort().join(",");
}

async function startServer(dir: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command("nats-server", {
    args: ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", `${dir}/store`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 300; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { url: `nats://127.0.0.1:${port}`, port, child };
}

const CLOCK_TICKS = 100;

/** CPU seconds used so far by `pid` and the processes it started. */
async function treeCpuSeconds(pid: number): Promise<number> {
  const stats = new Map<number, { parent: number; ticks: number }>();
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const text = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      // The fields after the command name (which may hold spaces).
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(entry.name), {
        parent: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // Gone meanwhile.
    }
  }
  const inTree = (candidate: number): boolean => {
    for (let at = candidate; at > 1;) {
      if (at === pid) return true;
      at = stats.get(at)?.parent ?? 0;
    }
    return false;
  };
  let ticks = 0;
  for (const [candidate, stat] of stats) {
    if (inTree(candidate)) ticks += stat.ticks;
  }
  return ticks / CLOCK_TICKS;
}

/** What collectors sharing one consumer did. */
interface CollectFigures {
  /** Events per second. */
  rate: number;
  /** CPU microseconds per event: the collectors and their sandboxes. */
  cpuMicros: number;
}

/** Events through `count` collectors sharing one consumer. */
async function collectRate(
  url: string,
  count: number,
  options: FleetBenchOptions,
  total: number,
): Promise<CollectFigures> {
  const consumer = `bench-${count}`;
  const connection = await connect({ servers: url.slice("nats://".length) });
  const manager = await jetstreamManager(connection);
  const collectors = Array.from(
    { length: count },
    () =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--quiet",
          MOD,
          "collect",
          url,
          "--consumer",
          consumer,
          "--cache-dir",
          options.cacheDir,
          ...options.builtinDirs.flatMap((dir) => ["-s", dir]),
        ],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn(),
  );
  try {
    // Measured from when every collector is running: events handled
    // before then (by the first to start) are not counted.
    await Promise.all(collectors.map((child) => readyLine(child)));
    const done = async () => {
      try {
        const info = await manager.consumers.info("VIGIL_EVENTS", consumer);
        return total - info.num_pending - info.num_ack_pending;
      } catch {
        return 0;
      }
    };
    const cpu = async () => {
      const each = await Promise.all(
        collectors.map((child) => treeCpuSeconds(child.pid)),
      );
      return each.reduce((sum, value) => sum + value, 0);
    };
    const startCount = await done();
    const startCpu = await cpu();
    const started = performance.now();
    while (await done() < total) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seconds = (performance.now() - started) / 1000;
    const handled = total - startCount;
    return {
      rate: handled / seconds,
      cpuMicros: (await cpu() - startCpu) / handled * 1e6,
    };
  } finally {
    for (const child of collectors) {
      child.kill("SIGTERM");
      await child.status;
    }
    await connection.close();
  }
}

/** Waits for the collector's "Collecting from" line. */
async function readyLine(child: Deno.ChildProcess): Promise<void> {
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("Collecting from")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`A collector stopped: ${text.trim()}`);
    text += value;
  }
  // Keep draining so that the collector never blocks on its stderr.
  (async () => {
    while (!(await reader.read()).done) { /* drained */ }
  })();
}

/** The fleet rows. */
export async function fleetBench(
  options: FleetBenchOptions,
): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const dir = `${options.workDir}/fleet`;
  await Deno.mkdir(dir, { recursive: true });
  const server = await startServer(dir);
  try {
    const common = [
      "--input",
      options.eventsPath,
      "--cache-dir",
      options.cacheDir,
      ...options.builtinDirs.flatMap((d) => ["-s", d]),
    ];
    const plain = await timedVigil([...common, "--output", "json:/dev/null"]);
    const published = await timedVigil([
      ...common,
      "--output",
      server.url,
      "--publish-events",
      await selectedEvents(options.builtinDirs, options.cacheDir),
      "--nats-spool",
      `${dir}/spool`,
    ]);
    const events = Number(/(\d+) event\(s\) processed/.exec(plain.stderr)?.[1]);
    const messages = Number(
      /(\d+) message\(s\) published/.exec(published.stderr)?.[1],
    );
    const connection = await connect({ servers: server.url.slice(7) });
    const manager = await jetstreamManager(connection);
    const stored = (await manager.streams.info("VIGIL_EVENTS")).state.messages +
      (await manager.streams.info("VIGIL_FINDINGS")).state.messages;
    const eventMessages =
      (await manager.streams.info("VIGIL_EVENTS")).state.messages;
    await connection.close();
    const lost = messages - stored;
    log(
      `fleet: ${messages} messages published in ${
        published.seconds.toFixed(2)
      } s (${lost} lost), plain ${plain.seconds.toFixed(2)} s`,
    );
    const one = await collectRate(server.url, 1, options, eventMessages);
    const two = await collectRate(server.url, 2, options, eventMessages);
    log(
      `fleet: collectors ${one.rate.toFixed(0)} and ${
        two.rate.toFixed(0)
      } events/s, ${one.cpuMicros.toFixed(1)} and ${
        two.cpuMicros.toFixed(1)
      } µs CPU per event`,
    );
    return [
      {
        section: SECTION,
        name:
          `sensor replaying, publishing its findings and the built-ins' events with acks (${messages} messages, ${lost} lost)`,
        value: events / published.seconds,
        unit: "events/s",
        baseline: {
          name: "the same replay to JSON",
          value: events / plain.seconds,
        },
      },
      {
        section: SECTION,
        name: "sensor's added CPU per published message",
        value: (published.cpuSeconds - plain.cpuSeconds) / messages * 1e6,
        unit: "µs",
      },
      {
        section: SECTION,
        name: "events through one collector",
        value: one.rate,
        unit: "events/s",
      },
      {
        section: SECTION,
        name: "events through two collectors sharing a consumer",
        value: two.rate,
        unit: "events/s",
        baseline: { name: "one collector", value: one.rate },
      },
      {
        section: SECTION,
        name: "collector CPU per event, two collectors",
        value: two.cpuMicros,
        unit: "µs",
        baseline: { name: "one collector", value: one.cpuMicros },
      },
    ];
  } finally {
    server.child.kill("SIGTERM");
    await server.child.status;
  }
}
