/**
 * The benchmark suite (`deno task bench`): replay throughput with 0 to 128
 * sandboxed Rego signatures, the sandbox boundary's cost, the cost of
 * metrics and a webhook output, live kernel figures, the cost of container
 * details, start-up time and memory. Prints one table, every figure beside a baseline measured in the
 * same run, and writes it as JSON to `bench/results/latest.json`.
 *
 * ```sh
 * deno task bench                      # about 1.5 minutes on 2 cores
 * deno task bench --events 200000      # more events per replay run
 * VIGIL_BENCH_SIGNATURES=/path/to/signatures deno task bench
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type BenchRow, rowsOrWhy } from "./_row.ts";
import { formatTable } from "./_table.ts";
import { containerBench } from "./container_bench.ts";
import { fleetBench } from "./fleet_bench.ts";
import { liveBench } from "./live_bench.ts";
import { liveMemoryBench } from "./live_memory_bench.ts";
import { memoryBench } from "./memory_bench.ts";
import { observeBench } from "./observe_bench.ts";
import { replayBench, writeBenchSignatures } from "./replay_bench.ts";
import { startupBench } from "./startup_bench.ts";
import { writeEvents } from "../tools/gen_events.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const RESULTS = `${ROOT}bench/results`;

function log(line: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      events: { type: "string", default: "50000" },
      seed: { type: "string", default: "1" },
      counts: { type: "string", default: "1,16,64,128" },
    },
  });
  const events = Number(values.events);
  const counts = values.counts.split(",").map(Number);
  const builtinDirs = (Deno.env.get("VIGIL_BENCH_SIGNATURES") ??
    `${ROOT}signatures`).split(":");
  const cacheDir = `${ROOT}.cache/bench`;
  const workDir = await Deno.makeTempDir({ prefix: "vigil-bench-" });
  const started = performance.now();
  try {
    const eventsPath = `${workDir}/events.jsonl`;
    await writeEvents(eventsPath, { seed: Number(values.seed), count: events });
    log(`${events} events generated (seed ${values.seed})`);

    const rows: BenchRow[] = [];
    rows.push(
      ...await replayBench({
        eventsPath,
        cacheDir,
        workDir,
        counts,
        builtinDirs,
        log,
      }),
    );
    rows.push(
      ...await observeBench({ eventsPath, cacheDir, dirs: builtinDirs, log }),
    );
    rows.push(...await rowsOrWhy("live", () => liveBench(cacheDir)));
    rows.push(...await rowsOrWhy("containers", containerBench));
    rows.push(
      ...await rowsOrWhy("live memory", () => liveMemoryBench(cacheDir)),
    );
    rows.push(
      ...await fleetBench({ eventsPath, cacheDir, workDir, builtinDirs, log }),
    );
    rows.push(...await startupBench({ dirs: builtinDirs, workDir, log }));
    const sigDir = (count: number) => writeBenchSignatures(workDir, count);
    rows.push(
      ...await memoryBench({
        eventsPath,
        cacheDir,
        configs: [
          ...await Promise.all(
            [1, 16, 64].map(async (count) => ({
              label: `${count} signature${count === 1 ? "" : "s"}`,
              dirs: [await sigDir(count)],
            })),
          ),
          { label: "built-in signatures (target <150)", dirs: builtinDirs },
        ],
        log,
      }),
    );

    const seconds = (performance.now() - started) / 1000;
    console.log(formatTable(rows));
    console.log(
      `\n${events} events (seed ${values.seed}), ${
        seconds.toFixed(0)
      } s; ratios are value / baseline, both from this run.`,
    );
    await Deno.mkdir(RESULTS, { recursive: true });
    await Deno.writeTextFile(
      `${RESULTS}/latest.json`,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          deno: Deno.version.deno,
          v8: Deno.version.v8,
          cpus: navigator.hardwareConcurrency,
          events,
          seed: Number(values.seed),
          seconds,
          rows: rows.map((row) => ({
            ...row,
            value: Number.isFinite(row.value) ? row.value : null,
          })),
        },
        null,
        2,
      ) + "\n",
    );
  } finally {
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
