/**
 * The per-thread task context of ring records: the header fields every event
 * of a thread shares (ids, namespaces, names, container, entity ids), decoded
 * once and reused while a thread's records repeat them, with the executable
 * paths learned from exec records and the entity ids computed before.
 *
 * @module
 */

import {
  type CgroupContainer,
  type ContainerInfo,
  entityId,
  type EventJsonParts,
  type KubernetesInfo,
} from "../../event/mod.ts";
import type { ContainerDetails } from "../container/mod.ts";
import { HeaderOffset, Limits, RingRecordFlag } from "../../../ffi/mod.ts";
import { cText } from "./ring_text.ts";

/** What task contexts need from their surroundings. */
export interface TaskContextSource {
  /** Nanoseconds to add to a boot-time clock value to get epoch time. */
  readonly bootToEpochNs: bigint;
  /** The container of a cgroup (and a host pid to look it up by), if any. */
  containerOf(cgroupId: bigint, hostPid: number): CgroupContainer | undefined;
  /**
   * Whether a container has started (Tracee's `containerStarted`); when
   * absent, every container has.
   */
  containerStarted?(cgroupId: bigint): boolean;
  /**
   * The runtime's details of a container, when known (asking for them may
   * start a lookup); when absent, events carry the container id only.
   */
  containerDetails?(containerId: string): ContainerDetails | undefined;
  /**
   * Changes when a container's details arrive: contexts of containers
   * decoded without details are then dropped (read as `cgroupGeneration`).
   */
  readonly detailsGeneration?: number;
  /**
   * Changes when a cgroup looked up in vain becomes known: contexts without
   * a container decoded before are then dropped (read on cgroup records and
   * context decodes only, not per record).
   */
  readonly cgroupGeneration?: number;
}

/**
 * The header bytes a task's context is decoded from (`start_time` to
 * `cgroup_id`, `mnt_ns` to `uid`, `comm` and `hostname`), as 32-bit words.
 */
const CONTEXT_WORDS: readonly number[] = [
  ...wordOffsets(HeaderOffset.startTime, HeaderOffset.ret),
  ...wordOffsets(HeaderOffset.mntNs, HeaderOffset.cpu),
  ...wordOffsets(HeaderOffset.comm, Limits.HEADER_SIZE),
];

function wordOffsets(start: number, end: number): number[] {
  const offsets = [];
  for (let offset = start; offset < end; offset += 4) offsets.push(offset);
  return offsets;
}

/**
 * What a thread's events share until its context changes: decoded once,
 * then reused (with its JSON) while the record's context bytes repeat, so a
 * busy thread costs one comparison per record instead of a decode.
 */
export interface TaskContext {
  /** The context words it was decoded from. */
  readonly words: Uint32Array;
  readonly compat: boolean;
  readonly processStart: bigint;
  readonly threadStartTime: bigint;
  readonly processId: number;
  readonly cgroupId: bigint;
  readonly threadId: number;
  readonly parentProcessId: number;
  readonly hostProcessId: number;
  readonly hostThreadId: number;
  readonly hostParentProcessId: number;
  readonly userId: number;
  readonly mountNamespace: number;
  readonly pidNamespace: number;
  readonly processName: string;
  readonly executable: { readonly path: string };
  readonly hostName: string;
  readonly containerId: string;
  readonly container: Readonly<ContainerInfo>;
  readonly kubernetes: Readonly<KubernetesInfo>;
  readonly contextFlags: {
    readonly containerStarted: boolean;
    readonly isCompat: boolean;
  };
  readonly threadEntityId: number;
  readonly processEntityId: number;
  readonly parentEntityId: number;
  /** The JSON of the members above, made for the first event that is printed or routed. */
  parts?: EventJsonParts;
  /** Whether the `--scope` passes the task, once asked. */
  inScope?: boolean;
}

/**
 * Most thread contexts kept (about 1 KB each with their JSON); the cache is
 * emptied when full, as threads that have exited are forgotten only when
 * their exit is traced.
 */
const TASK_CACHE_MAX = 4096;

/** The context words of the record at `offset`. */
function contextWords(view: DataView, offset: number): Uint32Array {
  const words = new Uint32Array(CONTEXT_WORDS.length);
  for (let i = 0; i < words.length; i++) {
    words[i] = view.getUint32(offset + CONTEXT_WORDS[i]!, true);
  }
  return words;
}

/** Whether the record at `offset` has the context `task` was decoded from. */
function sameContext(
  task: TaskContext,
  view: DataView,
  offset: number,
  compat: boolean,
): boolean {
  if (task.compat !== compat) return false;
  const words = task.words;
  for (let i = 0; i < words.length; i++) {
    if (view.getUint32(offset + CONTEXT_WORDS[i]!, true) !== words[i]) {
      return false;
    }
  }
  return true;
}

/** The `kubernetes` field of events outside pods, shared. */
const NO_KUBERNETES: Readonly<KubernetesInfo> = Object.freeze({});

/** Most executable paths and entity ids kept, each; emptied when full. */
const PROCESS_CACHE_MAX = 65536;

/** The task contexts of one source's ring records, with their caches. */
export class TaskContexts {
  readonly #source: TaskContextSource;
  /** Entity ids by host id, with the start time they were computed for. */
  readonly #entities = new Map<number, { start: bigint; id: number }>();
  /** Executable paths by host pid, from the exec records seen. */
  readonly #executables = new Map<number, { start: bigint; path: string }>();
  /** The latest context of each host thread. */
  readonly #tasks = new Map<number, TaskContext>();
  #cgroupGeneration: number | undefined;
  #detailsGeneration: number | undefined;

  /** Contexts with their time base and container lookup. */
  constructor(source: TaskContextSource) {
    this.#source = source;
  }

  /** A boot-time clock value in the header, as epoch nanoseconds. */
  epochNs(view: DataView, at: number): bigint {
    return view.getBigUint64(at, true) + this.#source.bootToEpochNs;
  }

  /** Notes that the process of the exec record at `offset` runs `path` from now on. */
  execed(view: DataView, offset: number, path: string): void {
    if (this.#executables.size > PROCESS_CACHE_MAX) this.#executables.clear();
    this.#executables.set(view.getUint32(offset + HeaderOffset.hostPid, true), {
      start: this.epochNs(view, offset + HeaderOffset.leaderStart),
      path,
    });
  }

  /** Forgets the thread of the exit record at `offset`. */
  exited(view: DataView, offset: number): void {
    this.#tasks.delete(view.getUint32(offset + HeaderOffset.hostTid, true));
  }

  /** The context of the record at `offset`: the thread's last one if unchanged. */
  of(
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    flags: number,
  ): TaskContext {
    const hostTid = view.getUint32(offset + HeaderOffset.hostTid, true);
    const compat = (flags & RingRecordFlag.Compat) !== 0;
    const known = this.#tasks.get(hostTid);
    if (
      known && sameContext(known, view, offset, compat) &&
      this.#executablePath(known.hostProcessId, known.processStart) ===
        known.executable.path
    ) return known;
    if (this.#tasks.size >= TASK_CACHE_MAX) this.#tasks.clear();
    const task = this.#read(bytes, view, offset, compat);
    this.#tasks.set(hostTid, task);
    return task;
  }

  #read(
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    compat: boolean,
  ): TaskContext {
    const hostProcessId = view.getUint32(offset + HeaderOffset.hostPid, true);
    const hostThreadId = view.getUint32(offset + HeaderOffset.hostTid, true);
    const hostParentProcessId = view.getUint32(
      offset + HeaderOffset.hostPpid,
      true,
    );
    const cgroupId = view.getBigUint64(offset + HeaderOffset.cgroupId, true);
    const threadStartTime = this.epochNs(
      view,
      offset + HeaderOffset.startTime,
    );
    const processStart = this.epochNs(view, offset + HeaderOffset.leaderStart);
    const containerId = this.#source.containerOf(cgroupId, hostProcessId)?.id ??
      "";
    const details = containerId === ""
      ? undefined
      : this.#source.containerDetails?.(containerId);
    this.refreshContainers();
    return {
      words: contextWords(view, offset),
      compat,
      processStart,
      threadStartTime,
      processId: view.getUint32(offset + HeaderOffset.pid, true),
      cgroupId,
      threadId: view.getUint32(offset + HeaderOffset.tid, true),
      parentProcessId: view.getUint32(offset + HeaderOffset.ppid, true),
      hostProcessId,
      hostThreadId,
      hostParentProcessId,
      userId: view.getUint32(offset + HeaderOffset.uid, true),
      mountNamespace: view.getUint32(offset + HeaderOffset.mntNs, true),
      pidNamespace: view.getUint32(offset + HeaderOffset.pidNs, true),
      processName: cText(bytes, offset + HeaderOffset.comm, Limits.COMM_LEN),
      executable: Object.freeze({
        path: this.#executablePath(hostProcessId, processStart),
      }),
      hostName: cText(
        bytes,
        offset + HeaderOffset.hostname,
        Limits.COMM_LEN - 1,
      ),
      containerId,
      container: details?.container ??
        Object.freeze(containerId ? { id: containerId } : {}),
      kubernetes: details?.kubernetes ?? NO_KUBERNETES,
      // Containers that existed before Vigil started count as started.
      contextFlags: Object.freeze({
        containerStarted: containerId !== "" &&
          (this.#source.containerStarted?.(cgroupId) ?? true),
        isCompat: compat,
      }),
      threadEntityId: this.#entityId(hostThreadId, threadStartTime),
      processEntityId: this.#entityId(hostProcessId, processStart),
      parentEntityId: this.#entityId(
        hostParentProcessId,
        this.epochNs(view, offset + HeaderOffset.parentStart),
      ),
    };
  }

  /**
   * Drops the contexts decoded without a container when a cgroup looked up
   * in vain has become known since (the source's `cgroupGeneration`), and
   * those of containers without details when details have arrived since
   * (`detailsGeneration`).
   */
  refreshContainers(): void {
    const cgroups = this.#source.cgroupGeneration;
    const details = this.#source.detailsGeneration;
    const newCgroups = cgroups !== this.#cgroupGeneration;
    const newDetails = details !== this.#detailsGeneration;
    if (!newCgroups && !newDetails) return;
    this.#cgroupGeneration = cgroups;
    this.#detailsGeneration = details;
    for (const [hostTid, task] of this.#tasks) {
      const stale = task.containerId === ""
        ? newCgroups
        : newDetails && task.container.name === undefined;
      if (stale) this.#tasks.delete(hostTid);
    }
  }

  /** The executable of the process started at `start`, if its exec was seen. */
  #executablePath(hostPid: number, start: bigint): string {
    const executable = this.#executables.get(hostPid);
    return executable?.start === start ? executable.path : "";
  }

  #entityId(hostId: number, start: bigint): number {
    const known = this.#entities.get(hostId);
    if (known?.start === start) return known.id;
    if (this.#entities.size > PROCESS_CACHE_MAX) this.#entities.clear();
    const id = entityId(hostId, start);
    this.#entities.set(hostId, { start, id });
    return id;
  }
}
