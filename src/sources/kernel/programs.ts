/**
 * Vigil's BPF programs for a set of events: the plan (which syscalls and
 * scheduler tracepoints), the syscall hooks (one tracepoint per syscall, or
 * the `sys_enter`/`sys_exit` pair), the object (fast or portable) and the
 * tracepoint flavour (tp_btf or raw_tp), tried richest first until one loads
 * and attaches.
 *
 * @module
 */

import { type KernelPlan, kernelPlan, SYSCALLS_BY_NUMBER } from "./plan.ts";
import { adaptPlan, type ConfigSettings, writeConfig } from "./config.ts";
import type { PathFilterPlan } from "./path_filter.ts";
import { checkScope, type KernelScopeFilter } from "./scope_filter.ts";
import {
  filteredPlan,
  filterSettings,
  type KernelFilters,
  loadFilters,
  type SyscallPathFilter,
} from "./kernel_filters.ts";
import {
  planSyscallHooks,
  syscallEventName,
  type SyscallHooks,
} from "./syscall_hooks.ts";
import {
  BpfError,
  BpfLink,
  BpfObject,
  describeFeatures,
  effectiveUid,
  ExcludeMode,
  FeatureName,
  type FeatureResult,
  FFI_OUTPUT_DIR,
  hasSyscallEvent,
  KernelUnavailableError,
  openTracefs,
  probeFeatures,
  stubbedSyscalls,
  SysFlag,
} from "../../../ffi/mod.ts";

/** What {@linkcode loadPrograms} needs to know. */
export interface ProgramOptions {
  /** Event names to produce (Tracee names, e.g. "openat", "sched_process_exec"). Unknown names -> RangeError listing the supported ones. */
  events: ReadonlySet<string>;
  /** Host pids never traced (Vigil itself and its sandboxes); the programs also skip their own process. */
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
   * Whose cgroup ids records carry (`CgroupHierarchy.subsys`): 0, the
   * default, for the v2 hierarchy, else a v1 controller's subsystem id + 1.
   */
  cgroupSubsys?: number;
  /**
   * The trie entries of the `pathname` globs every consumer of
   * `security_file_open` declared: opens whose path none can match are
   * dropped in the kernel (see path_filter.ts).
   */
  pathFilter?: PathFilterPlan;
  /**
   * The anchored entries the `pathname` of open, openat and openat2's own
   * events must start with, where every consumer of the event filters it
   * with such globs (see path_filter.ts).
   */
  syscallPathFilter?: SyscallPathFilter;
  /** The tasks whose events are recorded at all (see scope_filter.ts). */
  kernelScope?: KernelScopeFilter;
  /** Called with debug/warning lines; route to a logger. */
  log?: (
    level: "debug" | "info" | "warning" | "error",
    message: string,
  ) => void;
}

type Log = NonNullable<ProgramOptions["log"]>;

/** A loaded object and its attachments. */
export interface LoadedPrograms {
  object: BpfObject;
  links: BpfLink[];
}

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
  "cgroup_mkdir",
  "cgroup_rmdir",
] as const;
type Tracepoint = typeof TRACEPOINTS[number];

/**
 * Tracepoints a plan needs. Fork and exit keep the exclusion map current;
 * the cgroup ones tell containers' cgroups as they are made, and exec when
 * a container starts.
 */
function neededTracepoints(
  plan: KernelPlan,
  hooks: SyscallHooks,
): Tracepoint[] {
  const needed: Tracepoint[] = [];
  if (plan.sysFlags.size > 0 && hooks.kind === "sys_enter") {
    needed.push("sys_enter", "sys_exit");
  }
  needed.push(
    "sched_process_exec",
    "sched_process_fork",
    "sched_process_exit",
    "cgroup_mkdir",
    "cgroup_rmdir",
  );
  return needed;
}

/**
 * Never traces host process `pid` nor the processes it starts from now on.
 *
 * @throws {BpfError} When the exclusion map is full.
 */
export function excludeHostPid(object: BpfObject, pid: number): void {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, pid, true);
  object.map("excluded").update(
    key,
    new Uint8Array([ExcludeMode.Descendants]),
  );
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
  settings: ConfigSettings,
): Promise<BpfObject> {
  const object = BpfObject.open(
    new URL(OBJECT_FILES[kind], FFI_OUTPUT_DIR).pathname,
  );
  try {
    writeConfig(object, plan, features, settings);
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
 * Loads Vigil's BPF programs for the given events and attaches them, the
 * richest way this kernel allows (see {@linkcode loadAttempts}).
 *
 * @throws {RangeError} When an event name is not supported.
 * @throws {KernelUnavailableError} When not root, BTF is missing, a required
 * kernel feature is missing, or the BPF objects are not built.
 * @throws {BpfError} When loading or attaching fails every way.
 */
export async function loadPrograms(
  options: ProgramOptions,
): Promise<LoadedPrograms> {
  const { events, excludePids = [], log = () => {} } = options;
  const requested = kernelPlan(events);
  if (options.kernelScope) checkScope(options.kernelScope);
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
  const plan = filteredPlan(adaptPlan(requested, features), options);
  const hooks = chooseSyscallHooks(plan, options.syscallHooks ?? "tracepoints");
  if (hooks.kind === "sys_enter") {
    log("debug", `Hooking syscalls with sys_enter/sys_exit: ${hooks.reason}`);
  }
  let failure: unknown;
  for (const attempt of loadAttempts(plan, features, hooks, options)) {
    if (failure !== undefined) {
      log("debug", `${failure}; trying ${describeAttempt(attempt)}`);
    }
    try {
      return await attachPrograms(plan, features, attempt, {
        excludePids,
        log,
        settings: {
          cgroupSubsys: options.cgroupSubsys ?? 0,
          ...filterSettings(options),
        },
        filters: options,
        events: events.size,
        describe: describeFeatures(results),
      });
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
  options: ProgramOptions,
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

/** A flavour as its programs' section prefix. */
function sectionOf(flavour: LoadAttempt["flavour"]): string {
  return flavour === "btf" ? "tp_btf" : "raw_tp";
}

function describeAttempt(attempt: LoadAttempt): string {
  const tracepoint = sectionOf(attempt.flavour);
  const hooks = attempt.hooks.kind === "tracepoints"
    ? "per-syscall tracepoints"
    : "sys_enter/sys_exit";
  return `${OBJECT_FILES[attempt.object]} (${tracepoint}, ${hooks})`;
}

/** The programs to load: each needed tracepoint's, and the syscall hooks'. */
function programNames(
  flavour: LoadAttempt["flavour"],
  needed: readonly string[],
  syscallEvents: readonly string[],
  exitOnly: ReadonlySet<string>,
): Set<string> {
  const programs = new Set(needed.map((name) => `${flavour}_${name}`));
  if (syscallEvents.length > 0) programs.add("tp_sys_exit");
  if (syscallEvents.some((event) => !exitOnly.has(event))) {
    programs.add("tp_sys_enter");
  }
  return programs;
}

/** Loads the programs of one attempt, and attaches them. */
async function attachPrograms(
  plan: KernelPlan,
  features: ReadonlyMap<string, boolean | undefined>,
  attempt: LoadAttempt,
  context: {
    excludePids: readonly number[];
    log: Log;
    settings: ConfigSettings;
    filters: KernelFilters;
    events: number;
    describe: string;
  },
): Promise<LoadedPrograms> {
  const { flavour, hooks } = attempt;
  const needed = neededTracepoints(plan, hooks);
  const syscallEvents = hooks.kind === "tracepoints" ? hooks.events : [];
  const exitOnly = exitOnlyEvents(plan);
  const programs = programNames(flavour, needed, syscallEvents, exitOnly);
  const object = await loadObject(
    attempt.object,
    plan,
    features,
    programs,
    context.settings,
  );
  const links: BpfLink[] = [];
  try {
    for (const pid of context.excludePids) excludeHostPid(object, pid);
    loadFilters(object, context.filters);
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
    if (hooks.kind === "tracepoints" && hooks.absent.length > 0) {
      context.log(
        "info",
        `Not hooking ${
          hooks.absent.join(", ")
        }: this kernel was built without them (calls fail with ENOSYS and are not reported; --syscall-hooks sys_enter reports them, at about 65 ns more per syscall)`,
      );
    }
    const tracepoint = sectionOf(flavour);
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
    return { object, links };
  } catch (error) {
    await BpfLink.closeAll(links);
    object.close();
    throw error;
  }
}
