/**
 * The TypeScript signature API. A signature is a module with three named
 * exports, modelled on Tracee's Go signatures:
 *
 * ```ts
 * import type { EventSelector, OnEvent, SignatureMetadata } from "../../src/sdk/mod.ts";
 *
 * export const metadata: SignatureMetadata = {
 *   id: "VGL-1000",
 *   version: "1.0.0",
 *   name: "Example",
 *   eventName: "example",
 *   description: "Reports every exec of /bin/true",
 * };
 *
 * export const selectedEvents: EventSelector[] = [
 *   { source: "tracee", name: "sched_process_exec" },
 * ];
 *
 * export const onEvent: OnEvent = (event, report) => {
 *   const path = event.args.find((a) => a.name === "pathname")?.value;
 *   if (path === "/bin/true") report({ path });
 * };
 * ```
 *
 * Signatures run in a sandbox with no permissions. Only `import type` is
 * allowed: any other import is rejected at load. State kept in module scope
 * lives as long as the sandbox.
 *
 * @module
 */

import type { TraceeEvent } from "../event/event.ts";

export type { EventArgument, TraceeEvent } from "../event/event.ts";

/** What a signature says about itself (Tracee's `__rego_metadoc__`). */
export interface SignatureMetadata {
  /** Unique id, e.g. `VGL-2`. */
  id: string;
  version: string;
  name: string;
  /** The name of the finding events this signature produces. */
  eventName: string;
  description: string;
  tags?: string[];
  /** Free-form properties, e.g. `Severity`, `Category`, `MITRE ATT&CK`. */
  properties?: Record<string, unknown>;
}

/**
 * Which events a signature receives. `source` is required (`tracee` for
 * system events and findings); an empty or missing `name` or `origin`, or
 * `*`, matches any. `origin` is `host`, `container` or `container-init`.
 */
export interface EventSelector {
  source: string;
  name?: string;
  origin?: string;
  /**
   * Vigil only: argument names mapped to glob patterns (`*` matches any run
   * of characters). The signature gets an event only if each named argument
   * is a string matching one of its patterns; `onEvent` must still check.
   */
  args?: Record<string, string[]>;
}

/**
 * Reports a finding for the event being handled: without data, or with a
 * JSON object whose keys become the finding's arguments.
 */
export type Report = (data?: Record<string, unknown>) => void;

/**
 * Handles one selected event. Integers beyond 2^53 (timestamps, ctime) arrive
 * as `bigint`.
 */
export type OnEvent = (event: TraceeEvent, report: Report) => void;
