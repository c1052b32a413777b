/**
 * The engine: routes each event to the signatures that selected it, sends
 * them to the sandbox in batches, turns findings into events, feeds those
 * back once so that signatures can select other signatures' findings, and
 * prints what was asked for. It does not know where events come from nor
 * which language a signature is written in.
 *
 * @module
 */

import {
  envelopeFromEvent,
  type EventEnvelope,
  type TraceeEvent,
} from "../event/mod.ts";
import type { EventOutput } from "../output/mod.ts";
import type { BatchResult, Offence, Sandbox } from "../sandbox/mod.ts";
import { type LoadedSignature, valueMatches } from "../model/mod.ts";
import type { ArgumentGate, EventSource } from "../sources/mod.ts";
import { signatureErrorEvent } from "./error_event.ts";
import { findingEvent, unprintableData } from "./finding_event.ts";
import { HealthTable } from "./health.ts";
import { InputProjections } from "./input_projections.ts";
import { SelectorIndex } from "./selector_index.ts";

/** Options of {@linkcode Engine}. */
export interface EngineOptions {
  signatures: readonly LoadedSignature[];
  sandbox: Sandbox;
  output: EventOutput;
  /** Names of the events to print: findings and/or base events. */
  print: ReadonlySet<string>;
  /** Called when a signature fails on an event or a batch. */
  onFailure?: (signature: LoadedSignature, message: string) => void;
  /** Called when a signature was killed (and maybe quarantined). */
  onOffence?: (signature: LoadedSignature, offence: Offence) => void;
  /**
   * Findings accepted per signature per second; the rest are counted and dropped.
   * @default {1000}
   */
  findingsPerSecond?: number;
  /**
   * Largest finding data, as JSON; larger (or too deeply nested) data is
   * replaced by a note (see `unprintableData`).
   * @default {65536}
   */
  maxFindingBytes?: number;
  /**
   * Batches evaluated at the same time.
   * @default {4}
   */
  depth?: number;
}

/** Counts of one run. */
export interface EngineCounts {
  events: number;
  findings: number;
  printed: number;
}

interface RoutedBatch {
  /** The events sent, by batch index. */
  triggers: EventEnvelope[];
  result: Promise<BatchResult>;
}

/** Routes events to sandboxed signatures and prints events and findings. */
export class Engine {
  #signatures: ReadonlyMap<number, LoadedSignature>;
  #positions: readonly LoadedSignature[];
  #index: SelectorIndex;
  #projections: InputProjections;
  #sandbox: Sandbox;
  #output: EventOutput;
  #print: ReadonlySet<string>;
  #onFailure: EngineOptions["onFailure"];
  #onOffence: EngineOptions["onOffence"];
  #maxFindingBytes: number;
  #health: HealthTable;
  #depth: number;
  #counts: EngineCounts = { events: 0, findings: 0, printed: 0 };

  constructor(options: EngineOptions) {
    this.#positions = options.signatures;
    this.#signatures = new Map(options.signatures.map((s) => [s.index, s]));
    this.#index = new SelectorIndex(options.signatures.map((s) => s.selectors));
    this.#projections = new InputProjections(
      options.signatures.map((s) => s.inputFields),
    );
    this.#sandbox = options.sandbox;
    this.#output = options.output;
    this.#print = options.print;
    this.#onFailure = options.onFailure;
    this.#onOffence = options.onOffence;
    this.#maxFindingBytes = options.maxFindingBytes ?? 65536;
    this.#health = new HealthTable(
      options.signatures,
      options.findingsPerSecond ?? 1000,
      () => options.sandbox.restarts,
    );
    this.#depth = options.depth ?? 4;
  }

  /** Counts so far. */
  get counts(): Readonly<EngineCounts> {
    return this.#counts;
  }

  /** Per-signature counters. */
  get health(): HealthTable {
    return this.#health;
  }

  /** Whether events called `name` are needed: selected by a signature, or printed. */
  wants(name: string): boolean {
    return this.#print.has(name) || this.#index.wants(name);
  }

  /**
   * The argument test an event called `name` must pass for the engine to do
   * anything with it (see {@linkcode SelectorIndex.gate}); `undefined` when
   * it is printed or not gated. Sources may drop events that fail it unread.
   */
  gate(name: string): ArgumentGate | undefined {
    if (this.#print.has(name)) return undefined;
    const filter = this.#index.gate(name);
    return filter &&
      { name: filter.name, matches: (value) => valueMatches(filter, value) };
  }

  /** Processes every event of `source` until it ends or `signal` aborts. */
  async run(source: EventSource, signal: AbortSignal): Promise<void> {
    const window: Promise<void>[] = [];
    for await (const batch of source.batches(signal)) {
      this.#counts.events += batch.length;
      const routed = this.#route(batch);
      // Only what is printed or routed is kept while the batch is evaluated:
      // the rest (most events, once selectors filter) dies young.
      const printed = batch.filter((envelope) =>
        this.#print.has(envelope.eventName)
      );
      const previous = window.at(-1);
      window.push(
        (async () => {
          const result = await routed.result;
          await previous;
          await this.#finish(printed, routed, result);
        })(),
      );
      if (window.length >= this.#depth) await window.shift();
      await this.#sandbox.written();
    }
    await Promise.all(window);
  }

  #route(batch: readonly EventEnvelope[]): RoutedBatch {
    const events: string[] = [];
    const triggers: EventEnvelope[] = [];
    const routes = new Map<number, number[]>();
    for (const envelope of batch) {
      const matched = this.#index.match(envelope);
      if (matched.length === 0) continue;
      // A line that proves not to be an event was reported by its source.
      const json = envelope.json;
      if (json === undefined) continue;
      const position = events.length;
      events.push(this.#projections.project(json, matched));
      triggers.push(envelope);
      for (const match of matched) {
        const index = this.#positions[match]!.index;
        this.#health.get(index)!.events++;
        const list = routes.get(index);
        if (list) list.push(position);
        else routes.set(index, [position]);
      }
    }
    return { triggers, result: this.#sandbox.evaluate(events, routes) };
  }

  /** Prints a batch's selected events and findings, and chains the findings. */
  async #finish(
    printed: readonly EventEnvelope[],
    routed: RoutedBatch,
    result: BatchResult,
  ): Promise<void> {
    for (const envelope of printed) {
      if (envelope.problem() === undefined) {
        this.#emit(
          envelope.event(),
          envelope.formatted ? envelope.json : undefined,
        );
      }
    }
    const findings = this.#findings(routed, result);
    if (findings.length > 0) {
      const chained = this.#route(
        findings.map((event) => envelopeFromEvent(event)),
      );
      this.#findings(chained, await chained.result);
    }
    await this.#output.flush();
  }

  /**
   * Accounts for a batch's costs, failures and offences, turns its findings
   * into events within the limits, prints them, and returns them.
   */
  #findings(routed: RoutedBatch, result: BatchResult): TraceeEvent[] {
    for (const [index, micros] of result.micros) {
      const health = this.#health.get(index);
      if (health) health.micros += micros;
    }
    for (const failure of result.failures) {
      const signature = this.#signatures.get(failure.signature);
      if (!signature) continue;
      // Failing on a line that is not an event is the line's fault, not the
      // signature's: the source reports the line.
      if (routed.triggers[failure.event]?.problem() !== undefined) continue;
      this.#health.get(signature.index)!.failures++;
      this.#onFailure?.(signature, failure.message);
    }
    for (const offence of result.offences) {
      const signature = this.#signatures.get(offence.signature);
      if (!signature) continue;
      const health = this.#health.get(signature.index)!;
      health.kills++;
      health.quarantined ||= offence.quarantined;
      this.#onOffence?.(signature, offence);
      const event = signatureErrorEvent(signature, offence);
      if (this.#print.has(event.eventName)) this.#emit(event);
    }
    const events: TraceeEvent[] = [];
    const findings = result.findings.toSorted((a, b) =>
      a.event - b.event || a.signature - b.signature
    );
    for (const finding of findings) {
      const signature = this.#signatures.get(finding.signature);
      const trigger = routed.triggers[finding.event];
      if (
        !signature || !trigger || trigger.problem() !== undefined ||
        !this.#health.withinFindingRate(signature.index)
      ) {
        continue;
      }
      // Data cut at the sandbox's boundary (too deep) is already a note.
      const truncated = finding.truncated ??
        (finding.data === true
          ? undefined
          : unprintableData(finding.data, this.#maxFindingBytes));
      if (truncated !== undefined) {
        this.#health.get(signature.index)!.truncated++;
      }
      const data = truncated === undefined ? finding.data : { truncated };
      const event = findingEvent(trigger.event(), signature, data);
      this.#counts.findings++;
      if (this.#print.has(event.eventName)) this.#emit(event);
      events.push(event);
    }
    return events;
  }

  #emit(event: TraceeEvent, json?: string): void {
    this.#counts.printed++;
    this.#output.write(event, json);
  }
}
