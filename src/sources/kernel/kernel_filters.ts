/**
 * The filters the BPF programs test before they make a record: the path
 * filter of `security_file_open` and of the open syscalls' own `pathname`
 * (path_filter.ts) and the scope (scope_filter.ts), as the configuration's
 * flags before load and as map entries after.
 *
 * @module
 */

import { type BpfObject, SysFlag } from "../../../ffi/mod.ts";
import type { ConfigSettings } from "./config.ts";
import type { KernelPlan } from "./plan.ts";
import {
  anywhereFirstBytes,
  loadPathFilter,
  loadSyscallPathFilter,
  pathFilterFlags,
  type PathFilterPlan,
} from "./path_filter.ts";
import {
  hostMountNamespace,
  type KernelScopeFilter,
  loadScopeFilter,
  scopeFlags,
} from "./scope_filter.ts";

/**
 * The open syscalls whose own events are filtered on their `pathname`, and
 * the anchored entries it must start with (their globs' union).
 */
export interface SyscallPathFilter {
  /** Syscall numbers. */
  readonly syscalls: readonly number[];
  readonly anchored: readonly Uint8Array[];
}

/** The filters of one load. */
export interface KernelFilters {
  readonly pathFilter?: PathFilterPlan | undefined;
  readonly syscallPathFilter?: SyscallPathFilter | undefined;
  readonly kernelScope?: KernelScopeFilter | undefined;
}

/** The plan with the syscalls whose own path argument is filtered marked. */
export function filteredPlan(
  plan: KernelPlan,
  { syscallPathFilter }: KernelFilters,
): KernelPlan {
  if (!syscallPathFilter) return plan;
  const sysFlags = new Map(plan.sysFlags);
  for (const nr of syscallPathFilter.syscalls) {
    const flags = sysFlags.get(nr);
    if (flags !== undefined) sysFlags.set(nr, flags | SysFlag.FilterStr);
  }
  return { ...plan, sysFlags };
}

/** The configuration's part for the filters. */
export function filterSettings(
  { pathFilter, kernelScope: scope }: KernelFilters,
): Omit<ConfigSettings, "cgroupSubsys"> {
  return {
    filterFlags: pathFilterFlags(pathFilter),
    scopeFlags: scopeFlags(scope),
    hostMntNs: scope?.containerOnly ? hostMountNamespace() : 0,
    ...(pathFilter ? { anywhereFirst: anywhereFirstBytes(pathFilter) } : {}),
  };
}

/**
 * Writes the filters' entries into the loaded object's maps (before the
 * programs are attached).
 *
 * @throws {BpfError} When a map refuses an entry.
 */
export function loadFilters(
  object: BpfObject,
  { pathFilter, syscallPathFilter, kernelScope: scope }: KernelFilters,
): void {
  if (pathFilter) loadPathFilter(object, pathFilter);
  if (syscallPathFilter) {
    loadSyscallPathFilter(object, syscallPathFilter.anchored);
  }
  if (scope) loadScopeFilter(object, scope);
}
