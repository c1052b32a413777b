/**
 * Resident memory of a Vigil process and its sandbox child with 1, 16 and 64
 * generated signatures and with the built-in ones, after replaying events
 * (so that the Rego instances' memories have grown), read from
 * `/proc/<pid>/status`; against a bare Deno process.
 *
 * Each figure comes from a fresh process: this file run as
 * `deno run -A bench/memory_bench.ts --probe EVENTS DIR...` loads DIR,
 * replays EVENTS and prints `{rss, hwm}` in KiB; with no directory it only
 * prints its own figures (the bare baseline, which imports nothing).
 *
 * @module
 */

import type { BenchRow } from "./_row.ts";

const SECTION = "memory";
const SELF = new URL(import.meta.url).pathname;

interface Memory {
  /** VmRSS, KiB. */
  rss: number;
  /** VmHWM (peak RSS), KiB. */
  hwm: number;
  /** The sandbox child's share of `rss`, KiB. */
  sandboxRss?: number;
}

function readMemory(pid: number | "self"): Memory {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: field("VmRSS"), hwm: field("VmHWM") };
}

/** Pids of this process's children (the sandbox). */
function children(): number[] {
  const pids: number[] = [];
  for (const task of Deno.readDirSync("/proc/self/task")) {
    const text = Deno.readTextFileSync(`/proc/self/task/${task.name}/children`);
    pids.push(...text.trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return pids;
}

/** The probe: load, replay, then report this process plus its children. */
async function probe(eventsPath: string, dirs: string[]): Promise<Memory> {
  if (dirs.length === 0) return readMemory("self");
  const { Engine } = await import("../src/engine/engine.ts");
  const { loadSignatures } = await import("../src/signatures/loader.ts");
  const { openReplaySource } = await import(
    "../src/sources/replay_source.ts"
  );
  const { OPA } = await import("./replay_bench.ts");
  const set = await loadSignatures({
    dirs,
    cacheDir: Deno.env.get("VIGIL_BENCH_CACHE")!,
    opa: OPA,
  });
  const engine = new Engine({
    signatures: set.signatures,
    sandbox: set.sandbox,
    output: {
      write: () => {},
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    },
    print: new Set(set.signatures.map((s) => s.metadata.eventName)),
  });
  const source = await openReplaySource({ path: eventsPath });
  await engine.run(source, new AbortController().signal);
  await source.close();
  const total: Memory = { ...readMemory("self"), sandboxRss: 0 };
  for (const pid of children()) {
    const child = readMemory(pid);
    total.rss += child.rss;
    total.hwm += child.hwm;
    total.sandboxRss! += child.rss;
  }
  await set.sandbox.close();
  return total;
}

async function runProbe(
  eventsPath: string,
  dirs: readonly string[],
  cacheDir: string,
): Promise<Memory> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", SELF, "--probe", eventsPath, ...dirs],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", VIGIL_BENCH_CACHE: cacheDir },
  }).output();
  if (!output.success) {
    throw new Error(
      `Cannot measure memory: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return JSON.parse(new TextDecoder().decode(output.stdout)) as Memory;
}

/** Options of {@linkcode memoryBench}. */
export interface MemoryBenchOptions {
  /** Events replayed before measuring. */
  eventsPath: string;
  /** Compile cache (already warm). */
  cacheDir: string;
  /** Configurations: a label and the signature directories it loads. */
  configs: readonly { label: string; dirs: readonly string[] }[];
  log?: (line: string) => void;
}

/** Measures VmRSS and VmHWM of host plus sandbox per configuration. */
export async function memoryBench(
  options: MemoryBenchOptions,
): Promise<BenchRow[]> {
  const { eventsPath, cacheDir } = options;
  const log = options.log ?? (() => {});
  const MiB = 1024;
  const bare = await runProbe(eventsPath, [], cacheDir);
  const rssBaseline = { name: "bare deno process", value: bare.rss / MiB };
  const hwmBaseline = { name: "bare deno process", value: bare.hwm / MiB };
  const rows: BenchRow[] = [];
  for (const { label, dirs } of options.configs) {
    const memory = await runProbe(eventsPath, dirs, cacheDir);
    log(
      `memory: ${label}: RSS ${(memory.rss / MiB).toFixed(1)} MiB (sandbox ${
        ((memory.sandboxRss ?? 0) / MiB).toFixed(1)
      }), peak ${(memory.hwm / MiB).toFixed(1)} MiB`,
    );
    rows.push(
      {
        section: SECTION,
        name: `RSS, host + sandbox, ${label}`,
        value: memory.rss / MiB,
        unit: "MiB",
        baseline: rssBaseline,
      },
      {
        section: SECTION,
        name: `peak RSS (VmHWM), host + sandbox, ${label}`,
        value: memory.hwm / MiB,
        unit: "MiB",
        baseline: hwmBaseline,
      },
    );
  }
  return rows;
}

if (import.meta.main && Deno.args[0] === "--probe") {
  const [, eventsPath, ...dirs] = Deno.args;
  console.log(JSON.stringify(await probe(eventsPath!, dirs)));
}
