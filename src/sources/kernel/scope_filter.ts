/**
 * The kernel's scope filter (ffi/bpf/scope_filter.h): which tasks' events
 * the BPF programs record at all. A task is in scope when it is in every
 * scope given: one of `uids`, one of `pids`, one of `comms`, one of
 * `cgroupIds`, and outside the host's mount namespace for `containerOnly`.
 * Events of other tasks are dropped before a record is made, and counted
 * (`KernelSource.kernelDropped`).
 *
 * The kernel's test must never drop what user space's scope would keep:
 * `containerOnly` keeps every task in another mount namespace than the
 * host's (every container has its own; so do a few host services, which
 * user space then drops), and a comm is compared as the kernel keeps it,
 * cut to 15 bytes.
 *
 * @module
 */

import { type BpfObject, Limits, ScopeFlag } from "../../../ffi/mod.ts";
import { type Scope, ScopeField } from "../scope.ts";

/** The tasks whose events the kernel records; every scope given must hold. */
export interface KernelScopeFilter {
  /** Real uids. */
  readonly uids?: readonly number[];
  /** Host process ids (tgids). */
  readonly pids?: readonly number[];
  /** Process names, as `processName` reports them. */
  readonly comms?: readonly string[];
  /** Cgroup ids in the hierarchy records carry (`cgroupId`). */
  readonly cgroupIds?: readonly bigint[];
  /** Only tasks outside the host's mount namespace (containers). */
  readonly containerOnly?: boolean;
}

const U32_MAX = 0xffff_ffff;

function checkList<T>(
  name: string,
  values: readonly T[] | undefined,
  valid: (value: T) => boolean,
): void {
  if (values === undefined) return;
  if (values.length === 0 || values.length > Limits.SCOPE_ENTRIES) {
    throw new RangeError(
      `Cannot scope the kernel by ${name}: give 1 to ${Limits.SCOPE_ENTRIES} values, not ${values.length}`,
    );
  }
  const bad = values.find((value) => !valid(value));
  if (bad !== undefined) {
    throw new RangeError(
      `Cannot scope the kernel by ${name}: ${String(bad)} is not one`,
    );
  }
}

function isU32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= U32_MAX;
}

/**
 * Validates a scope.
 *
 * @throws {RangeError} When a list is empty or longer than the maps hold, or
 * holds a value the kernel cannot have (a uid or pid outside 0-2^32-1, an
 * empty comm, a negative cgroup id).
 */
export function checkScope(scope: KernelScopeFilter): void {
  checkList("uid", scope.uids, isU32);
  checkList("pid", scope.pids, isU32);
  checkList("comm", scope.comms, (comm) => comm !== "");
  checkList(
    "cgroup id",
    scope.cgroupIds,
    (id) => id >= 0n && id < 1n << 64n,
  );
}

/** The config's `scope_flags` for a scope (0: everything in scope). */
export function scopeFlags(scope: KernelScopeFilter | undefined): number {
  if (!scope) return 0;
  return (scope.uids ? ScopeFlag.Uid : 0) |
    (scope.pids ? ScopeFlag.Pid : 0) |
    (scope.comms ? ScopeFlag.Comm : 0) |
    (scope.cgroupIds ? ScopeFlag.Cgroup : 0) |
    (scope.containerOnly ? ScopeFlag.Container : 0);
}

/** The key of a comm: its UTF-8 cut to 15 bytes, as the kernel keeps it. */
function commKey(comm: string): Uint8Array<ArrayBuffer> {
  const key = new Uint8Array(Limits.COMM_LEN);
  key.set(new TextEncoder().encode(comm).slice(0, Limits.COMM_LEN - 1));
  return key;
}

function u32Key(value: number): Uint8Array<ArrayBuffer> {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, value, true);
  return key;
}

function u64Key(value: bigint): Uint8Array<ArrayBuffer> {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, value, true);
  return key;
}

/**
 * Writes a scope's values into the loaded object's maps.
 *
 * @throws {BpfError} When a map refuses a value.
 */
export function loadScopeFilter(
  object: BpfObject,
  scope: KernelScopeFilter,
): void {
  const one = new Uint8Array([1]);
  const fill = <T>(
    map: string,
    values: readonly T[] | undefined,
    key: (value: T) => Uint8Array<ArrayBuffer>,
  ) => {
    for (const value of values ?? []) object.map(map).update(key(value), one);
  };
  fill("scope_uids", scope.uids, u32Key);
  fill("scope_pids", scope.pids, u32Key);
  fill("scope_comms", scope.comms, commKey);
  fill("scope_cgroups", scope.cgroupIds, u64Key);
}

/** The inode of the host's mount namespace (pid 1's), for `containerOnly`. */
export function hostMountNamespace(): number {
  return Deno.statSync("/proc/1/ns/mnt").ino ?? 0;
}

/**
 * The part of a `--scope` the kernel can test, or `undefined` when none is:
 * a uid, pid or comm filter that only includes exact values (not `!=`, not a
 * `*` prefix), and `container`. User space still tests the whole scope, so
 * this only has to never drop what the scope keeps.
 */
export function kernelScopeOf(scope: Scope): KernelScopeFilter | undefined {
  const filter: {
    uids?: number[];
    pids?: number[];
    comms?: string[];
    containerOnly?: boolean;
  } = {};
  for (const field of scope.filters) {
    if (field.field === "container") {
      if (field.inContainer) filter.containerOnly = true;
      continue;
    }
    if (
      field.exclude.length > 0 || field.include.length > Limits.SCOPE_ENTRIES
    ) {
      continue;
    }
    const values = field.include;
    if (field.field === ScopeField.Uid) filter.uids = values.map(Number);
    if (field.field === ScopeField.Pid) filter.pids = values.map(Number);
    if (
      field.field === ScopeField.Comm &&
      values.every((value) => !String(value).endsWith("*"))
    ) {
      filter.comms = values.map(String);
    }
  }
  return Object.keys(filter).length === 0 ? undefined : filter;
}
