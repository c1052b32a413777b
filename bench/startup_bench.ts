/**
 * Start-up time to ready: `deno run -A mod.ts list` (signatures discovered,
 * compiled or taken from the cache, sandbox up and every signature loaded,
 * then exit) with a warm and a cold compile cache, against Deno's own
 * start-up (`deno run -A` of an empty script).
 *
 * @module
 */

import type { BenchRow } from "./_row.ts";
import { MOD, runDeno } from "./_deno.ts";
import { OPA } from "./replay_bench.ts";

const SECTION = "start-up";

/** Runs a command to completion and returns its wall time in seconds. */
async function timeRun(
  args: string[],
): Promise<{ seconds: number; stdout: string }> {
  const start = performance.now();
  const output = await runDeno(args);
  const seconds = (performance.now() - start) / 1000;
  const stdout = new TextDecoder().decode(output.stdout);
  return { seconds, stdout };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Options of {@linkcode startupBench}. */
export interface StartupBenchOptions {
  /** Signature directories to load (the built-in `signatures/`). */
  dirs: readonly string[];
  /** A scratch directory for caches and the empty script. */
  workDir: string;
  /**
   * Runs per figure (median counts); cold runs are fewer.
   * @default {5}
   */
  runs?: number;
  log?: (line: string) => void;
}

/** Measures start-up to ready with a warm and a cold compile cache. */
export async function startupBench(
  options: StartupBenchOptions,
): Promise<BenchRow[]> {
  const { dirs, workDir, runs = 5 } = options;
  const log = options.log ?? (() => {});
  const empty = `${workDir}/empty.ts`;
  await Deno.writeTextFile(empty, "\n");
  const list = (cacheDir: string) => [
    "run",
    "-A",
    "--quiet",
    MOD,
    "list",
    "--opa",
    OPA,
    "--cache-dir",
    cacheDir,
    ...dirs.flatMap((dir) => ["-s", dir]),
  ];

  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push((await timeRun(["run", "-A", "--quiet", empty])).seconds);
  }
  const baseline = { name: "deno run -A (empty script)", value: median(bare) };

  const warmCache = `${workDir}/warm-cache`;
  const first = await timeRun(list(warmCache));
  const loaded = first.stdout.trim().split("\n").length - 1;
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    warm.push((await timeRun(list(warmCache))).seconds);
  }
  const cold: number[] = [];
  for (let i = 0; i < Math.max(1, Math.floor(runs / 2)); i++) {
    const cache = `${workDir}/cold-cache-${i}`;
    cold.push((await timeRun(list(cache))).seconds);
    await Deno.remove(cache, { recursive: true }).catch(() => {});
  }
  log(
    `start-up: ${loaded} signatures, warm ${median(warm).toFixed(3)} s, cold ${
      median(cold).toFixed(3)
    } s, deno ${baseline.value.toFixed(3)} s`,
  );
  return [
    {
      section: SECTION,
      name: `ready, warm cache (${loaded} signatures; target <1 s)`,
      value: median(warm),
      unit: "s",
      baseline,
    },
    {
      section: SECTION,
      name: `ready, cold cache (${loaded} signatures)`,
      value: median(cold),
      unit: "s",
      baseline,
    },
  ];
}
