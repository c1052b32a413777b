/**
 * The filters the BPF programs test before they make a record: the path
 * filter of `security_file_open` (path_filter.ts) and the scope
 * (scope_filter.ts), as the configuration's flags before load and as map
 * entries after.
 *
 * @module
 */

import type { BpfObject } from "../../../ffi/mod.ts";
import type { ConfigSettings } from "./config.ts";
import {
  anywhereFirstBytes,
  loadPathFilter,
  pathFilterFlags,
  type PathFilterPlan,
} from "./path_filter.ts";
import {
  hostMountNamespace,
  type KernelScopeFilter,
  loadScopeFilter,
  scopeFlags,
} from "./scope_filter.ts";

/** The filters of one load. */
export interface KernelFilters {
  readonly pathFilter?: PathFilterPlan | undefined;
  readonly scope?: KernelScopeFilter | undefined;
}

/** The configuration's part for the filters. */
export function filterSettings(
  { pathFilter, scope }: KernelFilters,
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
  { pathFilter, scope }: KernelFilters,
): void {
  if (pathFilter) loadPathFilter(object, pathFilter);
  if (scope) loadScopeFilter(object, scope);
}
