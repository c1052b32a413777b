/**
 * Events in Tracee's shape: the event type and its catalog (ids, names,
 * parameters, what each is derived from), Tracee-compatible JSON with exact
 * 64-bit integers, normalisation of replayed lines, the argument parsers the
 * kernel source shares with Tracee's output, entity and container ids, and
 * the envelope the engine routes.
 *
 * @example Look an event up in the catalog
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventDefinition } from "./mod.ts";
 *
 * const execve = eventDefinition("sched_process_exec");
 * assert.equal(execve.name, "sched_process_exec");
 * ```
 *
 * @example Read and write JSON without rounding 64-bit integers
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonExact, stringifyJson } from "./mod.ts";
 *
 * const value = parseJsonExact('{"ts":18446744073709551615}');
 * assert.deepEqual(value, { ts: 18446744073709551615n });
 * assert.equal(stringifyJson(value), '{"ts":18446744073709551615}');
 * ```
 *
 * @example Route a replayed line on its name before parsing all of it
 * ```ts
 * import assert from "node:assert/strict";
 * import { envelopeFromJson } from "./mod.ts";
 *
 * const line = '{"eventName":"openat","processId":1}';
 * const envelope = envelopeFromJson(line, { eventName: "openat", origin: "host" }, 1);
 * assert.equal(envelope.eventName, "openat");
 * ```
 *
 * @module
 */

export * from "./argument_parsers.ts";
export * from "./catalog.ts";
export * from "./container_id.ts";
export * from "./entity_id.ts";
export * from "./envelope.ts";
export * from "./event.ts";
export * from "./json.ts";
export * from "./normalise.ts";
export * from "./tracee_shape.ts";
