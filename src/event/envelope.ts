/**
 * The unit the engine routes: an event's JSON text as signatures receive it
 * (Tracee's full shape, see `normalise.ts`) plus the few fields routing
 * needs. The full event with exact 64-bit values is decoded only when it is
 * printed or becomes a finding's context.
 *
 * A replayed line may be routed on fields found by search, unparsed: it is
 * parsed, and so checked, only when the engine uses it (to send it to a
 * signature when it lacks Tracee's full shape, to print it, to build a
 * finding from it, or to blame a signature that failed on it).
 *
 * @module
 */

import {
  argumentValue,
  eventOrigin,
  type Origin,
  type TraceeEvent,
} from "./event.ts";
import {
  type EventJsonParts,
  eventJsonParts,
  formatEventJson,
  parseJsonExact,
} from "./json.ts";
import { normaliseEvent } from "./normalise.ts";
import { traceeShapedJson } from "./tracee_shape.ts";

/** An event as the engine routes it. */
export interface EventEnvelope {
  /**
   * The event as signatures receive it (the `input` Rego signatures
   * evaluate): Tracee JSON with every field. A replayed line already in
   * Tracee's full shape is passed as read, one lacking only members that
   * take zero values gets them added (both without parsing), any other is
   * normalised and written in Tracee's format. `undefined` when the line proves not to be
   * an event (its source is told).
   */
  readonly json: string | undefined;
  /**
   * Whether `json` is exactly `formatEventJson(event())`, so that printing
   * the event can reuse it (true for events built in memory; a replayed line
   * passed as read is printed in Tracee's format, not as read).
   */
  readonly formatted: boolean;
  /** `eventName`, used to select signatures. */
  readonly eventName: string;
  /** Host, container or container-init, used to select signatures. */
  readonly origin: Origin;
  /**
   * Why the envelope does not hold a valid event, or `undefined` when it is one. The
   * first call on an unchecked line parses it and, when it is not an event,
   * reports the line to its source.
   */
  problem(): string | undefined;
  /** The event with exact 64-bit values; throws when `problem()` is set. */
  event(): TraceeEvent;
  /**
   * The value of the argument called `name`, for selectors' argument
   * filters; `undefined` when there is none (or the line is no event).
   */
  argument(name: string): unknown;
}

/** Where a source keeps `eventJsonParts` of events that share them. */
export interface EventJsonPartsCache {
  parts?: EventJsonParts;
}

// Classes rather than object literals with getters and closures: a literal
// with an accessor costs about a microsecond per envelope in V8.

class MemoryEnvelope implements EventEnvelope {
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

  problem(): undefined {
    return undefined;
  }

  event(): TraceeEvent {
    return this.#event;
  }

  argument(name: string): unknown {
    return argumentValue(this.#event, name);
  }
}

class JsonEnvelope implements EventEnvelope {
  readonly eventName: string;
  readonly origin: Origin;
  /** The line as read. */
  readonly #text: string;
  readonly #line: number;
  readonly #onMalformed: OnMalformedLine | undefined;
  #event: TraceeEvent | undefined;
  /** `null` until the line is checked. */
  #problem: string | undefined | null;
  /** `null` until asked for. */
  #json: string | undefined | null = null;
  #formatted = false;
  #lastArgument: string | undefined;
  #lastValue: unknown;

  constructor(
    text: string,
    routing: EventRouting,
    line: number,
    onMalformed: OnMalformedLine | undefined,
    event?: TraceeEvent,
  ) {
    this.#text = text;
    this.eventName = routing.eventName;
    this.origin = routing.origin;
    this.#line = line;
    this.#onMalformed = onMalformed;
    this.#event = event;
    this.#problem = event ? undefined : null;
  }

  get json(): string | undefined {
    if (this.#json === null) {
      if (this.#problem !== null && this.#problem !== undefined) {
        this.#json = undefined;
      } else {
        // In Tracee's shape, or lacking only members with zero values.
        this.#json = traceeShapedJson(this.#text);
        if (this.#json === undefined && this.problem() === undefined) {
          this.#json = formatEventJson(this.#event!);
          this.#formatted = true;
        }
      }
    }
    return this.#json;
  }

  get formatted(): boolean {
    return this.#formatted;
  }

  problem(): string | undefined {
    if (this.#problem === null) {
      const parsed = parseEventLine(this.#text);
      if (typeof parsed === "string") {
        this.#problem = parsed;
        this.#onMalformed?.(this.#line, parsed);
      } else {
        this.#problem = undefined;
        this.#event = parsed;
      }
    }
    return this.#problem;
  }

  event(): TraceeEvent {
    const problem = this.problem();
    if (problem !== undefined) {
      throw new Error(`line ${this.#line} is not an event: ${problem}`);
    }
    return this.#event!;
  }

  argument(name: string): unknown {
    // Several signatures' filters often ask for the same argument in a row.
    if (name === this.#lastArgument) return this.#lastValue;
    let value: unknown = this.#event === undefined
      ? stringArgument(this.#text, name)
      : undefined;
    if (value === undefined && this.problem() === undefined) {
      value = argumentValue(this.#event!, name);
    }
    this.#lastArgument = name;
    this.#lastValue = value;
    return value;
  }
}

/**
 * The JSON string starting at `json[from]` (just after its opening quote),
 * when it holds no escapes; `undefined` otherwise. For reading a line's
 * fields by search: a quote inside a JSON string is escaped, so a searched
 * key cannot match inside a value.
 */
export function plainStringAt(json: string, from: number): string | undefined {
  const end = json.indexOf('"', from);
  if (end < 0) return undefined;
  const value = json.slice(from, end);
  return value.includes("\\") ? undefined : value;
}

const VALUE_KEY = ',"value":"';

/**
 * The value of a string argument found by search in Tracee's shape
 * (`{"name":…,"type":"…","value":"…"}`), without parsing the line;
 * `undefined` when it is not found so, or holds escapes.
 */
function stringArgument(json: string, name: string): string | undefined {
  const key = `{"name":${JSON.stringify(name)},"type":"`;
  const at = json.indexOf(key);
  if (at < 0) return undefined;
  const typeEnd = json.indexOf('"', at + key.length);
  if (typeEnd < 0 || !json.startsWith(VALUE_KEY, typeEnd + 1)) return undefined;
  const from = typeEnd + 1 + VALUE_KEY.length;
  const value = plainStringAt(json, from);
  return value !== undefined &&
      json.charCodeAt(from + value.length + 1) === 125 /* } */
    ? value
    : undefined;
}

/** What routing reads of an event. */
export interface EventRouting {
  eventName: string;
  origin: Origin;
}

/** Told about a line that proves not to be an event, with the reason. */
export type OnMalformedLine = (line: number, reason: string) => void;

/** The routing fields of a parsed event. */
export function eventRouting(event: TraceeEvent): EventRouting {
  return {
    eventName: event.eventName,
    // Tracee's own Origin() reads container.id; the two agree in Tracee's
    // output, and containerId is what a search of the line finds.
    origin: eventOrigin(
      event.containerId || event.container.id,
      event.contextFlags.containerStarted,
    ),
  };
}

/**
 * Parses a line of Tracee JSON with exact 64-bit values into Tracee's shape
 * (see `normaliseEvent`): the event, or why the line is not one.
 */
export function parseEventLine(json: string): TraceeEvent | string {
  let value: unknown;
  try {
    value = parseJsonExact(json);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  return normaliseEvent(value, json);
}

/**
 * Wraps an event built in memory (e.g. decoded from the kernel). Events that
 * share a `cache` must have the same `eventJsonParts`: the first one's are
 * kept there and reused.
 */
export function envelopeFromEvent(
  event: TraceeEvent,
  cache?: EventJsonPartsCache,
): EventEnvelope {
  return new MemoryEnvelope(event, cache);
}

/**
 * Wraps a line of event JSON. With `parsed`, the line was parsed and is that
 * event; without, it is routed on `routing` alone and checked on first use,
 * when a malformed line is passed to `onMalformed` with its number.
 */
export function envelopeFromJson(
  json: string,
  routing: EventRouting,
  line: number,
  onMalformed?: OnMalformedLine,
  parsed?: TraceeEvent,
): EventEnvelope {
  return new JsonEnvelope(json, routing, line, onMalformed, parsed);
}
