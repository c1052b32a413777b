/**
 * Live events from the kernel: loads Vigil's BPF programs, attaches the ones
 * the selected events need, and turns ring-buffer records into Tracee events.
 *
 * Lifecycle: check (root, BTF, built objects) → probe features → choose the
 * syscall hooks → open → configure (selected syscalls, own pid, features;
 * autoload the tracepoint flavour the kernel supports) → load → attach →
 * consume; `close()` tears down in reverse.
 *
 * @example Usage (needs root)
 * ```ts ignore
 * const source = await openKernelSource({ events: new Set(["openat"]) });
 * for await (const batch of source.batches(AbortSignal.timeout(1000))) {
 *   for (const record of batch) console.log(record.json);
 * }
 * await source.close();
 * ```
 *
 * @module
 */

import type { EventRecord } from "../event/record.ts";
import type { ArgumentGate, EventSource } from "./source.ts";
import {
  type CgroupContainer,
  containerFromCgroupPath,
} from "../event/container_id.ts";
import { RecordDecoder } from "./kernel_decoder.ts";
import {
  argKind,
  KERNEL_EVENT_NAMES,
  type KernelPlan,
  kernelPlan,
  SYSCALLS_BY_NUMBER,
} from "./kernel_events.ts";
import { BpfLink, BpfObject, possibleCpus } from "../../ffi/bpf_object.ts";
import { BpfError, KernelUnavailableError } from "../../ffi/errors.ts";
import {
  describeFeatures,
  FeatureName,
  type FeatureResult,
  probeFeatures,
} from "../../ffi/features.ts";
import { Clock, clockNs, effectiveUid } from "../../ffi/libc.ts";
import {
  hasSyscallEvent,
  openTracefs,
  stubbedSyscalls,
} from "../../ffi/syscall_tracepoints.ts";
import {
  planSyscallHooks,
  syscallEventName,
  type SyscallHooks,
} from "./syscall_hooks.ts";
import { FFI_OUTPUT_DIR } from "../../ffi/libbpf.ts";
import {
  recordOffsets,
  RingBufferReader,
} from "../../ffi/ring_buffer_reader.ts";
import {
  ConfigOffset,
  ExcludeMode,
  FeatureFlag,
  Limits,
  SchedFlag,
  SysFlag,
} from "../../ffi/record_layout.ts";

export { KERNEL_EVENT_NAMES };

/** Options of {@linkcode openKernelSource}. */
export interface KernelSourceOptions {
  /** Event names to produce (Tracee names, e.g. "openat", "sched_process_exec"). Unknown names -> RangeError listing the supported ones. */
  events: ReadonlySet<string>;
  /** Host pids never traced (Vigil itself and its sandboxes); the source adds its own pid. May grow after open via excludePid(). */
  excludePids?: readonly number[];
  /**
   * How selected syscalls are hooked: `"tracepoints"` (the default) attaches
   * one tracepoint per syscall and leaves out syscalls the kernel was built
   * without, or falls back to `"sys_enter"` where tracefs lacks an event;
   * `"sys_enter"` runs a pair of programs for every syscall, and also
   * reports calls to syscalls the kernel lacks.
   */
  syscallHooks?: SyscallHooks["kind"];
  /**
   * Load the object built for kernels before 6.2 even where the faster one
   * would load (tests cover it this way).
   */
  portable?: boolean;
  /**
   * The gate events called `eventName` must pass to be built at all (the
   * engine's); events that fail it are counted in `unwanted`.
   */
  gate?: (eventName: string) => ArgumentGate | undefined;
  /** Called with debug/warning lines; route to a logger. */
  log?: (
    level: "debug" | "info" | "warning" | "error",
    message: string,
  ) => void;
}

type Log = NonNullable<KernelSourceOptions["log"]>;

/**
 * The BPF objects: the same programs, built reading kernel objects through
 * bpf_rdonly_cast (Linux 6.2+) and with a helper call per field.
 */
const OBJECT_FILES = {
  fast: "vigil.bpf.o",
  portable: "vigil_portable.bpf.o",
} as const;
type ObjectKind = keyof typeof OBJECT_FILES;

/** One way of loading the programs, tried in order until one loads. */
interface LoadAttempt {
  readonly object: ObjectKind;
  readonly flavour: "btf" | "raw";
  readonly hooks: SyscallHooks;
}
const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";
/** How long the reader sleeps when the kernel has not woken it. */
const POLL_MS = 25;
/** How often the loss counter is read. */
const LOSS_CHECK_MS = 1000;
/**
 * Most events per yielded batch. Small enough (~150 KB of events) that a
 * batch is done with before V8's young generation fills twice: with 1024, a
 * flood promoted most events to the old generation and the consumer spent a
 * quarter of its time in GC (6.4-7.1 -> 3.5 µs of CPU per event, same run).
 */
const MAX_BATCH = 128;

/**
 * The tracepoints, each with a BTF-typed and a raw flavour in the object;
 * `tp_sys_enter`/`tp_sys_exit` serve the per-syscall tracepoints.
 */
const TRACEPOINTS = [
  "sys_enter",
  "sys_exit",
  "sched_process_exec",
  "sched_process_fork",
  "sched_process_exit",
] as const;
type Tracepoint = typeof TRACEPOINTS[number];

/** Tracepoints a plan needs. Fork and exit keep the exclusion map current. */
function neededTracepoints(
  plan: KernelPlan,
  hooks: SyscallHooks,
): Tracepoint[] {
  const needed: Tracepoint[] = [];
  if (plan.sysFlags.size > 0 && hooks.kind === "sys_enter") {
    needed.push("sys_enter", "sys_exit");
  }
  if (plan.schedFlags & (SchedFlag.Exec | SchedFlag.Bprm)) {
    needed.push("sched_process_exec");
  }
  needed.push("sched_process_fork", "sched_process_exit");
  return needed;
}

/** Where the cgroup v2 hierarchy is mounted (hybrid hosts: `.../unified`). */
function cgroup2Root(): string {
  try {
    for (const line of Deno.readTextFileSync("/proc/mounts").split("\n")) {
      const [, mountPoint, type] = line.split(" ");
      if (type === "cgroup2" && mountPoint) return mountPoint;
    }
  } catch {
    // fall through to the usual place
  }
  return "/sys/fs/cgroup";
}
/** The least time between two walks of the cgroup tree. */
const CGROUP_WALK_MS = 10_000;

/**
 * Container ids by cgroup id (cgroup v2: the id is the directory's inode),
 * from /proc/<pid>/cgroup on first sight, or from a walk of the cgroup tree
 * when the process is already gone. Each cgroup is looked up once.
 */
class CgroupResolver {
  readonly #known = new Map<bigint, CgroupContainer | null>();
  #walkedAt = -Infinity;

  containerOf(cgroupId: bigint, hostPid: number): CgroupContainer | undefined {
    const known = this.#known.get(cgroupId);
    if (known !== undefined) return known ?? undefined;
    const path = this.#pathOf(hostPid);
    if (path !== undefined) {
      const container = containerFromCgroupPath(path);
      this.#known.set(cgroupId, container ?? null);
      return container;
    }
    if (performance.now() - this.#walkedAt > CGROUP_WALK_MS) this.#walk();
    const found = this.#known.get(cgroupId);
    if (found === undefined) this.#known.set(cgroupId, null);
    return found ?? undefined;
  }

  #pathOf(hostPid: number): string | undefined {
    try {
      const text = Deno.readTextFileSync(`/proc/${hostPid}/cgroup`);
      const line = text.split("\n").find((entry) => entry.startsWith("0::"));
      return line?.slice(3);
    } catch {
      return undefined; // the process is gone
    }
  }

  #walk(): void {
    this.#walkedAt = performance.now();
    const top = cgroup2Root();
    const visit = (dir: string, path: string) => {
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch {
        return;
      }
      for (const entry of entries) {
        if (!entry.isDirectory) continue;
        const child = `${path}/${entry.name}`;
        try {
          const inode = Deno.statSync(`${dir}/${entry.name}`).ino;
          if (inode !== null) {
            this.#known.set(
              BigInt(inode),
              containerFromCgroupPath(child) ?? null,
            );
          }
        } catch {
          continue;
        }
        visit(`${dir}/${entry.name}`, child);
      }
    };
    try {
      const root = Deno.statSync(top).ino;
      if (root !== null) this.#known.set(BigInt(root), null);
    } catch {
      return; // no cgroup file system
    }
    visit(top, "");
  }
}

function pidKey(pid: number): Uint8Array<ArrayBuffer> {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, pid, true);
  return key;
}

function checkHost(): void {
  const uid = effectiveUid();
  if (uid !== 0) {
    throw new KernelUnavailableError(
      `Cannot trace the kernel: Vigil must run as root (effective uid is ${uid})`,
    );
  }
  try {
    Deno.statSync(VMLINUX_BTF);
  } catch {
    throw new KernelUnavailableError(
      `Cannot trace the kernel: ${VMLINUX_BTF} is missing (the kernel needs CONFIG_DEBUG_INFO_BTF)`,
    );
  }
  for (const file of Object.values(OBJECT_FILES)) {
    const object = new URL(file, FFI_OUTPUT_DIR);
    try {
      Deno.statSync(object);
    } catch {
      throw new KernelUnavailableError(
        `Cannot find ${object.pathname}: build it with \`make -C ffi\``,
      );
    }
  }
}

function configure(
  object: BpfObject,
  plan: KernelPlan,
  features: ReadonlyMap<string, boolean | undefined>,
): void {
  const rodata = object.map(".rodata");
  const data = new Uint8Array(rodata.initialValue());
  if (data.byteLength < Limits.CONFIG_SIZE) {
    throw new BpfError("configure", ".rodata", -22);
  }
  const view = new DataView(data.buffer);
  view.setUint32(ConfigOffset.selfTgid, Deno.pid, true);
  view.setUint32(ConfigOffset.schedFlags, plan.schedFlags, true);
  let featureFlags = 0;
  if (features.get(FeatureName.FindVma)) featureFlags |= FeatureFlag.FindVma;
  if (features.get(FeatureName.TaskPtRegs)) {
    featureFlags |= FeatureFlag.TaskPtRegs;
  }
  view.setUint32(ConfigOffset.features, featureFlags, true);
  for (const [nr, flags] of plan.sysFlags) {
    data[ConfigOffset.sysFlags + nr] = flags;
    const params = SYSCALLS_BY_NUMBER.get(nr)?.params ?? [];
    params.forEach((param, i) => {
      data[ConfigOffset.argKinds + nr * Limits.ARGS + i] = argKind(param);
    });
  }
  rodata.setInitialValue(data);
}

/**
 * The plan as this kernel can run it: without bpf_task_pt_regs, syscalls
 * followed at exit alone keep their entry hook.
 */
function adaptPlan(
  plan: KernelPlan,
  features: ReadonlyMap<string, boolean | undefined>,
): KernelPlan {
  if (features.get(FeatureName.TaskPtRegs)) return plan;
  const sysFlags = new Map(
    [...plan.sysFlags].map(([nr, flags]) => [nr, flags & ~SysFlag.ExitOnly]),
  );
  return { ...plan, sysFlags };
}

/** Tracefs names of the syscalls a plan follows at exit alone. */
function exitOnlyEvents(plan: KernelPlan): Set<string> {
  const events = new Set<string>();
  for (const [nr, flags] of plan.sysFlags) {
    const syscall = SYSCALLS_BY_NUMBER.get(nr);
    if (syscall && flags & SysFlag.ExitOnly) {
      events.add(syscallEventName(syscall.name));
    }
  }
  return events;
}

/** The syscall hooks for a plan: per-syscall tracepoints when possible. */
function chooseSyscallHooks(
  plan: KernelPlan,
  preferred: SyscallHooks["kind"],
): SyscallHooks {
  if (preferred === "sys_enter") {
    return { kind: "sys_enter", reason: "asked for" };
  }
  const syscalls: string[] = [];
  for (const nr of plan.sysFlags.keys()) {
    const syscall = SYSCALLS_BY_NUMBER.get(nr);
    if (!syscall) {
      return { kind: "sys_enter", reason: `syscall ${nr} has no name` };
    }
    syscalls.push(syscall.name);
  }
  if (syscalls.length === 0) {
    return { kind: "tracepoints", events: [], absent: [] };
  }
  let tracefs: string;
  try {
    tracefs = openTracefs();
  } catch (error) {
    return { kind: "sys_enter", reason: (error as Error).message };
  }
  return planSyscallHooks(syscalls, {
    hasEvent: (name) => hasSyscallEvent(tracefs, name),
    stubbed: stubbedSyscalls,
  });
}

/** Opens, configures and loads an object with the given programs. */
async function loadObject(
  kind: ObjectKind,
  plan: KernelPlan,
  features: ReadonlyMap<string, boolean | undefined>,
  programs: ReadonlySet<string>,
): Promise<BpfObject> {
  const object = BpfObject.open(
    new URL(OBJECT_FILES[kind], FFI_OUTPUT_DIR).pathname,
  );
  try {
    configure(object, plan, features);
    for (const program of object.programs()) {
      program.autoload = programs.has(program.name);
    }
    await object.load();
    return object;
  } catch (error) {
    object.close();
    throw error;
  }
}

/**
 * Starts tracing the kernel for the given events.
 *
 * @throws {RangeError} When an event name is not supported.
 * @throws {KernelUnavailableError} When not root, BTF is missing, a required
 * kernel feature is missing, or the BPF objects are not built.
 * @throws {BpfError} When loading or attaching fails.
 */
export async function openKernelSource(
  options: KernelSourceOptions,
): Promise<KernelSource> {
  const { events, excludePids = [], log = () => {} } = options;
  const requested = kernelPlan(events);
  checkHost();
  const results: FeatureResult[] = probeFeatures();
  const missing = results.filter((result) =>
    result.feature.required && result.supported === false
  );
  if (missing.length > 0) {
    throw new KernelUnavailableError(
      `Cannot trace the kernel: it lacks ${
        missing.map((result) =>
          `${result.feature.name} (Linux ${result.feature.minimumKernel})`
        ).join(", ")
      }`,
    );
  }
  const features = new Map(
    results.map((result) => [result.feature.name, result.supported]),
  );
  const plan = adaptPlan(requested, features);
  const hooks = chooseSyscallHooks(plan, options.syscallHooks ?? "tracepoints");
  if (hooks.kind === "sys_enter") {
    log("debug", `Hooking syscalls with sys_enter/sys_exit: ${hooks.reason}`);
  } else if (hooks.absent.length > 0) {
    log(
      "info",
      `Not hooking ${
        hooks.absent.join(", ")
      }: this kernel was built without them (calls fail with ENOSYS and are not reported; --syscall-hooks sys_enter reports them, at about 65 ns more per syscall)`,
    );
  }
  let failure: unknown;
  for (const attempt of loadAttempts(plan, features, hooks, options)) {
    if (failure !== undefined) {
      log("debug", `${failure}; trying ${describeAttempt(attempt)}`);
    }
    try {
      return await startTracing(
        plan,
        features,
        attempt,
        {
          excludePids,
          log,
          gate: options.gate,
          events: events.size,
          describe: describeFeatures(results),
        },
      );
    } catch (error) {
      if (!(error instanceof BpfError)) throw error;
      failure = error;
    }
  }
  throw failure;
}

/**
 * The ways of loading, richest first: per-syscall tracepoints before the
 * sys_enter pair, the fast object before the portable one, tp_btf before
 * raw_tp. A failure falls back to the next.
 */
function loadAttempts(
  plan: KernelPlan,
  features: ReadonlyMap<string, boolean | undefined>,
  hooks: SyscallHooks,
  options: KernelSourceOptions,
): LoadAttempt[] {
  const hookChoices = [hooks];
  if (hooks.kind === "tracepoints" && plan.sysFlags.size > 0) {
    hookChoices.push({
      kind: "sys_enter",
      reason: "per-syscall tracepoints failed",
    });
  }
  const objects: ObjectKind[] =
    !options.portable && features.get(FeatureName.RdonlyCast)
      ? ["fast", "portable"]
      : ["portable"];
  const flavours: ("btf" | "raw")[] = features.get(FeatureName.BtfTracepoint)
    ? ["btf", "raw"]
    : ["raw"];
  return hookChoices.flatMap((choice) =>
    objects.flatMap((object) =>
      flavours.map((flavour) => ({ object, flavour, hooks: choice }))
    )
  );
}

function describeAttempt(attempt: LoadAttempt): string {
  const tracepoint = attempt.flavour === "btf" ? "tp_btf" : "raw_tp";
  const hooks = attempt.hooks.kind === "tracepoints"
    ? "per-syscall tracepoints"
    : "sys_enter/sys_exit";
  return `${OBJECT_FILES[attempt.object]} (${tracepoint}, ${hooks})`;
}

/** Loads the programs of one attempt, and attaches them. */
async function startTracing(
  plan: KernelPlan,
  features: ReadonlyMap<string, boolean | undefined>,
  attempt: LoadAttempt,
  context: {
    excludePids: readonly number[];
    log: Log;
    gate: KernelSourceOptions["gate"];
    events: number;
    describe: string;
  },
): Promise<KernelSource> {
  const { flavour, hooks } = attempt;
  const needed = neededTracepoints(plan, hooks);
  const syscallEvents = hooks.kind === "tracepoints" ? hooks.events : [];
  const exitOnly = exitOnlyEvents(plan);
  const programs = new Set(needed.map((name) => `${flavour}_${name}`));
  if (syscallEvents.length > 0) programs.add("tp_sys_exit");
  if (syscallEvents.some((event) => !exitOnly.has(event))) {
    programs.add("tp_sys_enter");
  }
  const object = await loadObject(attempt.object, plan, features, programs);
  const links: BpfLink[] = [];
  try {
    const excluded = object.map("excluded");
    for (const pid of context.excludePids) {
      excluded.update(pidKey(pid), new Uint8Array([ExcludeMode.Descendants]));
    }
    for (const tracepoint of needed) {
      links.push(object.program(`${flavour}_${tracepoint}`).attach());
    }
    for (const event of syscallEvents) {
      const phases = exitOnly.has(event) ? ["exit"] : ["enter", "exit"];
      for (const phase of phases) {
        links.push(
          object.program(`tp_sys_${phase}`).attachTracepoint(
            "syscalls",
            `sys_${phase}_${event}`,
          ),
        );
      }
    }
    const tracepoint = flavour === "btf" ? "tp_btf" : "raw_tp";
    context.log(
      "debug",
      `Kernel features: ${context.describe}; loaded ${
        OBJECT_FILES[attempt.object]
      }, attached ${tracepoint} ${needed.join(", ")}${
        syscallEvents.length > 0
          ? ` and syscall tracepoints for ${syscallEvents.join(", ")}`
          : ""
      } for ${context.events} events`,
    );
    const reader = new RingBufferReader(object.map("events"));
    return new KernelSource(object, links, reader, context.log, context.gate);
  } catch (error) {
    for (const link of links) link.close();
    object.close();
    throw error;
  }
}

/** An {@linkcode EventSource} of live kernel events. */
export class KernelSource implements EventSource {
  /** The source's name in logs. */
  readonly name = "kernel";
  #object: BpfObject | undefined;
  readonly #links: BpfLink[];
  readonly #reader: RingBufferReader;
  readonly #log: Log;
  readonly #decoder: RecordDecoder;
  readonly #cpus: number;
  #delivered = 0;
  #lost = 0;
  #closed = false;

  /** @internal Made by {@linkcode openKernelSource}. */
  constructor(
    object: BpfObject,
    links: BpfLink[],
    reader: RingBufferReader,
    log: Log,
    gate: KernelSourceOptions["gate"],
  ) {
    this.#object = object;
    this.#links = links;
    this.#reader = reader;
    this.#log = log;
    this.#cpus = possibleCpus();
    const resolver = new CgroupResolver();
    this.#decoder = new RecordDecoder({
      bootToEpochNs: clockNs(Clock.Realtime) - clockNs(Clock.Boottime),
      containerOf: (cgroupId, hostPid) =>
        resolver.containerOf(cgroupId, hostPid),
      ...(gate ? { gate } : {}),
    });
  }

  /** What the programs are attached to, e.g. `tp_btf/sched_process_exec`. */
  get attached(): readonly string[] {
    return this.#links.map((link) => link.name);
  }

  /**
   * Never traces host process `pid` nor the processes it starts from now on
   * (e.g. a signature sandbox).
   *
   * @throws {BpfError} When the exclusion map is full.
   */
  excludePid(pid: number): void {
    if (!this.#object) return;
    this.#object.map("excluded").update(
      pidKey(pid),
      new Uint8Array([ExcludeMode.Descendants]),
    );
  }

  /** Events not built so far because they failed their gate. */
  get unwanted(): number {
    return this.#decoder.unwanted;
  }

  /** Events delivered so far and records the kernel could not queue. */
  stats(): { delivered: number; lost: number } {
    this.#readLost();
    return { delivered: this.#delivered, lost: this.#lost };
  }

  /** A line about lost records, when there were any. */
  summary(): string[] {
    this.#readLost();
    return this.#lost > 0
      ? [`kernel: ${this.#lost} records lost (ring buffer full)`]
      : [];
  }

  /**
   * Yields decoded events until `signal` aborts or the source is closed.
   * Waiting happens off the JS thread; draining and decoding on it.
   */
  async *batches(signal: AbortSignal): AsyncGenerator<EventRecord[]> {
    let lastLossCheck = performance.now();
    let reported = this.#lost;
    while (!signal.aborted && !this.#closed) {
      const batch = this.#reader.drain();
      if (performance.now() - lastLossCheck > LOSS_CHECK_MS) {
        lastLossCheck = performance.now();
        this.#readLost();
        if (this.#lost > reported) {
          this.#log(
            "warning",
            `Kernel ring buffer full: ${
              this.#lost - reported
            } records lost (${this.#lost} in all)`,
          );
          reported = this.#lost;
        }
      }
      if (batch.bytes.byteLength === 0) {
        await this.#reader.wait(POLL_MS);
        continue;
      }
      // Yield as batches fill, so that the event loop runs in between.
      const offsets = recordOffsets(batch);
      let records: EventRecord[] = [];
      for (let i = 0; i < offsets.length; i += 2) {
        records.push(
          ...this.#decoder.decode(
            batch.bytes,
            batch.view,
            offsets[i]!,
            offsets[i + 1]!,
          ),
        );
        if (records.length >= MAX_BATCH || i + 2 >= offsets.length) {
          if (records.length === 0) continue;
          this.#delivered += records.length;
          yield records;
          records = [];
        }
      }
    }
  }

  #readLost(): void {
    const object = this.#object;
    if (!object) return;
    const values = new BigUint64Array(this.#cpus);
    const bytes = new Uint8Array(values.buffer);
    if (object.map("lost").lookup(new Uint8Array(4), bytes)) {
      let total = 0n;
      for (const value of values) total += value;
      this.#lost = Number(total);
    }
  }

  /** Detaches every program and unloads the object. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#readLost();
    await BpfLink.closeAll(this.#links);
    await this.#reader.close();
    this.#object?.close();
    this.#object = undefined;
  }
}
