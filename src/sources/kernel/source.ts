/**
 * Live events from the kernel: loads and attaches Vigil's BPF programs for
 * the selected events (programs.ts), reads their ring buffer and turns
 * its ring records into Tracee events; `close()` detaches and unloads.
 *
 * @example Usage (needs root)
 * ```ts ignore
 * const source = await openKernelSource({ events: new Set(["openat"]) });
 * for await (const batch of source.batches(AbortSignal.timeout(1000))) {
 *   for (const envelope of batch) console.log(envelope.json);
 * }
 * await source.close();
 * ```
 *
 * @module
 */

import {
  containerFromCgroupPath,
  type EventEnvelope,
} from "../../event/mod.ts";
import type { ArgumentGate, EventSource, SourceLosses } from "../source.ts";
import type { Scope } from "../scope.ts";
import {
  ContainerdClient,
  ContainerEnricher,
  type EnrichmentCounts,
} from "../container/mod.ts";
import { CgroupResolver } from "./cgroup_resolver.ts";
import {
  type CgroupHierarchy,
  readCgroupHierarchy,
} from "./cgroup_hierarchy.ts";
import { type CgroupObserver, RingRecordDecoder } from "./decoder.ts";
import { KERNEL_EVENT_NAMES } from "./plan.ts";
import { passEveryPath } from "./path_filter.ts";
import { globsKey, planPathFilters } from "./path_gates.ts";
import { kernelScopeOf } from "./scope_filter.ts";
import {
  excludeHostPid,
  loadPrograms,
  type ProgramOptions,
} from "./programs.ts";
import {
  BpfLink,
  type BpfMap,
  type BpfObject,
  Clock,
  clockNs,
  DropIndex,
  possibleCpus,
  recordOffsets,
  RingBufferReader,
} from "../../../ffi/mod.ts";

export { KERNEL_EVENT_NAMES };

/**
 * Options of {@linkcode openKernelSource}: the programs' (events, excluded
 * pids, hooks; `excludePid()` adds pids later) and the decoder's.
 */
export interface KernelSourceOptions extends ProgramOptions {
  /**
   * The gate events called `eventName` must pass to be built at all (the
   * engine's); events that fail it are counted in `unwanted`.
   */
  gate?: (eventName: string) => ArgumentGate | undefined;
  /**
   * The v1 controller (e.g. `memory`) whose cgroups identify containers.
   * Default: the v2 hierarchy where one is mounted, else `memory` or the
   * first v1 controller mounted (see cgroup_hierarchy.ts).
   */
  cgroupController?: string;
  /**
   * Only events in this scope are built (`--scope`); task context filters
   * are tested before an event is built, the runtime's fields once filled.
   */
  scope?: Scope;
  /**
   * containerd's socket, for container details (name, image, pod); `false`
   * leaves events with the container id only.
   * @default {"/run/containerd/containerd.sock"}
   */
  containerdSocket?: string | false;
}

type Log = NonNullable<KernelSourceOptions["log"]>;

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
  const hierarchy = readCgroupHierarchy(options.cgroupController);
  if (hierarchy === undefined && options.cgroupController !== undefined) {
    throw new RangeError(
      `Cannot identify containers by cgroup controller: ${options.cgroupController} is not mounted`,
    );
  }
  const { pathFilter, syscallPathFilter, filtered } = planPathFilters(options);
  const kernelScope = options.kernelScope ??
    (options.scope && kernelScopeOf(options.scope));
  const { object, links } = await loadPrograms({
    ...options,
    ...(kernelScope ? { kernelScope } : {}),
    cgroupSubsys: hierarchy?.subsys ?? 0,
    ...(pathFilter ? { pathFilter } : {}),
    ...(syscallPathFilter ? { syscallPathFilter } : {}),
  });
  const log = options.log ?? (() => {});
  const enricher = options.containerdSocket === false
    ? undefined
    : containerdEnricher(options.containerdSocket, log);
  try {
    const reader = new RingBufferReader(object.map("events"));
    return new KernelSource(object, links, reader, {
      log,
      gate: options.gate,
      hierarchy: hierarchy ?? NO_HIERARCHY,
      scope: options.scope,
      enricher,
      pathFiltered: filtered,
    });
  } catch (error) {
    enricher?.close();
    await BpfLink.closeAll(links);
    object.close();
    throw error;
  }
}

/**
 * The resolver, also starting the lookup of each container whose cgroup
 * the kernel makes: the runtime knows the container before its cgroup
 * exists, so its details often arrive before its first event.
 */
function lookingUpContainers(
  resolver: CgroupResolver,
  enricher: ContainerEnricher,
): CgroupObserver {
  return {
    made(cgroupId, hierarchyId, path) {
      resolver.made(cgroupId, hierarchyId, path);
      const container = containerFromCgroupPath(path);
      if (container?.root) enricher.request(container.id);
    },
    removed: (cgroupId, hierarchyId) => resolver.removed(cgroupId, hierarchyId),
    started: (cgroupId) => resolver.started(cgroupId),
  };
}

/** What the enricher did, for the debug log at close. */
function containerCountsLine(counts: Readonly<EnrichmentCounts>): string {
  return `Container lookups: ${counts.lookups} answered (${counts.found} found), ${counts.failed} failed; ${counts.held} event(s) held for a new container's details, ${counts.sentWithout} sent with the container id only`;
}

/** An enricher asking containerd at `socket`. */
function containerdEnricher(
  socket: string | undefined,
  log: Log,
): ContainerEnricher {
  const client = new ContainerdClient(socket === undefined ? {} : { socket });
  return new ContainerEnricher(client, { log });
}

/** Events the kernel dropped before making their records. */
export interface KernelDropped {
  /**
   * Events no argument filter could match: `security_file_open`, and the
   * open syscalls' own events.
   */
  readonly argument: number;
  /** Events of tasks out of the kernel scope. */
  readonly scope: number;
}

/** A host without a cgroup file system: no container is ever found. */
const NO_HIERARCHY: CgroupHierarchy = {
  subsys: 0,
  hierarchyId: 0,
  mountPoint: "",
  controller: "",
};

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

/** What a {@linkcode KernelSource} is made with, besides its BPF objects. */
interface KernelSourceParts {
  log: Log;
  gate: KernelSourceOptions["gate"];
  hierarchy: CgroupHierarchy;
  scope: Scope | undefined;
  enricher: ContainerEnricher | undefined;
  /** The events filtered by path in the kernel, with their globs' key. */
  pathFiltered: ReadonlyMap<string, string>;
}

/** An {@linkcode EventSource} of live kernel events. */
export class KernelSource implements EventSource {
  /** The source's name in logs. */
  readonly name = "kernel";
  #object: BpfObject | undefined;
  readonly #links: BpfLink[];
  readonly #reader: RingBufferReader;
  readonly #log: Log;
  readonly #decoder: RingRecordDecoder;
  readonly #cpus: number;
  readonly #scope: Scope | undefined;
  #pathFiltered: ReadonlyMap<string, string>;
  readonly #enricher: ContainerEnricher | undefined;
  /** Events dropped after enrichment by the scope's runtime field filters. */
  #outOfScope = 0;
  #delivered = 0;
  #lost = 0;
  #dropped: KernelDropped = { argument: 0, scope: 0 };
  #closed = false;

  /** @internal Made by {@linkcode openKernelSource}. */
  constructor(
    object: BpfObject,
    links: BpfLink[],
    reader: RingBufferReader,
    { log, gate, hierarchy, scope, enricher, pathFiltered }: KernelSourceParts,
  ) {
    this.#pathFiltered = pathFiltered;
    this.#object = object;
    this.#links = links;
    this.#reader = reader;
    this.#log = log;
    this.#cpus = possibleCpus();
    this.#scope = scope;
    this.#enricher = enricher;
    // Made once the programs are attached: cgroups made from now on come
    // as records, the ones before are walked.
    const resolver = new CgroupResolver(hierarchy);
    this.#decoder = new RingRecordDecoder({
      bootToEpochNs: clockNs(Clock.Realtime) - clockNs(Clock.Boottime),
      containerOf: (cgroupId, hostPid) =>
        resolver.containerOf(cgroupId, hostPid),
      containerStarted: (cgroupId) => resolver.hasStarted(cgroupId),
      get cgroupGeneration() {
        return resolver.generation;
      },
      cgroups: enricher ? lookingUpContainers(resolver, enricher) : resolver,
      ...(gate ? { gate } : {}),
      ...(scope && !scope.all ? { scope } : {}),
      ...(enricher
        ? {
          containerDetails: (id: string) => enricher.details(id),
          get detailsGeneration() {
            return enricher.generation;
          },
        }
        : {}),
    });
  }

  /**
   * Follows gates that changed after load (signatures reloaded): when an
   * event the kernel filters by path has other globs now, the kernel's tries
   * are made to pass every path, since its configuration is fixed at load,
   * and user space's gate alone decides until a restart.
   */
  refilter(gate: (eventName: string) => ArgumentGate | undefined): void {
    const object = this.#object;
    if (!object || this.#pathFiltered.size === 0) return;
    const changed = [...this.#pathFiltered].filter(([name, key]) =>
      globsKey(gate(name)) !== key
    );
    if (changed.length === 0) return;
    passEveryPath(object);
    this.#pathFiltered = new Map();
    this.#log(
      "info",
      `The kernel now passes every path of ${
        changed.map(([name]) => name).join(", ")
      }: the reloaded signatures filter other paths (a restart filters them in the kernel again)`,
    );
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
    if (this.#object) excludeHostPid(this.#object, pid);
  }

  /**
   * Events not built so far because they failed their gate, in user space
   * or (their argument filter) in the kernel.
   */
  get unwanted(): number {
    return this.#decoder.unwanted + this.kernelDropped().argument;
  }

  /** Events the kernel dropped so far, before making their records. */
  kernelDropped(): KernelDropped {
    const object = this.#object;
    if (!object) return this.#dropped;
    const dropped = object.map("dropped");
    this.#dropped = {
      argument: this.#sumPerCpu(dropped, DropIndex.Argument),
      scope: this.#sumPerCpu(dropped, DropIndex.Scope),
    };
    return this.#dropped;
  }

  /** Events dropped so far as outside the `--scope`, in the kernel or here. */
  get outOfScope(): number {
    return this.#decoder.outOfScope + this.#outOfScope +
      this.kernelDropped().scope;
  }

  /** Events delivered so far and ring records the kernel could not queue. */
  stats(): { delivered: number; lost: number } {
    this.#readLost();
    return { delivered: this.#delivered, lost: this.#lost };
  }

  losses(): SourceLosses {
    this.#readLost();
    const kernel = this.kernelDropped();
    return {
      lost: this.#lost,
      dropped: {
        unselected: this.#decoder.unwanted + kernel.argument,
        undecodable: this.#decoder.failures,
        out_of_scope: this.outOfScope,
      },
    };
  }

  /** Lines about lost and undecodable records, when there were any. */
  summary(): string[] {
    this.#readLost();
    const lines = [];
    if (this.#lost > 0) {
      lines.push(`kernel: ${this.#lost} records lost (ring buffer full)`);
    }
    if (this.#decoder.failures > 0) lines.push(this.#failuresLine());
    const without = this.#enricher?.counts.sentWithout ?? 0;
    if (without > 0) {
      lines.push(
        `kernel: ${without} container event(s) sent with the container id only (details late, unknown to the runtime, or the runtime down)`,
      );
    }
    return lines;
  }

  #failuresLine(): string {
    return `kernel: ${this.#decoder.failures} records skipped, not decodable (last: ${this.#decoder.lastFailure})`;
  }

  /**
   * Yields decoded events until `signal` aborts or the source is closed.
   * Waiting happens off the JS thread; draining and decoding on it.
   */
  async *batches(signal: AbortSignal): AsyncGenerator<EventEnvelope[]> {
    let lastLossCheck = performance.now();
    let reported = this.#lost;
    let reportedFailures = this.#decoder.failures;
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
        // The decoder skips a ring record it cannot decode; said once a second.
        if (this.#decoder.failures > reportedFailures) {
          reportedFailures = this.#decoder.failures;
          this.#log("warning", this.#failuresLine());
        }
      }
      if (batch.bytes.byteLength === 0) {
        await this.#reader.wait(POLL_MS);
        continue;
      }
      this.#decoder.refreshContainers();
      // Yield as batches fill, so that the event loop runs in between.
      const offsets = recordOffsets(batch);
      let envelopes: EventEnvelope[] = [];
      for (let i = 0; i < offsets.length; i += 2) {
        envelopes.push(
          ...this.#decoder.decode(
            batch.bytes,
            batch.view,
            offsets[i]!,
            offsets[i + 1]!,
          ),
        );
        if (envelopes.length >= MAX_BATCH || i + 2 >= offsets.length) {
          const ready = await this.#enriched(envelopes);
          envelopes = [];
          if (ready.length === 0) continue;
          this.#delivered += ready.length;
          yield ready;
        }
      }
    }
  }

  /**
   * The events with their containers' details (held a little for a new
   * container's, see container/enricher.ts), less those outside the
   * scope's runtime field filters.
   */
  async #enriched(envelopes: EventEnvelope[]): Promise<EventEnvelope[]> {
    if (envelopes.length === 0) return envelopes;
    const filled = this.#enricher
      ? await this.#enricher.fill(envelopes)
      : envelopes;
    const scope = this.#scope;
    if (scope === undefined || !scope.readsDetails) return filled;
    const kept = filled.filter((envelope) =>
      scope.matchesDetails(envelope.event())
    );
    this.#outOfScope += filled.length - kept.length;
    return kept;
  }

  #readLost(): void {
    const object = this.#object;
    if (object) this.#lost = this.#sumPerCpu(object.map("lost"), 0);
  }

  /** The sum over CPUs of a per-CPU array's u64 at `index`. */
  #sumPerCpu(map: BpfMap, index: number): number {
    const values = new BigUint64Array(this.#cpus);
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, index, true);
    if (!map.lookup(key, new Uint8Array(values.buffer))) return 0;
    let total = 0n;
    for (const value of values) total += value;
    return Number(total);
  }

  /** Detaches every program and unloads the object. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#enricher) {
      this.#enricher.close();
      this.#log("debug", containerCountsLine(this.#enricher.counts));
    }
    this.#readLost();
    this.kernelDropped();
    await BpfLink.closeAll(this.#links);
    await this.#reader.close();
    this.#object?.close();
    this.#object = undefined;
  }
}
