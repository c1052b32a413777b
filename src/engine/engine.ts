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
  /** Called with the time a signature spent on one batch (for metrics). */
  onEvaluated?: (signature: LoadedSignature, micros: number) => void;
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
  /**
   * Whether a finding is silenced (an exception matches it): it is then
   * neither counted, printed nor fed back. Asked before the rate limit.
   */
  suppress?: (
    signature: LoadedSignature,
    trigger: TraceeEvent,
    data: true | Record<string, unknown>,
  ) => boolean;
}

/** What {@linkcode Engine.swap} replaces: signatures and their sandbox. */
export interface EngineSignatures {
  signatures: readonly LoadedSignature[];
  sandbox: Sandbox;
  /** Names of the events to print: findings and/or base events. */
  print: ReadonlySet<string>;
}

/**
 * The signatures of one sandbox and how events are routed to them. Batches
 * keep the generation they were routed with, so a swap never sends a
 * batch's answers to the wrong signatures.
 */
interface Generation {
  signatures: ReadonlyMap<number, LoadedSignature>;
  positions: readonly LoadedSignature[];
  index: SelectorIndex;
  /** What each routed event is cut to, by the signatures it matched. */
  projections: InputProjections;
  sandbox: Sandbox;
  print: ReadonlySet<string>;
  health: HealthTable;
  /** Batches routed with this generation and not finished yet. */
  inflight: Set<Promise<void>>;
}

/** Counts of one run. */
export interface EngineCounts {
  events: number;
  findings: number;
  printed: number;
}

interface RoutedBatch {
  generation: Generation;
  /** The events sent, by batch index. */
  triggers: EventEnvelope[];
  result: Promise<BatchResult>;
}

/** Routes events to sandboxed signatures and prints events and findings. */
export class Engine {
  #current: Generation;
  #output: EventOutput;
  #onFailure: EngineOptions["onFailure"];
  #onOffence: EngineOptions["onOffence"];
  #onEvaluated: EngineOptions["onEvaluated"];
  #suppress: EngineOptions["suppress"];
  #maxFindingBytes: number;
  #findingsPerSecond: number;
  /** Restarts of the sandboxes swapped out. */
  #retiredRestarts = 0;
  #depth: number;
  #counts: EngineCounts = { events: 0, findings: 0, printed: 0 };

  constructor(options: EngineOptions) {
    this.#output = options.output;
    this.#onFailure = options.onFailure;
    this.#onOffence = options.onOffence;
    this.#onEvaluated = options.onEvaluated;
    this.#suppress = options.suppress;
    this.#maxFindingBytes = options.maxFindingBytes ?? 65536;
    this.#findingsPerSecond = options.findingsPerSecond ?? 1000;
    this.#depth = options.depth ?? 4;
    this.#current = this.#generation(options, undefined);
  }

  #generation(next: EngineSignatures, previous?: HealthTable): Generation {
    return {
      positions: next.signatures,
      signatures: new Map(next.signatures.map((s) => [s.index, s])),
      index: new SelectorIndex(next.signatures.map((s) => s.selectors)),
      projections: new InputProjections(
        next.signatures.map((s) => s.inputFields),
      ),
      sandbox: next.sandbox,
      print: next.print,
      health: new HealthTable(
        next.signatures,
        this.#findingsPerSecond,
        () => this.#retiredRestarts + this.#current.sandbox.restarts,
        previous,
      ),
      inflight: new Set(),
    };
  }

  /**
   * Routes every later batch to `next`'s signatures; resolves with the
   * sandbox they replaced once the batches routed to it are finished (the
   * caller closes it). A signature keeps its counters across the swap when
   * its id stays. Each event is routed once, with one generation or the
   * other: none is lost or sent twice.
   */
  async swap(next: EngineSignatures): Promise<Sandbox> {
    const old = this.#current;
    this.#current = this.#generation(next, old.health);
    while (old.inflight.size > 0) await Promise.allSettled(old.inflight);
    this.#retiredRestarts += old.sandbox.restarts;
    return old.sandbox;
  }

  /** Counts so far. */
  get counts(): Readonly<EngineCounts> {
    return this.#counts;
  }

  /** Per-signature counters of the signatures running now. */
  get health(): HealthTable {
    return this.#current.health;
  }

  /** Whether events called `name` are needed: selected by a signature, or printed. */
  wants(name: string): boolean {
    return this.#current.print.has(name) || this.#current.index.wants(name);
  }

  /**
   * The argument test an event called `name` must pass for the engine to do
   * anything with it (see {@linkcode SelectorIndex.gate}); `undefined` when
   * it is printed or not gated. Sources may drop events that fail it unread.
   */
  gate(name: string): ArgumentGate | undefined {
    if (this.#current.print.has(name)) return undefined;
    const filter = this.#current.index.gate(name);
    return filter && {
      name: filter.name,
      matches: (value) => valueMatches(filter, value),
      patterns: filter.globs,
    };
  }

  /** Processes every event of `source` until it ends or `signal` aborts. */
  async run(source: EventSource, signal: AbortSignal): Promise<void> {
    const window: Promise<void>[] = [];
    for await (const batch of source.batches(signal)) {
      this.#counts.events += batch.length;
      const routed = this.#route(batch);
      // Only what is printed or routed is kept while the batch is evaluated:
      // the rest (most events, once selectors filter) dies young.
      const { print, inflight, sandbox } = routed.generation;
      const printed = batch.filter((envelope) => print.has(envelope.eventName));
      const previous = window.at(-1);
      const finished = (async () => {
        const result = await routed.result;
        await previous;
        await this.#finish(printed, routed, result);
      })();
      inflight.add(finished);
      finished.finally(() => inflight.delete(finished)).catch(() => {});
      window.push(finished);
      if (window.length >= this.#depth) await window.shift();
      await sandbox.written();
    }
    await Promise.all(window);
  }

  #route(
    batch: readonly EventEnvelope[],
    generation = this.#current,
  ): RoutedBatch {
    const { index, positions, health, sandbox, projections } = generation;
    const events: string[] = [];
    const triggers: EventEnvelope[] = [];
    const routes = new Map<number, number[]>();
    for (const envelope of batch) {
      const matched = index.match(envelope);
      if (matched.length === 0) continue;
      // A line that proves not to be an event was reported by its source.
      const json = envelope.json;
      if (json === undefined) continue;
      const position = events.length;
      events.push(projections.project(json, matched));
      triggers.push(envelope);
      for (const match of matched) {
        const signature = positions[match]!.index;
        health.get(signature)!.events++;
        const list = routes.get(signature);
        if (list) list.push(position);
        else routes.set(signature, [position]);
      }
    }
    return { generation, triggers, result: sandbox.evaluate(events, routes) };
  }

  /** Prints a batch's selected events and findings, and chains the findings. */
  async #finish(
    printed: readonly EventEnvelope[],
    routed: RoutedBatch,
    result: BatchResult,
  ): Promise<void> {
    const { generation } = routed;
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
        generation,
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
    const { signatures, health: table, print } = routed.generation;
    for (const [index, micros] of result.micros) {
      const health = table.get(index);
      if (health) health.micros += micros;
      if (this.#onEvaluated) {
        const signature = signatures.get(index);
        if (signature) this.#onEvaluated(signature, micros);
      }
    }
    for (const failure of result.failures) {
      const signature = signatures.get(failure.signature);
      if (!signature) continue;
      // Failing on a line that is not an event is the line's fault, not the
      // signature's: the source reports the line.
      if (routed.triggers[failure.event]?.problem() !== undefined) continue;
      table.get(signature.index)!.failures++;
      this.#onFailure?.(signature, failure.message);
    }
    for (const offence of result.offences) {
      const signature = signatures.get(offence.signature);
      if (!signature) continue;
      const health = table.get(signature.index)!;
      health.kills++;
      health.quarantined ||= offence.quarantined;
      this.#onOffence?.(signature, offence);
      const event = signatureErrorEvent(signature, offence);
      if (print.has(event.eventName)) this.#emit(event);
    }
    const events: TraceeEvent[] = [];
    const findings = result.findings.toSorted((a, b) =>
      a.event - b.event || a.signature - b.signature
    );
    for (const finding of findings) {
      const signature = signatures.get(finding.signature);
      const trigger = routed.triggers[finding.event];
      if (
        !signature || !trigger || trigger.problem() !== undefined ||
        this.#suppress?.(signature, trigger.event(), finding.data) ||
        !table.withinFindingRate(signature.index)
      ) {
        continue;
      }
      // Data cut at the sandbox's boundary (too deep) is already a note.
      const truncated = finding.truncated ??
        (finding.data === true
          ? undefined
          : unprintableData(finding.data, this.#maxFindingBytes));
      if (truncated !== undefined) table.get(signature.index)!.truncated++;
      const data = truncated === undefined ? finding.data : { truncated };
      const event = findingEvent(trigger.event(), signature, data);
      this.#counts.findings++;
      if (print.has(event.eventName)) this.#emit(event);
      events.push(event);
    }
    return events;
  }

  #emit(event: TraceeEvent, json?: string): void {
    this.#counts.printed++;
    this.#output.write(event, json);
  }
}
