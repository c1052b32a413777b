/**
 * Vigil's Prometheus metrics (prom-client): every counter is read, when
 * scraped, from the plain numbers the engine, the source and the outputs
 * keep; only the evaluation-time histogram is fed as batches are answered.
 *
 * @module
 */

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { SensorMetrics } from "./counter.ts";

/** One signature's counters, as the engine's health table keeps them. */
export interface SignatureReading {
  id: string;
  /** Events sent to it. */
  events: number;
  /** Findings accepted. */
  findings: number;
  /** Findings dropped by the rate limit. */
  dropped: number;
  /** Findings whose data was replaced for being too large. */
  truncated: number;
  failures: number;
  kills: number;
  quarantined: boolean;
}

/** One output's counters (see `OutputStats`). */
export interface OutputReading {
  name: string;
  written: number;
  failed: number;
  dropped: number;
  queued: number;
}

/** Where the metrics are read from, called at each scrape. */
export interface MetricReadings {
  /** Events read and built, by event name. */
  events(): Iterable<[string, number]>;
  /** Kernel ring records lost (ring buffer full). */
  lostEvents(): number;
  /** Events dropped before they were built, by reason. */
  droppedEvents(): Iterable<[string, number]>;
  signatures(): Iterable<SignatureReading>;
  sandboxRestarts(): number;
  outputs(): Iterable<OutputReading>;
}

/** Upper bounds of the evaluation-time buckets, in seconds. */
const EVALUATION_BUCKETS = [
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  1,
];

/** The registry to scrape, and the histogram the engine feeds. */
export interface VigilRegistry {
  registry: Registry;
  /** Records that `signature` spent `micros` on one batch. */
  observeEvaluation(signature: string, micros: number): void;
}

type Read<T> = () => Iterable<T>;

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: Read<[Record<L, string>, number]>,
): void {
  new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels as never, value);
    },
  });
}

function gauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: Read<[Record<L, string>, number]>,
): void {
  new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels as never, value);
    },
  });
}

function perSignature(
  readings: MetricReadings,
  value: (reading: SignatureReading) => number,
): Read<[{ signature: string }, number]> {
  return function* () {
    for (const reading of readings.signatures()) {
      yield [{ signature: reading.id }, value(reading)];
    }
  };
}

function perOutput(
  readings: MetricReadings,
  value: (reading: OutputReading) => number,
): Read<[{ output: string }, number]> {
  return function* () {
    for (const reading of readings.outputs()) {
      yield [{ output: reading.name }, value(reading)];
    }
  };
}

function byLabel<L extends string>(
  label: L,
  read: Read<[string, number]>,
): Read<[Record<L, string>, number]> {
  return function* () {
    for (const [value, count] of read()) {
      yield [{ [label]: value } as Record<L, string>, count];
    }
  };
}

function single(read: () => number): Read<[Record<never, string>, number]> {
  return () => [[{}, read()]];
}

/** Creates the registry of every Vigil metric (listed in the README). */
export function createRegistry(
  readings: MetricReadings,
  sensor: SensorMetrics,
): VigilRegistry {
  const registry = new Registry();
  const sig = ["signature"] as const;
  const out = ["output"] as const;
  const add = (
    name: string,
    help: string,
    labels: readonly string[],
    read: Read<[Record<string, string>, number]>,
  ) => counter(registry, name, help, labels, read);
  add(
    "vigil_events_total",
    "Events read and built, by event name.",
    ["event"],
    byLabel("event", () => readings.events()),
  );
  add(
    "vigil_lostevents_total",
    "Kernel records lost because the ring buffer was full.",
    [],
    single(() => readings.lostEvents()),
  );
  add(
    "vigil_events_dropped_total",
    "Events dropped before they were built, by reason.",
    ["reason"],
    byLabel("reason", () => readings.droppedEvents()),
  );
  add(
    "vigil_signature_events_total",
    "Events sent to each signature.",
    sig,
    perSignature(readings, (r) => r.events),
  );
  add(
    "vigil_findings_total",
    "Findings accepted, by signature.",
    sig,
    perSignature(readings, (r) => r.findings),
  );
  add(
    "vigil_findings_dropped_total",
    "Findings dropped by the per-signature rate limit.",
    sig,
    perSignature(readings, (r) => r.dropped),
  );
  add(
    "vigil_findings_truncated_total",
    "Findings whose data was too large and was replaced by a note.",
    sig,
    perSignature(readings, (r) => r.truncated),
  );
  add(
    "vigil_findings_suppressed_total",
    "Findings silenced by an exception, by signature.",
    sig,
    () => sensor.findingsSuppressed.entries(),
  );
  add(
    "vigil_signature_failures_total",
    "Events or batches a signature failed on (throws, bad results).",
    sig,
    perSignature(readings, (r) => r.failures),
  );
  add(
    "vigil_signature_kills_total",
    "Times the sandbox was killed for a signature (deadline, crash).",
    sig,
    perSignature(readings, (r) => r.kills),
  );
  gauge(
    registry,
    "vigil_signature_quarantined",
    "1 when a signature is quarantined (gets no more events), else 0.",
    sig,
    perSignature(readings, (r) => Number(r.quarantined)),
  );
  add(
    "vigil_sandbox_restarts_total",
    "Restarts of the sandbox process.",
    [],
    single(() => readings.sandboxRestarts()),
  );
  add(
    "vigil_output_events_total",
    "Events written (or delivered, for a webhook), by output.",
    out,
    perOutput(readings, (r) => r.written),
  );
  add(
    "vigil_output_failures_total",
    "Writes or requests that failed, by output.",
    out,
    perOutput(readings, (r) => r.failed),
  );
  add(
    "vigil_output_dropped_total",
    "Events an output gave up (failed write, full queue), by output.",
    out,
    perOutput(readings, (r) => r.dropped),
  );
  gauge(
    registry,
    "vigil_output_queued_events",
    "Events waiting to be sent, by output.",
    out,
    perOutput(readings, (r) => r.queued),
  );
  const evaluation = new Histogram<"signature">({
    name: "vigil_signature_evaluation_seconds",
    help: "Time a signature spent on one batch of events, in the sandbox.",
    labelNames: sig,
    buckets: EVALUATION_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observeEvaluation: (signature, micros) =>
      evaluation.observe({ signature }, micros / 1e6),
  };
}
