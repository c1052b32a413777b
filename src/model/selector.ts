/**
 * Event selectors: which events a signature receives, with Tracee's
 * semantics. `source` is required; an empty or missing `name` or `origin`
 * means `*`, the only wildcard.
 *
 * Vigil adds `args`, which Tracee ignores: argument names mapped to glob
 * patterns (`*` matches any run of characters, `/` included). An event is
 * selected only if each named argument is a string matching one of its
 * patterns. It lets the engine drop, before the sandbox, events a signature
 * would never match (most file opens, for one that watches `/etc/shadow`);
 * the signature's rule must still check them. Patterns are matched in linear
 * time (see `glob.ts`), and a selector may declare at most
 * {@linkcode MAX_SELECTOR_GLOBS} of them, each at most
 * {@linkcode MAX_GLOB_LENGTH} characters long: they run on the host, for
 * every event of the name, outside any signature's deadline.
 *
 * One verb, *match*, for every test here: a value or an event matches an
 * argument filter; an event matches a selector (its source, name, origin).
 *
 * @module
 */

import { Origin } from "../event/mod.ts";
import { GlobSet } from "./glob.ts";

/** The wildcard, the only one selectors know. */
export const ANY = "*";

/** The source name of system events and findings. */
export const TRACEE_SOURCE = "tracee";

/** The most argument patterns one selector may declare, over all arguments. */
export const MAX_SELECTOR_GLOBS = 64;

/** The longest argument pattern a selector may declare, in characters. */
export const MAX_GLOB_LENGTH = 1024;

/** How much of a rejected selector an error message quotes. */
const QUOTED_CHARACTERS = 200;

/** A condition on an argument: its string value matches `pattern`. */
export interface ArgumentFilter {
  /** The argument's name, e.g. `pathname`. */
  name: string;
  /** The patterns as declared. */
  globs: readonly string[];
  /** The patterns, compiled. */
  matcher: GlobSet;
}

/** A validated selector with wildcards made explicit. */
export interface Selector {
  source: string;
  name: string;
  origin: Origin | typeof ANY;
  /** Conditions on the event's arguments, all to be met; often none. */
  args: readonly ArgumentFilter[];
}

const ORIGINS: ReadonlySet<string> = new Set(Object.values(Origin));

/** A selector as an error message quotes it: JSON, cut short. */
function quote(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = "(unprintable)";
  }
  return text.length > QUOTED_CHARACTERS
    ? `${text.slice(0, QUOTED_CHARACTERS)}…`
    : text;
}

/**
 * Validates a selector as a signature declared it.
 *
 * @throws {TypeError} When the selector is not an object with a string
 * `source`, or `name`/`origin` are not strings, or `origin` is unknown, or
 * `args` is not an object of non-empty lists of strings.
 * @throws {RangeError} When `args` holds more than
 * {@linkcode MAX_SELECTOR_GLOBS} patterns or one longer than
 * {@linkcode MAX_GLOB_LENGTH}.
 */
export function parseSelector(value: unknown): Selector {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `Cannot use selector ${quote(value)}: it is not an object`,
    );
  }
  const { source, name, origin, args } = value as Partial<
    Record<string, unknown>
  >;
  if (typeof source !== "string" || source === "") {
    throw new TypeError(
      `Cannot use selector ${quote(value)}: "source" must be given`,
    );
  }
  for (const [key, field] of [["name", name], ["origin", origin]] as const) {
    if (field !== undefined && field !== null && typeof field !== "string") {
      throw new TypeError(
        `Cannot use selector ${quote(value)}: "${key}" must be a string`,
      );
    }
  }
  const originText = (origin as string | undefined) || ANY;
  if (originText !== ANY && !ORIGINS.has(originText)) {
    throw new TypeError(
      `Cannot use selector ${
        quote(value)
      }: "origin" must be one of host, container, container-init or *`,
    );
  }
  return {
    source,
    name: (name as string | undefined) || ANY,
    origin: originText as Selector["origin"],
    args: parseArgumentFilters(value, args),
  };
}

function parseArgumentFilters(
  selector: unknown,
  args: unknown,
): ArgumentFilter[] {
  if (args === undefined || args === null) return [];
  const lists = typeof args === "object" && !Array.isArray(args)
    ? Object.entries(args)
    : [];
  if (
    lists.length === 0 ||
    !lists.every(([, globs]) =>
      Array.isArray(globs) && globs.length > 0 &&
      globs.every((glob) => typeof glob === "string")
    )
  ) {
    throw new TypeError(
      `Cannot use selector ${
        quote(selector)
      }: "args" must map argument names to non-empty lists of patterns`,
    );
  }
  const globs = (lists as [string, string[]][]).flatMap(([, globs]) => globs);
  if (globs.length > MAX_SELECTOR_GLOBS) {
    throw new RangeError(
      `Cannot use selector ${
        quote(selector)
      }: "args" holds ${globs.length} patterns, more than ${MAX_SELECTOR_GLOBS}`,
    );
  }
  const long = globs.find((glob) => glob.length > MAX_GLOB_LENGTH);
  if (long !== undefined) {
    throw new RangeError(
      `Cannot use selector ${
        quote(selector)
      }: a pattern in "args" is ${long.length} characters long, more than ${MAX_GLOB_LENGTH}`,
    );
  }
  return (lists as [string, string[]][]).map(([name, globs]) =>
    parseArgumentFilter(name, globs)
  );
}

/** The filter matching `name` values that match one of `globs`. */
export function parseArgumentFilter(
  name: string,
  globs: readonly string[],
): ArgumentFilter {
  return { name, globs, matcher: new GlobSet(globs) };
}

/** What argument filters read of an event. */
export interface FilteredEvent {
  /** The value of the argument called `name`, if any. */
  argument(name: string): unknown;
}

/** Whether an argument's value matches `filter` (only strings can). */
export function valueMatches(filter: ArgumentFilter, value: unknown): boolean {
  return typeof value === "string" && filter.matcher.matches(value);
}

/** Whether `event`'s argument named by `filter` matches it. */
export function eventMatches(
  filter: ArgumentFilter,
  event: FilteredEvent,
): boolean {
  return valueMatches(filter, event.argument(filter.name));
}

/** Whether `event` matches every one of `filters`. */
export function eventMatchesAll(
  filters: readonly ArgumentFilter[],
  event: FilteredEvent,
): boolean {
  return filters.every((filter) => eventMatches(filter, event));
}

/** Whether an event of this name and origin from `source` matches `selector`. */
export function selectorMatches(
  selector: Selector,
  source: string,
  eventName: string,
  origin: Origin,
): boolean {
  return selector.source === source &&
    (selector.name === ANY || selector.name === eventName) &&
    (selector.origin === ANY || selector.origin === origin);
}
