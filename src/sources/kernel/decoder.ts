/**
 * Decodes the kernel's ring records (ffi/bpf/vigil_events.h) into Tracee
 * events with parsed arguments. Pure: no kernel access, so it is unit-tested
 * with hand-built ring records. The parts: reading a record's binary fields
 * (ring_fields.ts, ring_text.ts), the per-thread task context
 * (task_context.ts), argument conversion (arguments.ts) and the derived
 * events' builders (derived.ts).
 *
 * Ring records are read as untrusted bytes: every field is bounded by the
 * record, the record by the bytes drained, a field too short for its kind is
 * skipped, and counts in a record (argc) do not size anything beyond a fixed
 * bound. A record that still makes decoding throw costs that record only: it
 * is counted in `failures`, and the next record is decoded.
 *
 * @module
 */

import {
  envelopeFromEvent,
  type EventEnvelope,
  syscallName,
  type TraceeEvent,
} from "../../event/mod.ts";
import type { ArgumentGate } from "../source.ts";
import type { Scope } from "../scope.ts";
import {
  HeaderOffset,
  Limits,
  RingRecordFlag,
  RingRecordKind,
  Slot,
} from "../../../ffi/mod.ts";
import {
  KERNEL_EVENTS,
  type SyscallEvent,
  SYSCALLS_BY_NUMBER,
} from "./plan.ts";
import { exact, isConverted, makeArgs, syscallValues } from "./arguments.ts";
import { readFields, RegisterArgs, type RingFields } from "./ring_fields.ts";
import { TextCache } from "./ring_text.ts";
import {
  type TaskContext,
  TaskContexts,
  type TaskContextSource,
} from "./task_context.ts";
import {
  type Derivation,
  derivation,
  DERIVED_BY_SYSCALL,
  type RingRecordParts,
} from "./derived.ts";

/** What the decoder needs from its surroundings. */
export interface DecodeContext extends TaskContextSource {
  /**
   * The gate events called `eventName` must pass to be built at all; asked
   * once per name. Events that fail it are counted as unwanted.
   */
  gate?(eventName: string): ArgumentGate | undefined;
  /** Told of the cgroup records, when given. */
  cgroups?: CgroupObserver;
  /**
   * The `--scope` whose task context filters a record must pass before its
   * events are built; records that fail are counted in `outOfScope`.
   */
  scope?: Scope;
}

/** What learns of cgroups from the ring: made, removed, started. */
export interface CgroupObserver {
  /** A cgroup made in hierarchy `hierarchyId`, at `path` from its root. */
  made(cgroupId: bigint, hierarchyId: number, path: string): void;
  /** A cgroup removed from hierarchy `hierarchyId`. */
  removed(cgroupId: bigint, hierarchyId: number): void;
  /**
   * The first exec, by a task in another mount namespace than its parent's,
   * in a cgroup made since the programs were loaded.
   */
  started(cgroupId: bigint): void;
}

/** A gate on one parameter, by its position in the event's values. */
interface ParamGate {
  readonly index: number;
  readonly gate: ArgumentGate;
}

/**
 * The events a scheduler ring record reports, with the header flag each
 * needs (0: always).
 */
const SCHED_EVENTS: Readonly<
  Record<number, readonly (readonly [flag: number, event: Derivation])[]>
> = {
  [RingRecordKind.Exec]: [
    [RingRecordFlag.EmitSyscall, derivation("sched_process_exec")],
    [RingRecordFlag.EmitDerived, derivation("security_bprm_check")],
  ],
  [RingRecordKind.Fork]: [[0, derivation("sched_process_fork")]],
  [RingRecordKind.Exit]: [[0, derivation("sched_process_exit")]],
};

/** The ring record being decoded, what builders read of it, and its events. */
class Decoding implements RingRecordParts {
  readonly syscall: string;
  readonly ret: bigint;
  /** The events' `syscall` field: the syscall the task was in. */
  readonly syscallField: string;
  readonly envelopes: EventEnvelope[] = [];
  /** Read for the first event that matches its gate, with the timestamp. */
  task: TaskContext | undefined;
  timestamp = 0n;
  readonly #syscallEvent: SyscallEvent | undefined;
  #values: unknown[] | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly view: DataView,
    readonly offset: number,
    readonly flags: number,
    readonly args: RegisterArgs,
    readonly fields: RingFields,
    readonly bootToEpochNs: bigint,
  ) {
    const nr = view.getInt32(offset + HeaderOffset.syscallNr, true);
    this.#syscallEvent = SYSCALLS_BY_NUMBER.get(nr);
    this.syscall = this.#syscallEvent?.name ?? "";
    this.syscallField = this.syscall || syscallName(nr);
    this.ret = view.getBigInt64(offset + HeaderOffset.ret, true);
  }

  /**
   * Built only when an event uses them: an open followed for
   * security_file_open alone does not.
   */
  syscallValues(): unknown[] {
    return this.#values ??= syscallValues(
      this.#syscallEvent!,
      this.fields,
      this.args,
    );
  }
}

/** Decodes ring records into events; one decoder per source. */
export class RingRecordDecoder {
  readonly #context: DecodeContext;
  readonly #args = new RegisterArgs();
  readonly #texts = new TextCache();
  readonly #tasks: TaskContexts;
  /** Each event's gate, or `null` when it has none the decoder can apply. */
  readonly #gates = new Map<string, ParamGate | null>();
  #unwanted = 0;
  #outOfScope = 0;
  #failures = 0;
  #lastFailure: string | undefined;

  /** A decoder with its time base and container lookup. */
  constructor(context: DecodeContext) {
    this.#context = context;
    this.#tasks = new TaskContexts(context);
  }

  /**
   * Decodes the ring record at `offset` (of `length` bytes, as far as `view`
   * holds them) into zero or more events (a syscall record may also carry
   * its derived event). Never throws: a record that cannot be decoded gives
   * no event and is counted in {@linkcode RingRecordDecoder.failures}.
   */
  decode(
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
  ): EventEnvelope[] {
    try {
      const held = Math.min(length, view.byteLength - offset);
      if (offset < 0 || held < Limits.HEADER_SIZE) return [];
      return this.#decode(bytes, view, offset, held);
    } catch (error) {
      this.#failures++;
      this.#lastFailure = error instanceof Error
        ? error.message
        : String(error);
      return [];
    }
  }

  /** Ring records that decoding threw on, so far; each gave no event. */
  get failures(): number {
    return this.#failures;
  }

  /** Why the last of {@linkcode RingRecordDecoder.failures} failed. */
  get lastFailure(): string | undefined {
    return this.#lastFailure;
  }

  /** Events not built so far because they failed their gate. */
  get unwanted(): number {
    return this.#unwanted;
  }

  /** Records whose events were not built because they were out of scope. */
  get outOfScope(): number {
    return this.#outOfScope;
  }

  /**
   * Drops thread contexts made before a container or its details became
   * known; the source calls it once per drained batch.
   */
  refreshContainers(): void {
    this.#tasks.refreshContainers();
  }

  #decode(
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
  ): EventEnvelope[] {
    const kind = view.getUint8(offset + HeaderOffset.kind);
    const flags = view.getUint8(offset + HeaderOffset.flags);
    const fields = readFields(
      this.#texts,
      bytes,
      view,
      offset + Limits.HEADER_SIZE,
      offset + length,
    );
    const args = this.#args;
    args.view = view;
    args.offset = offset;
    const decoding = new Decoding(
      bytes,
      view,
      offset,
      flags,
      args,
      fields,
      this.#context.bootToEpochNs,
    );
    if (kind === RingRecordKind.Syscall) {
      this.#syscall(decoding);
    } else if (kind >= RingRecordKind.CgroupMkdir) {
      this.#cgroup(kind, decoding);
    } else {
      // The process runs this file from now on (executable.path).
      if (kind === RingRecordKind.Exec) {
        this.#tasks.execed(view, offset, fields.paths[Slot.File] ?? "");
      }
      if (this.#inScope(decoding)) {
        for (const [flag, event] of SCHED_EVENTS[kind] ?? []) {
          if (flag === 0 || flags & flag) this.#derive(decoding, event);
        }
      }
      if (kind === RingRecordKind.Exit) this.#tasks.exited(view, offset);
    }
    return decoding.envelopes;
  }

  /**
   * A cgroup record: made and removed ones carry the cgroup's id in args[0]
   * and its hierarchy's in args[1]; a started one is the header's cgroup.
   */
  #cgroup(kind: number, { view, offset, args, fields }: Decoding): void {
    const cgroups = this.#context.cgroups;
    if (kind === RingRecordKind.CgroupStarted) {
      cgroups?.started(view.getBigUint64(offset + HeaderOffset.cgroupId, true));
    } else if (kind === RingRecordKind.CgroupMkdir) {
      const path = fields.kernelStrs[Slot.CgroupPath] ?? "";
      cgroups?.made(args.u64(0), args.uint(1), path);
      this.#tasks.refreshContainers();
    } else if (kind === RingRecordKind.CgroupRmdir) {
      cgroups?.removed(args.u64(0), args.uint(1));
    }
  }

  /** The syscall's event and its derived one, as the header flags ask. */
  #syscall(decoding: Decoding): void {
    if (decoding.syscall === "" || !this.#inScope(decoding)) return;
    if (
      decoding.flags & RingRecordFlag.EmitSyscall &&
      KERNEL_EVENTS.has(decoding.syscall)
    ) {
      const atEntry = decoding.flags & RingRecordFlag.AtEntry;
      this.#emit(
        decoding,
        decoding.syscall,
        decoding.syscallValues(),
        atEntry ? 0n : decoding.ret,
      );
    }
    if (!(decoding.flags & RingRecordFlag.EmitDerived)) return;
    const derived = DERIVED_BY_SYSCALL.get(decoding.syscall);
    if (derived !== undefined) this.#derive(decoding, derived);
  }

  #derive(decoding: Decoding, { name, build }: Derivation): void {
    const values = build(decoding);
    if (values) this.#emit(decoding, name, values, 0n);
  }

  /** Builds event `name` from its values, unless it fails its gate. */
  #emit(
    decoding: Decoding,
    name: string,
    values: unknown[],
    returnValue: bigint,
  ): void {
    const def = KERNEL_EVENTS.get(name)!;
    const gated = this.#gateOf(name);
    if (gated && !gated.gate.matches(values[gated.index])) {
      this.#unwanted++;
      return;
    }
    const { view, offset } = decoding;
    const task = this.#taskOf(decoding);
    const eventArgs = makeArgs(name, def.params, values);
    // One literal in Tracee's field order: a single object shape.
    const event: TraceeEvent = {
      timestamp: decoding.timestamp,
      threadStartTime: task.threadStartTime,
      processorId: view.getUint32(offset + HeaderOffset.cpu, true),
      processId: task.processId,
      cgroupId: task.cgroupId,
      threadId: task.threadId,
      parentProcessId: task.parentProcessId,
      hostProcessId: task.hostProcessId,
      hostThreadId: task.hostThreadId,
      hostParentProcessId: task.hostParentProcessId,
      userId: task.userId,
      mountNamespace: task.mountNamespace,
      pidNamespace: task.pidNamespace,
      processName: task.processName,
      executable: task.executable,
      hostName: task.hostName,
      containerId: task.containerId,
      container: task.container,
      kubernetes: task.kubernetes,
      eventId: def.id,
      eventName: name,
      argsNum: eventArgs.length,
      returnValue: exact(returnValue),
      syscall: syscallName(
        view.getInt32(offset + HeaderOffset.syscallNr, true),
      ),
      stackAddresses: null,
      contextFlags: task.contextFlags,
      threadEntityId: task.threadEntityId,
      processEntityId: task.processEntityId,
      parentEntityId: task.parentEntityId,
      args: eventArgs,
    };
    decoding.envelopes.push(envelopeFromEvent(event, task));
  }

  /** The record's task context, decoded for its first event. */
  #taskOf(decoding: Decoding): TaskContext {
    if (decoding.task === undefined) {
      const { bytes, view, offset } = decoding;
      decoding.task = this.#tasks.of(bytes, view, offset, decoding.flags);
      decoding.timestamp = this.#tasks.epochNs(view, offset + HeaderOffset.ts);
    }
    return decoding.task;
  }

  /**
   * Whether the record's task passes the scope's context filters (decided
   * once per task context); counted when it does not.
   */
  #inScope(decoding: Decoding): boolean {
    const scope = this.#context.scope;
    if (scope === undefined) return true;
    const task = this.#taskOf(decoding);
    task.inScope ??= scope.matchesContext(task);
    if (task.inScope) return true;
    this.#outOfScope++;
    return false;
  }

  /**
   * The gate of `eventName` as a position in its values. Only a parameter
   * that is not converted can be tested before the event is built: its
   * value is the argument's.
   */
  #gateOf(eventName: string): ParamGate | null {
    let gated = this.#gates.get(eventName);
    if (gated === undefined) {
      const gate = this.#context.gate?.(eventName);
      const params = KERNEL_EVENTS.get(eventName)!.params;
      const index = gate
        ? params.findIndex(([, name]) => name === gate.name)
        : -1;
      gated = gate && index >= 0 && !isConverted(eventName, gate.name)
        ? { index, gate }
        : null;
      this.#gates.set(eventName, gated);
    }
    return gated;
  }
}
