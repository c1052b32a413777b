/**
 * The TypeScript signature SDK. A signature is a module with three named
 * exports, modelled on Tracee's Go signatures, and imports the SDK by the
 * package's name:
 *
 * ```ts
 * import { stringArgument } from "@vigil/sensor/sdk";
 * import type {
 *   EventSelector,
 *   OnEvent,
 *   SignatureMetadata,
 * } from "@vigil/sensor/sdk";
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
 *   const path = stringArgument(event, "pathname");
 *   if (path === "/bin/true") report({ path });
 * };
 * ```
 *
 * Besides the types, the SDK offers a few values, plain functions of an event
 * with no dependencies: argument lookups ({@linkcode argumentValue},
 * {@linkcode stringArgument}, {@linkcode pidArgument}), a tracker that tells
 * one program start from the next whichever of its events a stream carries
 * ({@linkcode ProgramStarts}, {@linkcode PROGRAM_START_EVENTS}), and shell
 * recognition ({@linkcode startedShell}, {@linkcode isShellName}), and
 * selectors for a list of event names ({@linkcode selectTracee}).
 *
 * Signatures run in a sandbox with no permissions. `import type` may name any
 * module; a value import may name only `@vigil/sensor/sdk`: any other import,
 * `import()`, `import.meta` and `require` are refused at load. In the sandbox
 * the SDK's values are frozen. State kept in module scope lives as long as the
 * sandbox.
 *
 * @module
 */

import type { TraceeEvent } from "../event/event.ts";

export type { EventArgument, TraceeEvent } from "../event/event.ts";
export * from "./runtime.ts";

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
