/**
 * Resident memory of the sensor (`mod.ts` replaying events) and its sandbox
 * child with 1, 16 and 64 generated signatures and with the built-in ones,
 * read from `/proc/<pid>/status` and `smaps_rollup`; against a bare Deno
 * process.
 *
 * Each figure comes from a fresh run of the real command line, started with
 * the V8 flags of `deno task start`: `mod.ts -i - -o json:/dev/null`, the
 * events written to its stdin, which stays open until host and sandbox are
 * idle; then both are measured (the Rego instances' memories have grown by
 * then). A `mod.ts list` run first fills the compile cache, so every figure
 * is a warm start. The bare
 * baseline is this file run as `deno run -A bench/memory_bench.ts --bare`,
 * which loads no Vigil code (only `_deno.ts`) and prints `{rss, hwm, pss}`
 * in KiB.
 *
 * ```sh
 * deno run -A bench/memory_bench.ts    # the built-in signatures alone
 * ```
 *
 * @module
 */

import { MOD, runDeno, spawnSensor } from "./_deno.ts";
import type { BenchRow } from "./_row.ts";

const SECTION = "memory";
const SELF = new URL(import.meta.url).pathname;
const SAMPLE_MS = 100;
const IDLE_SAMPLES = 3;

interface Memory {
  /** VmRSS, KiB. */
  rss: number;
  /** VmHWM (peak RSS), KiB. */
  hwm: number;
  /**
   * Proportional set size, KiB: resident pages, each shared one divided
   * among the processes mapping it. Host and sandbox both map the `deno`
   * binary (~40 MiB resident in each); their RSS sum counts it twice, their
   * PSS sum once.
   */
  pss: number;
}

/** Host and sandbox memory at one moment. */
interface Sample {
  host: Memory;
  sandbox: Memory;
}

function readMemory(pid: number | "self"): Memory | undefined {
  let status;
  let rollup;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
    rollup = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
  } catch {
    return undefined;
  }
  const field = (text: string, name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return {
    rss: field(status, "VmRSS"),
    hwm: field(status, "VmHWM"),
    pss: field(rollup, "Pss"),
  };
}

/** Pids of the children of `pid` (the sandbox). */
function children(pid: number): number[] {
  const pids: number[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = Deno.readTextFileSync(
        `/proc/${pid}/task/${task.name}/children`,
      );
      pids.push(...text.trim().split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    // The process has exited.
  }
  return pids;
}

/** Clock ticks of CPU time `pid` has used, or `undefined` once it is gone. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Replays `eventsPath` with `mod.ts`, fed through its stdin; once host and
 * sandbox have been idle for `IDLE_SAMPLES` samples after the last byte, the
 * replay is over, and their memory is read before stdin is closed.
 */
async function measureCli(
  eventsPath: string,
  dirs: readonly string[],
  cacheDir: string,
): Promise<Sample> {
  const signatureArgs = [
    "--cache-dir",
    cacheDir,
    ...dirs.flatMap((dir) => ["-s", dir]),
  ];
  await runDeno(["run", "-A", "--quiet", MOD, "list", ...signatureArgs]);
  const child = await spawnSensor(
    [...signatureArgs, "-i", "-", "-o", "json:/dev/null"],
    "piped",
  );
  const stderr = new Response(child.stderr).text();
  const events = await Deno.open(eventsPath);
  await events.readable.pipeTo(child.stdin, { preventClose: true });
  let sample: Sample | undefined;
  let idle = 0;
  let ticks = -1;
  while (idle < IDLE_SAMPLES) {
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    const pids = [child.pid, ...children(child.pid)];
    const now = pids.map(cpuTicks);
    if (now.length < 2 || now.includes(undefined)) {
      throw new Error(`Cannot measure memory: ${await stderr}`);
    }
    const total = (now as number[]).reduce((sum, value) => sum + value, 0);
    idle = total - ticks <= 1 ? idle + 1 : 0;
    ticks = total;
    const [host, ...sandboxes] = pids.map(readMemory);
    const sandbox = { rss: 0, hwm: 0, pss: 0 };
    for (const memory of sandboxes) {
      sandbox.rss += memory?.rss ?? 0;
      sandbox.hwm += memory?.hwm ?? 0;
      sandbox.pss += memory?.pss ?? 0;
    }
    sample = { host: host ?? { rss: 0, hwm: 0, pss: 0 }, sandbox };
  }
  await child.stdin.close();
  if (!(await child.status).success || sample === undefined) {
    throw new Error(`Cannot measure memory: ${await stderr}`);
  }
  return sample;
}

/** Options of {@linkcode memoryBench}. */
export interface MemoryBenchOptions {
  /** Events replayed before measuring. */
  eventsPath: string;
  /** Compile cache (filled by a first run if cold). */
  cacheDir: string;
  /** Configurations: a label and the signature directories it loads. */
  configs: readonly { label: string; dirs: readonly string[] }[];
  log?: (line: string) => void;
}

/** Measures VmRSS, PSS and VmHWM of host plus sandbox per configuration. */
export async function memoryBench(
  options: MemoryBenchOptions,
): Promise<BenchRow[]> {
  const { eventsPath, cacheDir } = options;
  const log = options.log ?? (() => {});
  const MiB = 1024;
  const output = await runDeno(["run", "-A", "--quiet", SELF, "--bare"]);
  const bare = JSON.parse(new TextDecoder().decode(output.stdout)) as Memory;
  const rssBaseline = { name: "bare deno process", value: bare.rss / MiB };
  const hwmBaseline = { name: "bare deno process", value: bare.hwm / MiB };
  const pssBaseline = { name: "bare deno process", value: bare.pss / MiB };
  const rows: BenchRow[] = [];
  for (const { label, dirs } of options.configs) {
    const { host, sandbox } = await measureCli(eventsPath, dirs, cacheDir);
    const rss = (host.rss + sandbox.rss) / MiB;
    const hwm = (host.hwm + sandbox.hwm) / MiB;
    const pss = (host.pss + sandbox.pss) / MiB;
    log(
      `memory: ${label}: RSS ${rss.toFixed(1)} MiB (host ${
        (host.rss / MiB).toFixed(1)
      }, sandbox ${(sandbox.rss / MiB).toFixed(1)}), peak ${
        hwm.toFixed(1)
      } MiB (host ${(host.hwm / MiB).toFixed(1)}, sandbox ${
        (sandbox.hwm / MiB).toFixed(1)
      }), PSS ${pss.toFixed(1)} MiB (host ${
        (host.pss / MiB).toFixed(1)
      }, sandbox ${(sandbox.pss / MiB).toFixed(1)}); bare deno ${
        (bare.rss / MiB).toFixed(1)
      } MiB`,
    );
    rows.push(
      {
        section: SECTION,
        name: `RSS, host + sandbox, ${label}`,
        value: rss,
        unit: "MiB",
        baseline: rssBaseline,
      },
      {
        section: SECTION,
        name: `PSS (shared pages counted once), host + sandbox, ${label}`,
        value: pss,
        unit: "MiB",
        baseline: pssBaseline,
      },
      {
        section: SECTION,
        name: `peak RSS (VmHWM), host + sandbox, ${label}`,
        value: hwm,
        unit: "MiB",
        baseline: hwmBaseline,
      },
    );
  }
  return rows;
}

if (import.meta.main && Deno.args[0] === "--bare") {
  console.log(JSON.stringify(readMemory("self")));
} else if (import.meta.main) {
  // Alone: the built-in signatures over the suite's default events.
  const { writeEvents } = await import("../tools/gen_events.ts");
  const root = new URL("../", import.meta.url).pathname;
  const workDir = await Deno.makeTempDir({ prefix: "vigil-memory-" });
  try {
    const eventsPath = `${workDir}/events.jsonl`;
    await writeEvents(eventsPath, { seed: 1, count: 20000 });
    await memoryBench({
      eventsPath,
      cacheDir: `${root}.cache/bench`,
      configs: [{ label: "built-in signatures", dirs: [`${root}signatures`] }],
      log: console.log,
    });
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
}
