/**
 * Event selectors: which events a signature receives, with Tracee's
 * semantics. `source` is required; an empty or missing `name` or `origin`
 * means `*`, the only wildcard.
 *
 * @module
 */

import { Origin } from "../event/event.ts";
import type { EventSelector } from "../sdk/mod.ts";

/** The wildcard, the only one selectors know. */
export const ANY = "*";

/** The source name of system events and findings. */
export const TRACEE_SOURCE = "tracee";

/** A validated selector with wildcards made explicit. */
export interface Selector {
  source: string;
  name: string;
  origin: Origin | typeof ANY;
}

const ORIGINS: ReadonlySet<string> = new Set(Object.values(Origin));

/**
 * Validates a selector as a signature declared it.
 *
 * @throws {TypeError} When the selector is not an object with a string
 * `source`, or `name`/`origin` are not strings, or `origin` is unknown.
 */
export function parseSelector(value: unknown): Selector {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `Cannot use selector ${JSON.stringify(value)}: it is not an object`,
    );
  }
  const { source, name, origin } = value as Partial<Record<string, unknown>>;
  if (typeof source !== "string" || source === "") {
    throw new TypeError(
      `Cannot use selector ${JSON.stringify(value)}: "source" must be given`,
    );
  }
  for (const [key, field] of [["name", name], ["origin", origin]] as const) {
    if (field !== undefined && field !== null && typeof field !== "string") {
      throw new TypeError(
        `Cannot use selector ${
          JSON.stringify(value)
        }: "${key}" must be a string`,
      );
    }
  }
  const originText = (origin as string | undefined) || ANY;
  if (originText !== ANY && !ORIGINS.has(originText)) {
    throw new TypeError(
      `Cannot use selector ${
        JSON.stringify(value)
      }: "origin" must be one of host, container, container-init or *`,
    );
  }
  return {
    source,
    name: (name as string | undefined) || ANY,
    origin: originText as Selector["origin"],
  };
}

/** Whether `selector` selects an event of this name and origin from `source`. */
export function selects(
  selector: Selector,
  source: string,
  eventName: string,
  origin: Origin,
): boolean {
  return selector.source === source &&
    (selector.name === ANY || selector.name === eventName) &&
    (selector.origin === ANY || selector.origin === origin);
}

export type { EventSelector };
