/**
 * The signature model the loader, the engine and the command line share:
 * what a signature selects (selectors, their argument filters and globs) and
 * what a loaded signature is. Pure data and pure functions: nothing here
 * compiles, starts or routes anything.
 *
 * @example Parse a selector and match an event against it
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventMatchesAll, parseSelector, selectorMatches } from "./mod.ts";
 *
 * const selector = parseSelector({
 *   source: "tracee",
 *   name: "security_file_open",
 *   args: { pathname: ["/etc/*"] },
 * });
 * assert.ok(selectorMatches(selector, "tracee", "security_file_open", "host"));
 * const event = { argument: (name: string) => name === "pathname" ? "/etc/shadow" : undefined };
 * assert.ok(eventMatchesAll(selector.args, event));
 * ```
 *
 * @example Match text against globs in linear time
 * ```ts
 * import assert from "node:assert/strict";
 * import { GlobSet } from "./mod.ts";
 *
 * const globs = new GlobSet(["/etc/*", "*.key"]);
 * assert.ok(globs.matches("/etc/passwd"));
 * assert.ok(!globs.matches("/tmp/x"));
 * ```
 *
 * @module
 */

export * from "./glob.ts";
export * from "./selector.ts";
export type * from "./signature.ts";
