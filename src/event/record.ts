/**
 * The unit the engine routes: an event's exact JSON text (what signatures
 * receive) plus the few fields routing needs. The full event with exact 64-bit
 * values is decoded only when it is printed or becomes a finding's context.
 *
 * @module
 */

import { eventOrigin, type Origin, type TraceeEvent } from "./event.ts";
import { formatEventJson, parseJsonExact } from "./json.ts";

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

/** Wraps an event built in memory (e.g. decoded from the kernel). */
export function recordFromEvent(event: TraceeEvent): EventRecord {
  let json: string | undefined;
  return {
    get json() {
      return json ??= formatEventJson(event);
    },
    formatted: true,
    eventName: event.eventName,
    origin: eventOrigin(
      event.containerId,
      event.contextFlags?.containerStarted,
    ),
    event: () => event,
  };
}

/**
 * Wraps an event read as JSON text. `routing` is the text parsed with plain
 * `JSON.parse` (numbers may be rounded: only names and flags are read).
 */
export function recordFromJson(
  json: string,
  routing: Partial<TraceeEvent>,
): EventRecord {
  let exact: TraceeEvent | undefined;
  return {
    json,
    formatted: false,
    eventName: routing.eventName ?? "",
    origin: eventOrigin(
      routing.containerId ?? routing.container?.id,
      routing.contextFlags?.containerStarted,
    ),
    event: () => exact ??= parseJsonExact(json) as TraceeEvent,
  };
}
