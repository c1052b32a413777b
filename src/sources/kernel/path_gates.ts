/**
 * Which events' paths the kernel filters, from the engine's gates: the
 * globs of `security_file_open`'s gate as path_filter.ts's tries, and the
 * open syscalls' own `pathname` when their globs are prefixes or exact
 * paths. Remembers each filtered event's globs, so that a change of gates
 * (signatures reloaded) can be told from none.
 *
 * @module
 */

import type { ArgumentGate } from "../source.ts";
import type { SyscallPathFilter } from "./kernel_filters.ts";
import { compilePathFilter, type PathFilterPlan } from "./path_filter.ts";
import { KERNEL_EVENTS } from "./plan.ts";
import { Limits } from "../../../ffi/mod.ts";

/** What {@linkcode planPathFilters} reads of the kernel source's options. */
export interface PathGateOptions {
  /** The events traced. */
  events: ReadonlySet<string>;
  /** The engine's gate of each event. */
  gate?: (eventName: string) => ArgumentGate | undefined;
  log?: (level: "debug", message: string) => void;
}

/** The path filters of one load. */
export interface PathFilters {
  pathFilter?: PathFilterPlan;
  syscallPathFilter?: SyscallPathFilter;
  /** The events filtered, each with its globs' {@linkcode globsKey}. */
  filtered: Map<string, string>;
}

/** The path filters the kernel can apply for `options`' gates. */
export function planPathFilters(options: PathGateOptions): PathFilters {
  const pathFilter = kernelPathFilter(options);
  const syscallPathFilter = kernelSyscallPathFilter(options);
  return {
    ...(pathFilter ? { pathFilter } : {}),
    ...(syscallPathFilter ? { syscallPathFilter } : {}),
    filtered: pathFilteredGlobs(options, pathFilter, syscallPathFilter),
  };
}

/**
 * The kernel's filter for `security_file_open`: its gate's globs, when it
 * has a gate on `pathname` made of globs the kernel can test.
 */
function kernelPathFilter(
  options: PathGateOptions,
): PathFilterPlan | undefined {
  if (!options.events.has("security_file_open")) return undefined;
  const gate = options.gate?.("security_file_open");
  if (gate?.name !== "pathname" || !gate.patterns) return undefined;
  const plan = compilePathFilter(gate.patterns);
  options.log?.(
    "debug",
    plan
      ? `Filtering security_file_open paths in the kernel: ${plan.anchored.length} anchored and ${plan.anywhere.length} anywhere entries`
      : "Filtering security_file_open paths in user space only: a glob has neither a literal prefix nor a '/' after a star",
  );
  return plan;
}

/** The open syscalls whose own event has a `pathname` gate on globs. */
const OPEN_SYSCALLS = ["open", "openat", "openat2"] as const;

/**
 * The kernel's filter of the open syscalls' own events: for each traced one
 * whose gate on `pathname` has only anchored entries (prefixes, exact
 * paths), those entries; the union serves them all.
 */
function kernelSyscallPathFilter(
  options: PathGateOptions,
): SyscallPathFilter | undefined {
  const syscalls: number[] = [];
  const anchored = new Map<string, Uint8Array>();
  for (const name of OPEN_SYSCALLS) {
    if (!options.events.has(name)) continue;
    const gate = options.gate?.(name);
    if (gate?.name !== "pathname" || !gate.patterns) continue;
    const plan = compilePathFilter(gate.patterns);
    if (!plan || plan.anywhere.length > 0) continue;
    syscalls.push(KERNEL_EVENTS.get(name)!.id);
    for (const bytes of plan.anchored) anchored.set(bytes.join(), bytes);
  }
  if (syscalls.length === 0 || anchored.size > Limits.FILTER_ENTRIES) {
    return undefined;
  }
  options.log?.(
    "debug",
    `Filtering the pathname of ${syscalls.length} open syscall event(s) in the kernel: ${anchored.size} anchored entries`,
  );
  return { syscalls, anchored: [...anchored.values()] };
}

/** A key of a gate's globs: equal for the same set. */
export function globsKey(gate: ArgumentGate | undefined): string {
  return gate?.name === "pathname" && gate.patterns
    ? JSON.stringify([...new Set(gate.patterns)].sort())
    : "";
}

/** The events whose paths the kernel filters, each with its globs' key. */
function pathFilteredGlobs(
  options: PathGateOptions,
  pathFilter: PathFilterPlan | undefined,
  syscallPathFilter: SyscallPathFilter | undefined,
): Map<string, string> {
  const names = [
    ...(pathFilter ? ["security_file_open"] : []),
    ...OPEN_SYSCALLS.filter((name) =>
      syscallPathFilter?.syscalls.includes(KERNEL_EVENTS.get(name)!.id)
    ),
  ];
  return new Map(names.map((name) => [name, globsKey(options.gate?.(name))]));
}
