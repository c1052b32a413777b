/**
 * Where events come from. An {@linkcode EventSource} yields batches of event
 * envelopes; the replay source reads Tracee JSON lines from a file or stdin.
 * The live kernel source is in `kernel/mod.ts`, imported on its own so that
 * a replay never loads the FFI.
 *
 * @example Replay a file of Tracee JSON lines
 * ```ts ignore
 * import { openReplaySource } from "./mod.ts";
 *
 * const source = await openReplaySource({ path: "events.jsonl" });
 * for await (const batch of source.batches(AbortSignal.timeout(10_000))) {
 *   for (const envelope of batch) console.log(envelope.eventName);
 * }
 * ```
 *
 * @module
 */

export * from "./replay_source.ts";
export * from "./scope.ts";
export * from "./container/mod.ts";
export type * from "./source.ts";
export type { KernelSource, KernelSourceOptions } from "./kernel/mod.ts";
