/**
 * Resident memory of the live sensor's whole process tree under load: the
 * user-facing command (`bin/vigil`, which execs the sensor) with the built-in
 * signatures, watching the kernel while `find /usr` and a shell-spawning loop
 * run, its tree's summed RSS sampled every 5 s. Reports the figure at the end
 * against the one once the sensor was ready, and its growth over the second
 * half of the run (flat is the target, not only small).
 *
 * ```sh
 * deno run -A bench/live_memory_bench.ts     # as root; 60 s
 * ```
 *
 * @module
 */

import type { BenchRow } from "./_row.ts";
import { readSensorLog } from "./_deno.ts";

const SECTION = "live memory";
const COMMAND = new URL("../bin/vigil", import.meta.url).pathname;
const SAMPLE_MS = 5000;
const MiB = 1024;

/** A process and its descendants. */
function tree(pid: number): number[] {
  const pids = [pid];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = Deno.readTextFileSync(
        `/proc/${pid}/task/${task.name}/children`,
      );
      for (const child of text.trim().split(/\s+/).filter(Boolean)) {
        pids.push(...tree(Number(child)));
      }
    }
  } catch {
    // The process has exited.
  }
  return pids;
}

/** Summed VmRSS of a process tree, KiB. */
function treeRss(pid: number): number {
  let sum = 0;
  for (const member of tree(pid)) {
    try {
      const status = Deno.readTextFileSync(`/proc/${member}/status`);
      sum += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    } catch {
      // Gone.
    }
  }
  return sum;
}

/** Runs `command` again and again until stopped; stopping kills the current one. */
function loop(command: string[]): { stop: () => Promise<void> } {
  let current: Deno.ChildProcess | undefined;
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      current = new Deno.Command(command[0]!, {
        args: command.slice(1),
        stdout: "null",
        stderr: "null",
      }).spawn();
      await current.status;
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      try {
        current?.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await running;
    },
  };
}

/** Starts `bin/vigil` watching the kernel; resolves once it says so. */
async function startSensor(cacheDir: string) {
  const sensor = new Deno.Command(COMMAND, {
    args: ["--cache-dir", cacheDir, "--output", "json:/dev/null"],
    env: { VIGIL_DENO: Deno.execPath(), NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const sensorLog = readSensorLog(sensor);
  const stop = async () => {
    try {
      sensor.kill("SIGINT");
    } catch {
      // Already gone.
    }
    await sensor.status;
    await sensorLog.reading.catch(() => {});
  };
  try {
    await sensorLog.ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: sensor.pid, stop };
}

/**
 * Measures the live tree's memory for `seconds` under load.
 *
 * @throws {Error} When the sensor does not start (not root, no BPF).
 */
export async function liveMemoryBench(
  cacheDir: string,
  seconds = 60,
): Promise<BenchRow[]> {
  const sensor = await startSensor(cacheDir);
  const loads = [loop(["find", "/usr"]), loop(["sh", "-c", "true"])];
  const samples: number[] = [treeRss(sensor.pid)];
  try {
    for (let t = 0; t < seconds * 1000; t += SAMPLE_MS) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
      samples.push(treeRss(sensor.pid));
    }
  } finally {
    await Promise.all(loads.map((load) => load.stop()));
    await sensor.stop();
  }
  const half = samples.slice(Math.floor(samples.length / 2));
  const name =
    `RSS, sensor + sandbox (bin/vigil's tree), after ${seconds} s of find /usr and shell loops (target ≤150)`;
  return [
    {
      section: SECTION,
      name,
      value: samples.at(-1)! / MiB,
      unit: "MiB",
      baseline: { name: "once ready", value: samples[0]! / MiB },
    },
    {
      section: SECTION,
      name: `its growth over the last ${
        (half.length - 1) * SAMPLE_MS / 1000
      } s (end less the lowest sample)`,
      value: (half.at(-1)! - Math.min(...half)) / MiB,
      unit: "MiB",
    },
  ];
}

if (import.meta.main) {
  const cacheDir = `${new URL("../.cache/bench", import.meta.url).pathname}`;
  for (const row of await liveMemoryBench(cacheDir)) {
    console.log(`${row.name}: ${row.value.toFixed(1)} ${row.unit}`);
  }
}
