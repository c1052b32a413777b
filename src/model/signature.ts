/**
 * A signature as the engine and the outputs see it once the loader has
 * compiled and validated it: its metadata, the events it selects, and where
 * the sandbox runs it. The loader makes these; nothing below the command
 * line needs to know how.
 *
 * @module
 */

import type { Selector } from "./selector.ts";

/** A signature's metadata, validated by the loader. */
export interface ValidatedMetadata {
  id: string;
  version: string;
  name: string;
  eventName: string;
  description: string;
  tags: string[] | null;
  properties: Record<string, unknown>;
}

/** A signature that loaded and passed validation. */
export interface LoadedSignature {
  /** Index in the sandbox. */
  index: number;
  path: string;
  kind: "rego" | "typescript";
  metadata: ValidatedMetadata;
  selectors: Selector[];
  /** The id of this signature's finding events. */
  eventId: number;
  /**
   * The members of an event it may read: it is given only those. Absent
   * when it may read any (a TypeScript signature that declares none, a Rego
   * one when a Rego module uses `input` otherwise than by a constant member
   * name).
   */
  inputFields?: readonly string[];
}
