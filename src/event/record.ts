/**
 * The unit the engine routes: an event's exact JSON text (what signatures
 * receive) plus the few fields routing needs. The full event with exact 64-bit
 * values is decoded only when it is printed or becomes a finding's context.
 *
 * @module
 */

import { eventOrigin, type Origin, type TraceeEvent } from "./event.ts";
import {
  type EventJsonParts,
  eventJsonParts,
  formatEventJson,
  parseJsonExact,
} from "./json.ts";

/** An event as the engine routes it. */
export interface EventRecord {
  /** The event as Tracee JSON: the `input` Rego signatures evaluate. */
  readonly json: string;
  /**
   * Whether `json` is exactly `formatEventJson(event())`, so that printing
   * the event can reuse it (true for events built in memory; a replayed line
   * is printed in Tracee's format, not as read).
   */
  readonly formatted: boolean;
  /** `eventName`, used to select signatures. */
  readonly eventName: string;
  /** Host, container or container-init, used to select signatures. */
  readonly origin: Origin;
  /** The event with exact 64-bit values. */
  event(): TraceeEvent;
}

/** Where a source keeps `eventJsonParts` of events that share them. */
export interface EventJsonPartsCache {
  parts?: EventJsonParts;
}

// Classes rather than object literals with getters and closures: a literal
// with an accessor costs about a microsecond per record in V8.

class MemoryRecord implements EventRecord {
  readonly formatted = true;
  readonly eventName: string;
  readonly origin: Origin;
  readonly #event: TraceeEvent;
  readonly #cache: EventJsonPartsCache | undefined;
  #json: string | undefined;

  constructor(event: TraceeEvent, cache: EventJsonPartsCache | undefined) {
    this.#event = event;
    this.#cache = cache;
    this.eventName = event.eventName;
    this.origin = eventOrigin(
      event.containerId,
      event.contextFlags?.containerStarted,
    );
  }

  get json(): string {
    const cache = this.#cache;
    return this.#json ??= formatEventJson(
      this.#event,
      cache && (cache.parts ??= eventJsonParts(this.#event)),
    );
  }

  event(): TraceeEvent {
    return this.#event;
  }
}

class JsonRecord implements EventRecord {
  readonly formatted = false;
  readonly json: string;
  readonly eventName: string;
  readonly origin: Origin;
  #exact: TraceeEvent | undefined;

  constructor(json: string, routing: Partial<TraceeEvent>) {
    this.json = json;
    this.eventName = routing.eventName ?? "";
    this.origin = eventOrigin(
      routing.containerId ?? routing.container?.id,
      routing.contextFlags?.containerStarted,
    );
  }

  event(): TraceeEvent {
    return this.#exact ??= parseJsonExact(this.json) as TraceeEvent;
  }
}

/**
 * Wraps an event built in memory (e.g. decoded from the kernel). Events that
 * share a `cache` must have the same `eventJsonParts`: the first one's are
 * kept there and reused.
 */
export function recordFromEvent(
  event: TraceeEvent,
  cache?: EventJsonPartsCache,
): EventRecord {
  return new MemoryRecord(event, cache);
}

/**
 * Wraps an event read as JSON text. `routing` is the text parsed with plain
 * `JSON.parse` (numbers may be rounded: only names and flags are read).
 */
export function recordFromJson(
  json: string,
  routing: Partial<TraceeEvent>,
): EventRecord {
  return new JsonRecord(json, routing);
}
