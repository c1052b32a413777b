/**
 * The interface between event producers (the kernel, a replayed file) and the
 * engine, which does not know where an event came from.
 *
 * @module
 */

import type { EventEnvelope } from "../event/mod.ts";

/**
 * A test an event's argument must pass for anyone to want the event (the
 * engine's gate): a source may drop events that fail it before building them.
 */
export interface ArgumentGate {
  /** The argument's name, e.g. `pathname`. */
  readonly name: string;
  /** Whether a value of that argument matches the gate. */
  matches(value: unknown): boolean;
  /**
   * The gate's globs (selector syntax), when it is made of them: a source
   * may test them earlier, over-approximated (the kernel source does, in
   * BPF), but must still apply `matches`.
   */
  readonly patterns?: readonly string[];
}

/** What a source could not deliver so far, for metrics. */
export interface SourceLosses {
  /** Records the kernel could not queue (its ring buffer was full). */
  lost: number;
  /**
   * Events dropped before they were built, by reason: `unselected` (no
   * signature could select them), `malformed` (a replayed line that is not
   * an event), `undecodable` (a kernel record), `out_of_scope` (outside the
   * `--scope`).
   */
  dropped: Readonly<Record<string, number>>;
}

/** A producer of events. */
export interface EventSource {
  /** A short name for logs, e.g. `kernel` or the replayed file's path. */
  readonly name: string;
  /**
   * Yields events in batches until the source ends or `signal` aborts. A batch
   * is never empty.
   */
  batches(signal: AbortSignal): AsyncIterable<EventEnvelope[]>;
  /**
   * Lines for the final summary: counts of what the source could not deliver
   * (malformed lines, records lost in the kernel). Empty when nothing was lost.
   */
  summary(): string[];
  /**
   * Events dropped unread so far because no signature could select them (by
   * name, or by the argument gate of every selector).
   */
  readonly unwanted: number;
  /** Events dropped so far as outside the `--scope`, when one is given. */
  readonly outOfScope?: number;
  /** Counts of what was lost or dropped so far. */
  losses(): SourceLosses;
  /** Releases what the source holds (probes, files). Idempotent. */
  close(): Promise<void>;
}
