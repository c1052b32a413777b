/**
 * What `--server` reads: the run's parts as they come up (signatures, the
 * output, the engine, the source), turned into metric readings and a health
 * verdict. Events are counted by name only with `--server`, by a source
 * wrapper, so a run without it pays nothing.
 *
 * @module
 */

import type { EventEnvelope } from "../event/mod.ts";
import type { Engine } from "../engine/mod.ts";
import { describe } from "../errors.ts";
import { log } from "../log.ts";
import {
  type MetricReadings,
  type RunningMetrics,
  type SensorMetrics,
  type ServerAddress,
  startMetricsServer,
} from "../metrics/mod.ts";
import type { Outputs } from "../output/mod.ts";
import type { Sandbox } from "../sandbox/mod.ts";
import type { EventSource, SourceLosses } from "../sources/mod.ts";

/** A source that counts its events by name and knows whether it is reading. */
export class CountedSource implements EventSource {
  /** Events yielded so far, by event name. */
  readonly counts = new Map<string, number>();
  #source: EventSource;
  #reading = false;

  constructor(source: EventSource) {
    this.#source = source;
  }

  get name(): string {
    return this.#source.name;
  }

  /** Whether its batches are being read (started and not ended). */
  get reading(): boolean {
    return this.#reading;
  }

  get unwanted(): number {
    return this.#source.unwanted;
  }

  async *batches(signal: AbortSignal): AsyncGenerator<EventEnvelope[]> {
    this.#reading = true;
    try {
      for await (const batch of this.#source.batches(signal)) {
        for (const envelope of batch) {
          const name = envelope.eventName;
          this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        }
        yield batch;
      }
    } finally {
      this.#reading = false;
    }
  }

  losses(): SourceLosses {
    return this.#source.losses();
  }

  summary(): string[] {
    return this.#source.summary();
  }

  close(): Promise<void> {
    return this.#source.close();
  }
}

/** The parts of a run, set as they start; `phase` says what it is doing. */
export interface RunParts {
  /** What the run is doing while it is not watching events, else undefined. */
  phase: string | undefined;
  /** The counters parts increment themselves (e.g. suppressed findings). */
  readonly metrics: SensorMetrics;
  sandbox?: Sandbox;
  outputs?: Outputs;
  engine?: Engine;
  source?: CountedSource;
}

/** The metric readings of a run's parts (empty until a part starts). */
export function runReadings(parts: RunParts): MetricReadings {
  return {
    events: () => parts.source?.counts ?? [],
    lostEvents: () => parts.source?.losses().lost ?? 0,
    droppedEvents: () => Object.entries(parts.source?.losses().dropped ?? {}),
    *signatures() {
      for (const [signature, health] of parts.engine?.health.entries() ?? []) {
        yield { id: signature.metadata.id, ...health };
      }
    },
    sandboxRestarts: () => parts.sandbox?.restarts ?? 0,
    *outputs() {
      for (const sink of parts.outputs?.sinks ?? []) {
        yield { name: sink.name, ...sink.stats() };
      }
    },
  };
}

/**
 * Why the run is not healthy: it is starting or stopping, its source is not
 * reading, or its sandbox is not answering; undefined when it is healthy.
 */
export function runHealth(parts: RunParts): string | undefined {
  if (parts.phase !== undefined) return parts.phase;
  if (!parts.source?.reading) return "the source is not reading";
  return parts.sandbox?.unanswering;
}

/** Starts `--server` before anything else, so that it reports the start. */
export async function serve(
  address: ServerAddress,
  parts: RunParts,
): Promise<RunningMetrics> {
  const url = (at: ServerAddress) =>
    `http://${
      at.hostname.includes(":") ? `[${at.hostname}]` : at.hostname
    }:${at.port}`;
  try {
    const server = await startMetricsServer({
      address,
      readings: runReadings(parts),
      sensor: parts.metrics,
      unhealthy: () => runHealth(parts),
    });
    log("server").info(
      `Serving /metrics and /healthz on ${url(server.address)}`,
    );
    return server;
  } catch (error) {
    throw new Error(
      `Cannot serve metrics on ${url(address)}: ${describe(error)}`,
      { cause: error },
    );
  }
}
