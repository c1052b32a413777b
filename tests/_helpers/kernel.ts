/**
 * Helpers for tests against the real kernel: the availability gate, the
 * fixture programs, and capturing the events of a child process.
 *
 * @module
 */

import type { TraceeEvent } from "../../src/event/event.ts";
import type { EventEnvelope } from "../../src/event/envelope.ts";
import {
  type KernelSource,
  type KernelSourceOptions,
  openKernelSource,
} from "../../src/sources/kernel/source.ts";

const ROOT = new URL("../../", import.meta.url);

let available: boolean | undefined;

/**
 * Whether BPF can be used here (root, BTF, libbpf); builds `ffi/` with
 * `make` on the first call, so that importing this module does nothing.
 */
export function kernelAvailable(): boolean {
  available ??= Deno.uid() === 0 && hasKernelBtf() && buildFfi();
  return available;
}

function hasKernelBtf(): boolean {
  try {
    Deno.statSync("/sys/kernel/btf/vmlinux");
    return true;
  } catch {
    return false;
  }
}

function buildFfi(): boolean {
  return new Deno.Command("make", {
    args: ["-s", "-C", new URL("ffi", ROOT).pathname],
    stdout: "null",
    stderr: "inherit",
  }).outputSync().success;
}

/**
 * `ignore` for kernel tests: true without BPF, unless VIGIL_REQUIRE_KERNEL=1
 * makes them run (and fail) anyway.
 */
export function ignoreKernelTests(): boolean {
  return !kernelAvailable() &&
    Deno.env.get("VIGIL_REQUIRE_KERNEL") !== "1";
}

/** Whether tracefs has the module syscalls' events (CONFIG_MODULES). */
export function kernelHasModuleSyscalls(): boolean {
  return ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"].some((dir) => {
    try {
      Deno.statSync(`${dir}/events/syscalls/sys_enter_init_module`);
      return true;
    } catch {
      return false;
    }
  });
}

let fixtureDir: string | undefined;
const compiled = new Map<string, string>();

/** Compiles tests/fixtures/c/<name>.c with gcc into a temp dir (once). */
export function fixtureProgram(name: string): string {
  const known = compiled.get(name);
  if (known) return known;
  if (!fixtureDir) {
    const dir = Deno.makeTempDirSync({ prefix: "vigil-fixtures-" });
    globalThis.addEventListener("unload", () => {
      Deno.removeSync(dir, { recursive: true });
    });
    fixtureDir = dir;
  }
  const output = `${fixtureDir}/${name}`;
  const gcc = new Deno.Command("gcc", {
    args: [
      "-O2",
      "-Wall",
      "-o",
      output,
      new URL(`tests/fixtures/c/${name}.c`, ROOT).pathname,
    ],
  }).outputSync();
  if (!gcc.success) {
    throw new Error(
      `Cannot compile fixture "${name}": ${
        new TextDecoder().decode(gcc.stderr)
      }`,
    );
  }
  compiled.set(name, output);
  return output;
}

/**
 * How long an event may take to be read after it happened. Tests wait for
 * an event that proves the source has read that far, never a fixed time:
 * on a loaded machine reading can lag by seconds.
 */
export const ARRIVAL_MS = 30_000;

/** Polls `condition` until it holds; `false` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = ARRIVAL_MS,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Ids of the BPF programs loaded on the machine (`bpftool prog show`). */
export async function loadedPrograms(): Promise<Set<number>> {
  const listed = await new Deno.Command("bpftool", {
    args: ["-j", "prog", "show"],
    stdout: "piped",
  }).output();
  const programs = JSON.parse(new TextDecoder().decode(listed.stdout)) as {
    id: number;
  }[];
  return new Set(programs.map((program) => program.id));
}

/**
 * Ids of the BPF programs process `pid` holds (its descriptors' fdinfo):
 * its own only, though other sensors on the machine load the same programs.
 */
export async function programsOf(pid: number): Promise<Set<number>> {
  const ids = new Set<number>();
  for await (const entry of Deno.readDir(`/proc/${pid}/fdinfo`)) {
    const info = await Deno.readTextFile(`/proc/${pid}/fdinfo/${entry.name}`)
      .catch(() => ""); // closed meanwhile
    const id = info.match(/^prog_id:\s+(\d+)$/m)?.[1];
    if (id) ids.add(Number(id));
  }
  return ids;
}

/**
 * Which of `ids` are still loaded once the kernel has had time to free them
 * (it frees tracing programs after an RCU grace period, slower when busy).
 */
export async function stillLoaded(ids: Iterable<number>): Promise<number[]> {
  let left = [...ids];
  const deadline = Date.now() + ARRIVAL_MS;
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const loaded = await loadedPrograms();
    left = left.filter((id) => loaded.has(id));
  }
  return left;
}

/** What a child run under {@linkcode captureEvents} printed and was. */
export interface ChildRun {
  pid: number;
  code: number;
  stdout: string;
}

/**
 * Opens a kernel source for `events`, runs `provoke <args>` and returns its
 * result, the events of that child once it runs `provoke` (or all events
 * with `all`), and what the source attached. The source also reports exits:
 * the child's own exit is its last record, so once it is read, so is every
 * record before it (the ring buffer keeps the order records were reserved).
 */
export async function captureEvents(
  events: readonly string[],
  args: readonly string[],
  options: {
    cwd?: string;
    all?: boolean;
    syscallHooks?: KernelSourceOptions["syscallHooks"];
    portable?: boolean;
    log?: KernelSourceOptions["log"];
  } = {},
): Promise<
  { child: ChildRun; events: TraceeEvent[]; attached: readonly string[] }
> {
  const program = fixtureProgram("provoke");
  const source = await openKernelSource({
    events: new Set([...events, "sched_process_exit"]),
    ...(options.syscallHooks ? { syscallHooks: options.syscallHooks } : {}),
    ...(options.portable ? { portable: true } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const collector = collectRecords(source);
  try {
    const process = new Deno.Command(program, {
      args: [...args],
      stdout: "piped",
      stderr: "piped",
      ...(options.cwd ? { cwd: options.cwd } : {}),
    }).spawn();
    const output = await process.output();
    const child = {
      pid: process.pid,
      code: output.code,
      stdout: new TextDecoder().decode(output.stdout).trim(),
    };
    const exited = await waitFor(() =>
      collector.records.some((record) =>
        record.eventName === "sched_process_exit" &&
        record.event().hostProcessId === child.pid
      )
    );
    if (!exited) {
      throw new Error(`No exit of pid ${child.pid} within ${ARRIVAL_MS} ms`);
    }
    await collector.stop();
    const asked = collector.records.map((record) => record.event())
      .filter((event) => events.includes(event.eventName));
    return {
      child,
      attached: source.attached,
      events: options.all ? asked : asked.filter((event) =>
        // Before exec the child is still Deno setting up stdio.
        event.hostProcessId === child.pid &&
        (event.processName === "provoke" ||
          event.eventName === "sched_process_exec" ||
          event.eventName === "execve" ||
          event.eventName === "security_bprm_check")
      ),
    };
  } finally {
    await collector.stop();
    await source.close();
  }
}

/** The records a kernel source delivers while it is being collected. */
export interface RecordCollector {
  /** The records delivered so far, in order. */
  readonly records: EventEnvelope[];
  /** Stops reading and waits for the last batch; idempotent. */
  stop(): Promise<void>;
}

/** Reads `source`'s batches into a list until `stop()`. */
export function collectRecords(source: KernelSource): RecordCollector {
  const controller = new AbortController();
  const records: EventEnvelope[] = [];
  const reading = (async () => {
    for await (const batch of source.batches(controller.signal)) {
      records.push(...batch);
    }
  })();
  return {
    records,
    stop() {
      controller.abort();
      return reading;
    },
  };
}

/** The argument values of an event, by name. */
export function argsOf(event: TraceeEvent): Record<string, unknown> {
  return Object.fromEntries(event.args.map((arg) => [arg.name, arg.value]));
}

/** The argument types of an event, by name. */
export function typesOf(event: TraceeEvent): Record<string, string> {
  return Object.fromEntries(event.args.map((arg) => [arg.name, arg.type]));
}
