/**
 * What of an event the sandbox is given: only the members the signatures it
 * goes to read, when each of them declares what it reads (see
 * `LoadedSignature.inputFields`), else the whole event. A smaller input is
 * a cheaper parse in every consumer (OPA's parse in WebAssembly costs ~8 µs
 * per KB of event, once per bundle).
 *
 * @module
 */

import { eventProjection } from "../event/mod.ts";

type Projection = (json: string) => string;

/** The projections of one engine's signatures, by their positions. */
export class InputProjections {
  readonly #fields: readonly (readonly string[] | undefined)[];
  /** By list, then by the lists' joined names; `null`: cannot be cut out. */
  readonly #byList = new Map<readonly string[], Projection | null>();
  readonly #byNames = new Map<string, Projection | null>();

  /** @param fields What each signature reads, by position; `undefined`: all. */
  constructor(fields: readonly (readonly string[] | undefined)[]) {
    this.#fields = fields;
  }

  /**
   * The input for the signatures at `positions`: `json` (Tracee's shape)
   * cut to the union of what they read, or whole when one may read all.
   */
  project(json: string, positions: readonly number[]): string {
    const first = this.#fields[positions[0]!];
    if (first === undefined) return json;
    let fields = first;
    for (let i = 1; i < positions.length; i++) {
      const more = this.#fields[positions[i]!];
      if (more === undefined) return json;
      // The loader gives every Rego signature one same list.
      if (more !== fields) fields = [...new Set([...fields, ...more])];
    }
    const projection = fields === first
      ? this.#cached(this.#byList, first, fields)
      : this.#cached(this.#byNames, fields.toSorted().join(","), fields);
    return projection === null ? json : projection(json);
  }

  #cached<K>(
    cache: Map<K, Projection | null>,
    key: K,
    fields: readonly string[],
  ): Projection | null {
    let projection = cache.get(key);
    if (projection === undefined) {
      projection = eventProjection(fields) ?? null;
      cache.set(key, projection);
    }
    return projection;
  }
}
