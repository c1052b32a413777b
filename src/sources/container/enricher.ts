/**
 * Container details for live events: each container is looked up once in
 * its runtime and the answer cached (bounded, least recently used out
 * first), so the event path reads a map and never waits on the runtime.
 *
 * Events decoded while a container's first lookup is in flight are held,
 * once per container and for at most `holdMs` (100 ms by default; a lookup
 * over containerd's socket takes a few): the whole batch waits, in order,
 * then goes on with the details if they came, else without (counted in
 * {@linkcode EnrichmentCounts.sentWithout}). A container unknown to the
 * runtime is asked again after `missRetryMs`, never given up for good.
 *
 * When the runtime cannot be asked (socket absent, daemon down), one
 * warning is logged, events go on with the container id only, and the
 * runtime is tried again with backoff (1 s doubling to 30 s), and within a
 * second of a new container's first sight (the runtime made it, so it may
 * be back); when it answers, an info line says so and the containers
 * wanted meanwhile are looked up.
 *
 * @module
 */

import {
  envelopeFromEvent,
  type EventEnvelope,
  type TraceeEvent,
} from "../../event/mod.ts";
import {
  type ContainerRuntimeClient,
  RuntimeUnavailableError,
} from "./containerd_client.ts";
import { type ContainerDetails, containerDetails } from "./labels.ts";

/** Where the enricher logs its one warning per outage and the recovery. */
export type EnricherLog = (
  level: "debug" | "info" | "warning",
  message: string,
) => void;

/** Options of {@linkcode ContainerEnricher}. */
export interface ContainerEnricherOptions {
  /** Where warnings and recoveries go. */
  log?: EnricherLog;
  /**
   * Most containers remembered (found or not).
   * @default {4096}
   */
  maxEntries?: number;
  /**
   * Most lookups in flight at once; the rest wait their turn.
   * @default {8}
   */
  maxInFlight?: number;
  /**
   * How long a batch waits for a container's first lookup, in ms.
   * @default {100}
   */
  holdMs?: number;
  /**
   * When a container the runtime did not know is asked about again, in ms.
   * @default {5000}
   */
  missRetryMs?: number;
  /**
   * First and last wait between tries of a runtime that is down, in ms.
   * @default {[1000, 30000]}
   */
  retryMs?: readonly [first: number, last: number];
}

/** What the enricher did so far. */
export interface EnrichmentCounts {
  /** Lookups answered by the runtime (found or not). */
  lookups: number;
  /** Containers found. */
  found: number;
  /** Lookups that failed because the runtime could not be asked. */
  failed: number;
  /** Events held while their container's first lookup was in flight. */
  held: number;
  /** Container events sent on without details (lookup late, not found, runtime down). */
  sentWithout: number;
}

type Entry =
  | { readonly kind: "found"; readonly details: ContainerDetails }
  | { readonly kind: "missing"; readonly at: number }
  | { readonly kind: "pending"; readonly answer: Promise<void> };

/** Container details from a runtime, cached; see the module doc. */
export class ContainerEnricher {
  readonly #client: ContainerRuntimeClient;
  readonly #log: EnricherLog;
  readonly #maxEntries: number;
  readonly #maxInFlight: number;
  readonly #holdMs: number;
  readonly #missRetryMs: number;
  readonly #retryMs: readonly [number, number];
  readonly #entries = new Map<string, Entry>();
  /** Ids to look up when a slot frees or the runtime returns, in order. */
  readonly #waiting = new Set<string>();
  /** Containers whose events were held once already. */
  readonly #held = new Set<string>();
  #inFlight = 0;
  #down = false;
  #backoffMs: number;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the next try of a runtime that is down is due (performance.now()). */
  #retryAt = Infinity;
  #lastTryAt = -Infinity;
  /** Whether a try of a runtime that is down is in flight. */
  #probing = false;
  #generation = 0;
  #closed = false;
  readonly counts: EnrichmentCounts = {
    lookups: 0,
    found: 0,
    failed: 0,
    held: 0,
    sentWithout: 0,
  };

  /** An enricher asking `client`. */
  constructor(
    client: ContainerRuntimeClient,
    options: ContainerEnricherOptions = {},
  ) {
    const {
      log = () => {},
      maxEntries = 4096,
      maxInFlight = 8,
      holdMs = 100,
      missRetryMs = 5_000,
      retryMs = [1_000, 30_000],
    } = options;
    if (!(maxEntries >= 1 && maxInFlight >= 1)) {
      throw new RangeError(
        "Cannot make a container enricher: maxEntries and maxInFlight must be at least 1",
      );
    }
    this.#client = client;
    this.#log = log;
    this.#maxEntries = maxEntries;
    this.#maxInFlight = maxInFlight;
    this.#holdMs = holdMs;
    this.#missRetryMs = missRetryMs;
    this.#retryMs = retryMs;
    this.#backoffMs = retryMs[0];
  }

  /** Bumped each time a container's details arrive. */
  get generation(): number {
    return this.#generation;
  }

  /** Containers remembered now (at most `maxEntries`). */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether the runtime is taken to be down. */
  get down(): boolean {
    return this.#down;
  }

  /**
   * The details of container `id` if known; if not, its lookup is started
   * (or queued) and `undefined` returned at once.
   */
  details(id: string): ContainerDetails | undefined {
    const entry = this.#entries.get(id);
    if (entry?.kind === "found") {
      // Most recently used last: the first key is the one evicted.
      this.#entries.delete(id);
      this.#entries.set(id, entry);
      return entry.details;
    }
    this.request(id);
    return undefined;
  }

  /** Starts looking container `id` up, unless known, in flight or missed lately. */
  request(id: string): void {
    if (id === "" || this.#closed) return;
    const entry = this.#entries.get(id);
    if (entry?.kind === "found" || entry?.kind === "pending") return;
    if (
      entry?.kind === "missing" &&
      performance.now() - entry.at < this.#missRetryMs
    ) return;
    if (this.#down || this.#inFlight >= this.#maxInFlight) {
      if (this.#waiting.size < this.#maxEntries) this.#waiting.add(id);
      if (this.#down) this.#retrySoon();
      return;
    }
    this.#start(id);
  }

  /**
   * The batch with the details of its containers' events filled in: held
   * first (see the module doc) when a container's first lookup is in flight.
   */
  async fill(batch: EventEnvelope[]): Promise<EventEnvelope[]> {
    let pending: Promise<void>[] | undefined;
    let lacking = 0;
    for (const envelope of batch) {
      const id = lacksDetails(envelope);
      if (id === undefined) continue;
      lacking++;
      const entry = this.#entries.get(id);
      if (entry?.kind === "pending" && !this.#held.has(id)) {
        if (this.#held.size >= this.#maxEntries) this.#held.clear();
        this.#held.add(id);
        (pending ??= []).push(entry.answer);
      }
    }
    if (lacking === 0) return batch;
    if (pending) {
      this.counts.held += batch.length;
      await this.#settle(pending);
    }
    return batch.map((envelope) => this.#filled(envelope));
  }

  /** Stops retrying and closes the client. Idempotent. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#waiting.clear();
    this.#client.close();
  }

  #filled(envelope: EventEnvelope): EventEnvelope {
    const id = lacksDetails(envelope);
    if (id === undefined) return envelope;
    const entry = this.#entries.get(id);
    if (entry?.kind !== "found") {
      this.counts.sentWithout++;
      return envelope;
    }
    const { container, kubernetes } = entry.details;
    return envelopeFromEvent({ ...envelope.event(), container, kubernetes });
  }

  /** Waits for `answers`, at most `holdMs`. */
  async #settle(answers: Promise<void>[]): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(answers),
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.#holdMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Looks container `id` up; its entry is pending until the answer. */
  #start(id: string): Promise<void> {
    this.#inFlight++;
    this.#lastTryAt = performance.now();
    const answer = this.#lookup(id).finally(() => {
      this.#inFlight--;
      this.#next();
    });
    this.#remember(id, { kind: "pending", answer });
    return answer;
  }

  async #lookup(id: string): Promise<void> {
    const started = performance.now();
    try {
      const found = await this.#client.lookup(id);
      this.counts.lookups++;
      this.#up();
      const ms = Math.round(performance.now() - started);
      this.#log(
        "debug",
        found
          ? `Container ${id}: ${found.image} on ${found.runtime} (${ms} ms)`
          : `Container ${id}: unknown to ${this.#client.name} (${ms} ms)`,
      );
      if (found === undefined) {
        this.#remember(id, { kind: "missing", at: performance.now() });
        return;
      }
      this.counts.found++;
      this.#remember(id, { kind: "found", details: containerDetails(found) });
      this.#generation++;
    } catch (error) {
      this.counts.failed++;
      this.#entries.delete(id);
      if (this.#closed) return;
      if (this.#waiting.size < this.#maxEntries) this.#waiting.add(id);
      this.#wentDown(error);
    }
  }

  #remember(id: string, entry: Entry): void {
    this.#entries.delete(id);
    if (this.#entries.size >= this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(id, entry);
  }

  /** Starts waiting lookups while there are free slots and the runtime is up. */
  #next(): void {
    for (const id of this.#waiting) {
      if (this.#down || this.#closed || this.#inFlight >= this.#maxInFlight) {
        return;
      }
      this.#waiting.delete(id);
      this.request(id);
    }
  }

  #wentDown(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    const why = error instanceof RuntimeUnavailableError
      ? error.message
      : String(error);
    this.#log(
      "warning",
      `Cannot ask ${this.#client.name} about containers (${why}): events carry container ids only until it answers; retrying`,
    );
    this.#backOff();
  }

  /** Schedules the next try of a runtime that is down, the wait doubled. */
  #backOff(): void {
    this.#retryAt = Infinity;
    this.#scheduleTry(performance.now() + this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#retryMs[1]);
  }

  /**
   * A new container while the runtime is down: the runtime made it, so it
   * may be back. Tried within the first retry wait of the last try.
   */
  #retrySoon(): void {
    if (this.#probing) return;
    this.#scheduleTry(
      Math.max(performance.now(), this.#lastTryAt + this.#retryMs[0]),
    );
  }

  /** Makes the next try happen at `at` (performance.now() time), if sooner. */
  #scheduleTry(at: number): void {
    if (this.#closed || at >= this.#retryAt) return;
    clearTimeout(this.#retryTimer);
    this.#retryAt = at;
    const timer = setTimeout(
      () => this.#probe(),
      Math.max(0, at - performance.now()),
    );
    Deno.unrefTimer(timer);
    this.#retryTimer = timer;
  }

  /**
   * Tries the runtime with the container wanted last (the likeliest to
   * exist); once it answers, the others follow.
   */
  #probe(): void {
    this.#retryAt = Infinity;
    const id = [...this.#waiting].at(-1);
    if (id === undefined || this.#closed) return;
    this.#waiting.delete(id);
    this.#probing = true;
    this.#start(id).finally(() => {
      this.#probing = false;
      if (this.#down) this.#backOff();
    });
  }

  #up(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#backoffMs = this.#retryMs[0];
    this.#log(
      "info",
      `${this.#client.name} answers again: container details resume`,
    );
  }
}

/** The container id of an event in a container without details, if so. */
function lacksDetails(envelope: EventEnvelope): string | undefined {
  const event: TraceeEvent = envelope.event();
  return event.containerId !== "" && event.container.name === undefined
    ? event.containerId
    : undefined;
}
