/**
 * Glob matching for selectors' argument filters, where `*` matches any run
 * of characters (`/` included) and every other character is literal.
 *
 * Patterns come from signatures, so they are hostile: a regular expression
 * such as `^/.*a.*a.*a…b$` backtracks exponentially on a long path, on the
 * host and outside every deadline. A `*`-only glob needs no backtracking: its
 * literal parts must appear in order, and placing each one at its leftmost
 * occurrence after the previous one never loses a match. So a match is a
 * prefix test, a suffix test and one forward `indexOf` per middle part: the
 * text is scanned once, O(text × pattern) at worst.
 *
 * @module
 */

/** A glob split at its stars: `prefix` starts the text, `suffix` ends it. */
interface Glob {
  prefix: string;
  /** The non-empty parts between the first and the last star, in order. */
  middle: readonly string[];
  suffix: string;
}

function compile(pattern: string): Glob {
  const parts = pattern.split("*");
  return {
    prefix: parts[0]!,
    middle: parts.slice(1, -1).filter((part) => part !== ""),
    suffix: parts.at(-1)!,
  };
}

/** Whether `text` matches `glob`, which has at least one star. */
function matchesGlob(glob: Glob, text: string): boolean {
  const { prefix, middle, suffix } = glob;
  const end = text.length - suffix.length;
  if (end < prefix.length) return false;
  if (!text.startsWith(prefix) || !text.endsWith(suffix)) return false;
  let position = prefix.length;
  for (const part of middle) {
    const found = text.indexOf(part, position);
    if (found < 0 || found + part.length > end) return false;
    position = found + part.length;
  }
  return true;
}

/**
 * A set of globs that a text matches when it matches any one of them.
 * Patterns without a star are looked up in a set.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * const keys = new GlobSet(["/etc/shadow", "/etc/ssh/ssh_host_*_key"]);
 * assert.ok(keys.matches("/etc/ssh/ssh_host_ed25519_key"));
 * assert.ok(!keys.matches("/etc/shadow-"));
 * ```
 */
export class GlobSet {
  #exact = new Set<string>();
  #globs: Glob[] = [];

  /** @param patterns The globs, as a signature declared them. */
  constructor(patterns: Iterable<string>) {
    for (const pattern of new Set(patterns)) {
      if (pattern.includes("*")) this.#globs.push(compile(pattern));
      else this.#exact.add(pattern);
    }
  }

  /** Whether `text` matches one of the globs. */
  matches(text: string): boolean {
    if (this.#exact.has(text)) return true;
    for (const glob of this.#globs) {
      if (matchesGlob(glob, text)) return true;
    }
    return false;
  }
}
