/**
 * Exceptions: known-benign findings a user silences without editing the
 * signature (after Falco's rule exceptions). An exception names a signature
 * and conditions on the finding as printed: its process name, executable
 * path, container image and argument values. Every condition must hold; a
 * condition holds when the value matches one of its patterns, each exact or
 * a glob where `*` matches any run of characters (linear time, see
 * `src/model/glob.ts`). Suppressed findings are counted per signature.
 *
 * @module
 */

import type { TraceeEvent } from "../event/mod.ts";
import { GlobSet } from "../model/mod.ts";

/** The context fields a condition can test; arguments are `args.<name>`. */
export const EXCEPTION_FIELDS = [
  "process.name",
  "executable.path",
  "container.image",
] as const;

/** The prefix of a condition on one of the finding's arguments. */
export const ARGUMENT_FIELD_PREFIX = "args.";

/** One exception, as read from an exceptions file. */
export interface ExceptionRule {
  /** The user's name for it, shown in logs. */
  name: string;
  /** The id of the signature it silences (`metadata.id`). */
  signature: string;
  /** Field (see {@linkcode EXCEPTION_FIELDS}, or `args.<name>`) to patterns. */
  conditions: Readonly<Record<string, readonly string[]>>;
}

/** The values an exception is tested against: one finding. */
export interface FindingFacts {
  trigger: TraceeEvent;
  /** The finding's data: its arguments (`true`: none). */
  data: true | Record<string, unknown>;
}

interface Condition {
  field: string;
  patterns: GlobSet;
}

function compileRule(rule: ExceptionRule): Condition[] {
  return Object.entries(rule.conditions).map(([field, patterns]) => ({
    field,
    patterns: new GlobSet(patterns),
  }));
}

/**
 * Whether `value` (a field's value) matches: a string, number or boolean by
 * its text, a list when one of its elements does; anything else never.
 */
function valueMatches(patterns: GlobSet, value: unknown): boolean {
  if (Array.isArray(value)) {
    return value.some((item) =>
      !Array.isArray(item) && valueMatches(patterns, item)
    );
  }
  if (
    typeof value === "string" || typeof value === "number" ||
    typeof value === "bigint" || typeof value === "boolean"
  ) {
    return patterns.matches(String(value));
  }
  return false;
}

function fieldValue(field: string, facts: FindingFacts): unknown {
  switch (field) {
    case "process.name":
      return facts.trigger.processName;
    case "executable.path":
      return facts.trigger.executable?.path;
    case "container.image":
      return facts.trigger.container?.image;
  }
  if (facts.data === true) return undefined;
  const name = field.slice(ARGUMENT_FIELD_PREFIX.length);
  return Object.hasOwn(facts.data, name) ? facts.data[name] : undefined;
}

/**
 * The exceptions in force, and how many findings each signature had
 * silenced. {@linkcode replace} swaps the rules (a reload) and keeps the
 * counts.
 *
 * @example Silence a backup tool's reads of /etc/shadow
 * ```ts
 * import assert from "node:assert/strict";
 * import { Exceptions } from "./exceptions.ts";
 * import type { TraceeEvent } from "../event/mod.ts";
 *
 * const exceptions = new Exceptions([{
 *   name: "backups",
 *   signature: "VGL-12",
 *   conditions: { "process.name": ["rsync"], "args.pathname": ["/etc/*"] },
 * }]);
 * const trigger = { processName: "rsync" } as TraceeEvent;
 * assert.ok(exceptions.suppresses("VGL-12", { trigger, data: { pathname: "/etc/shadow" } }));
 * assert.equal(exceptions.suppressed.get("VGL-12"), 1);
 * ```
 */
export class Exceptions {
  #rules = new Map<string, Condition[][]>();
  #suppressed = new Map<string, number>();

  /** @param rules The exceptions in force. */
  constructor(rules: readonly ExceptionRule[] = []) {
    this.replace(rules);
  }

  /** Puts `rules` in force instead of the current ones; counts stay. */
  replace(rules: readonly ExceptionRule[]): void {
    const bySignature = new Map<string, Condition[][]>();
    for (const rule of rules) {
      const list = bySignature.get(rule.signature) ?? [];
      list.push(compileRule(rule));
      bySignature.set(rule.signature, list);
    }
    this.#rules = bySignature;
  }

  /** Ids of the signatures some exception names. */
  get signatures(): ReadonlySet<string> {
    return new Set(this.#rules.keys());
  }

  /**
   * Whether an exception silences this finding of `signature`; counts it
   * when one does.
   */
  suppresses(signature: string, facts: FindingFacts): boolean {
    const rules = this.#rules.get(signature);
    if (rules === undefined) return false;
    const matched = rules.some((conditions) =>
      conditions.every(({ field, patterns }) =>
        valueMatches(patterns, fieldValue(field, facts))
      )
    );
    if (matched) {
      this.#suppressed.set(
        signature,
        (this.#suppressed.get(signature) ?? 0) + 1,
      );
    }
    return matched;
  }

  /** Findings silenced so far, by signature id (what metrics read). */
  get suppressed(): ReadonlyMap<string, number> {
    return this.#suppressed;
  }

  /** All findings silenced so far. */
  get total(): number {
    let total = 0;
    for (const count of this.#suppressed.values()) total += count;
    return total;
  }
}
