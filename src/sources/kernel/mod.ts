/**
 * The live source: loads Vigil's eBPF programs for the events someone
 * wants, reads their ring buffer and decodes each record into an event in
 * Tracee's shape (derived events included). Needs root and the FFI.
 *
 * @example Trace the opens of files under /etc for ten seconds
 * ```ts ignore
 * import { openKernelSource } from "./mod.ts";
 *
 * const source = await openKernelSource({
 *   events: new Set(["security_file_open"]),
 *   excludePids: [Deno.pid],
 * });
 * for await (const batch of source.batches(AbortSignal.timeout(10_000))) {
 *   for (const envelope of batch) console.log(envelope.json);
 * }
 * ```
 *
 * @module
 */

export type { KernelScopeFilter } from "./scope_filter.ts";
export {
  KERNEL_EVENT_NAMES,
  type KernelDropped,
  KernelSource,
  type KernelSourceOptions,
  openKernelSource,
} from "./source.ts";
