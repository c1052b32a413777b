/**
 * Starting the sandbox process: a `deno run` with no permissions, a heap cap
 * per isolate, code generation from strings disabled, a clean environment,
 * and a cap on its whole data memory (`RLIMIT_DATA`, set by util-linux's
 * `prlimit`), which also bounds what V8's heap cap does not see: array
 * buffers, WebAssembly memories, native allocations.
 *
 * @module
 */

const SANDBOX_MAIN = new URL("../child/main.ts", import.meta.url);
const DENO_CONFIG = new URL("../../../deno.json", import.meta.url);
/**
 * The young generation's semi-space cap of each of the sandbox's isolates
 * (the main one, the stdin reader, one per TypeScript signature), in MiB.
 * V8's default lets them grow far larger: after a replay of 200k events the
 * sandbox held 170 MiB, with 4 MiB 112 MiB. Live, where events never stop,
 * every isolate's young generation grew to its cap (2 × 4 MiB each, 8
 * isolates with the built-ins): with 1 MiB the sandbox stayed at 141-147 MiB
 * instead of growing to 185, at no CPU cost measurable in a replay (the
 * isolates' garbage is short-lived).
 */
const SEMI_SPACE_MIB = 1;
/**
 * Each isolate's old generation may grow to 1.3 times what its last full
 * collection kept (V8's default: up to 4 times, per isolate).
 */
const HEAP_GROWING_PERCENT = 30;
/** glibc makes up to 8 malloc arenas per core; 2 are enough (~3 MiB less). */
const GLIBC_TUNABLES = "glibc.malloc.arena_max=2";
const PRLIMIT_PATHS = ["/usr/bin/prlimit", "/bin/prlimit"];

/**
 * Data memory that V8 maps for each isolate before it runs anything, in MiB:
 * mostly its 512 MiB code range, mapped writable and so counted by
 * `RLIMIT_DATA` though hardly any of it is ever touched. Measured on Deno
 * 2.9.6: 541 MiB for a process with one isolate, 523–535 MiB more per worker.
 */
export const ISOLATE_RESERVATION_MIB = 576;

/**
 * The sandbox process's data memory cap (`RLIMIT_DATA`), in MiB: V8's fixed
 * reservation for each isolate (the main one, the stdin reader, one per
 * TypeScript signature), plus four times the per-isolate heap cap, shared by
 * everything the signatures allocate (heaps, array buffers, WebAssembly).
 */
export function dataLimitMiB(
  typeScriptSignatures: number,
  memoryMiB: number,
): number {
  return ISOLATE_RESERVATION_MIB * (typeScriptSignatures + 2) + 4 * memoryMiB;
}

/** Options of {@linkcode spawnSandboxProcess}. */
export interface SpawnOptions {
  /** Heap cap of each isolate, in MiB. */
  memoryMiB: number;
  /** Cap of the whole process's data memory, in MiB. */
  dataLimitMiB: number;
}

let prlimitPath: string | null | undefined;

/** util-linux's `prlimit`, when installed. */
function prlimit(): string | null {
  if (prlimitPath === undefined) {
    prlimitPath = PRLIMIT_PATHS.find((path) => {
      try {
        return Deno.statSync(path).isFile;
      } catch {
        return false;
      }
    }) ?? null;
  }
  return prlimitPath;
}

/**
 * Spawns a sandbox process with stdin, stdout and stderr piped. Without
 * `prlimit` on the machine, its data memory is not capped (`capped` false).
 */
export function spawnSandboxProcess(
  options: SpawnOptions,
): { process: Deno.ChildProcess; capped: boolean } {
  const home = Deno.env.get("HOME") ?? "/root";
  const deno = [
    Deno.execPath(),
    "run",
    "--quiet",
    "--no-prompt",
    "--config",
    DENO_CONFIG.pathname,
    `--v8-flags=--max-old-space-size=${options.memoryMiB},--max-semi-space-size=${SEMI_SPACE_MIB},--heap-growing-percent=${HEAP_GROWING_PERCENT},--disallow-code-generation-from-strings`,
    SANDBOX_MAIN.href,
  ];
  const limiter = prlimit();
  const [program, ...args] = limiter === null
    ? deno
    : [limiter, `--data=${options.dataLimitMiB * 1024 * 1024}`, "--", ...deno];
  const process = new Deno.Command(program!, {
    args,
    clearEnv: true,
    env: {
      HOME: home,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`,
      NO_COLOR: "1",
      GLIBC_TUNABLES,
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { process, capped: limiter !== null };
}

/** The longest wait before a restart, in milliseconds. */
const MAX_BACKOFF_MS = 2000;

/** Restarts of a process, each waited for longer than the last. */
export class Restarts {
  #count = 0;

  /** How many restarts so far. */
  get count(): number {
    return this.#count;
  }

  /**
   * Counts a restart, calls `report` with the count, then waits 50 ms,
   * doubling with each restart up to `MAX_BACKOFF_MS`.
   */
  async next(report: (count: number) => void): Promise<void> {
    const delay = Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(this.#count, 6));
    this.#count++;
    report(this.#count);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Sends SIGKILL to a child process, unless it is already gone. */
export function kill(process: Deno.ChildProcess): void {
  try {
    process.kill("SIGKILL");
  } catch {
    // Already gone.
  }
}

/** A process's data memory (`VmData`) in MiB, or undefined if unreadable. */
export function dataMiB(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = /^VmData:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** How a process ended, e.g. "was killed by SIGKILL", "exited with code 1". */
export function describeExit(status: Deno.CommandStatus): string {
  return status.signal
    ? `was killed by ${status.signal}`
    : `exited with code ${status.code}`;
}

/**
 * How long each thread of a process has waited for a CPU while runnable, in
 * milliseconds, by thread id (`/proc/<pid>/task/<tid>/schedstat`); undefined
 * when unreadable.
 */
export function cpuWaitsMs(pid: number): Map<string, number> | undefined {
  const waits = new Map<string, number>();
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const stat = Deno.readTextFileSync(
        `/proc/${pid}/task/${task.name}/schedstat`,
      );
      waits.set(task.name, Number(stat.split(" ")[1]) / 1e6);
    }
  } catch {
    return waits.size > 0 ? waits : undefined;
  }
  return waits;
}
