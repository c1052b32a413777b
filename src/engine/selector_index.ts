/**
 * Routes an event to the signatures that selected it, in O(1) per event
 * after the first event of each (name, origin) pair, plus the argument
 * filters of the signatures that declared some.
 *
 * @module
 */

import { Origin } from "../event/mod.ts";
import {
  ANY,
  type ArgumentFilter,
  eventMatches,
  eventMatchesAll,
  type FilteredEvent,
  parseArgumentFilter,
  type Selector,
  selectorMatches,
  TRACEE_SOURCE,
} from "../model/mod.ts";

const NONE: readonly number[] = Object.freeze([]);

/** What routing reads of an event. */
export interface RoutedEvent extends FilteredEvent {
  eventName: string;
  origin: Origin;
}

/** The signatures selecting events of one (name, origin). */
interface Route {
  /** Their indexes, ascending. */
  signatures: readonly number[];
  /**
   * By position in `signatures`: the filters of each selector that selects
   * the event (matching one list suffices), or `undefined` when one selector
   * has none. `undefined` as a whole when no signature filters.
   */
  filters: ((readonly ArgumentFilter[])[] | undefined)[] | undefined;
  /**
   * When every selector of the route filters one same argument: all of
   * their patterns for it as one filter, which an event must match for any
   * signature to get it. One test rejects most events instead of one per
   * signature.
   */
  gate: ArgumentFilter | undefined;
}

/** One filter matching what any of `filters` (all on one argument) matches. */
function union(filters: readonly ArgumentFilter[]): ArgumentFilter {
  return parseArgumentFilter(
    filters[0]!.name,
    [...new Set(filters.flatMap((filter) => filter.globs))],
  );
}

/**
 * The gate of a route whose selectors all filter the argument the first one
 * filters first, else `undefined`.
 */
function gateOf(
  filters: ((readonly ArgumentFilter[])[] | undefined)[],
): ArgumentFilter | undefined {
  const lists = filters.flatMap((any) => any ?? [undefined]);
  const name = lists[0]?.[0]?.name;
  const gated = lists.map((all) => all?.find((filter) => filter.name === name));
  return gated.every((filter) => filter !== undefined)
    ? union(gated as ArgumentFilter[])
    : undefined;
}

/** Maps (event name, origin) to the indexes of the signatures selecting it. */
export class SelectorIndex {
  #selectors: readonly (readonly Selector[])[];
  #cache = new Map<Origin, Map<string, Route>>();
  #wanted = new Map<string, boolean>();

  /** @param selectors The selectors of each signature, by signature index. */
  constructor(selectors: readonly (readonly Selector[])[]) {
    this.#selectors = selectors;
  }

  /** Indexes, ascending, of the signatures that select this event. */
  match(event: RoutedEvent): readonly number[] {
    const route = this.#route(event.eventName, event.origin);
    const filters = route.filters;
    if (filters === undefined) return route.signatures;
    if (route.gate && !eventMatches(route.gate, event)) return NONE;
    const matched: number[] = [];
    route.signatures.forEach((signature, i) => {
      const any = filters[i];
      if (any === undefined || any.some((all) => eventMatchesAll(all, event))) {
        matched.push(signature);
      }
    });
    return matched;
  }

  #route(eventName: string, origin: Origin): Route {
    // By origin, then name: no key string to build (and hash) per event.
    let routes = this.#cache.get(origin);
    if (routes === undefined) this.#cache.set(origin, routes = new Map());
    let route = routes.get(eventName);
    if (route === undefined) {
      const signatures: number[] = [];
      const filters: ((readonly ArgumentFilter[])[] | undefined)[] = [];
      this.#selectors.forEach((list, index) => {
        const selecting = list.filter((s) =>
          selectorMatches(s, TRACEE_SOURCE, eventName, origin)
        );
        if (selecting.length === 0) return;
        signatures.push(index);
        filters.push(
          selecting.some((s) => s.args.length === 0)
            ? undefined
            : selecting.map((s) => s.args),
        );
      });
      const filtered = filters.some((f) => f !== undefined);
      route = {
        signatures,
        filters: filtered ? filters : undefined,
        gate: filtered ? gateOf(filters) : undefined,
      };
      routes.set(eventName, route);
    }
    return route;
  }

  /**
   * The one argument filter an event called `eventName` must pass, of any
   * origin, for a signature to get it: when every route of that name is
   * gated on the same argument (their union), else `undefined`. A source may
   * drop events that fail it before it builds them.
   */
  gate(eventName: string): ArgumentFilter | undefined {
    const gates: ArgumentFilter[] = [];
    for (const origin of Object.values(Origin)) {
      const route = this.#route(eventName, origin);
      if (route.signatures.length === 0) continue;
      if (!route.gate) return undefined;
      gates.push(route.gate);
    }
    if (gates.length === 0) return undefined;
    return gates.every((gate) => gate.name === gates[0]!.name)
      ? union(gates)
      : undefined;
  }

  /** Whether any signature could select events called `eventName`. */
  wants(eventName: string): boolean {
    let wanted = this.#wanted.get(eventName);
    if (wanted === undefined) {
      wanted = this.#selectors.some((list) =>
        list.some((s) =>
          s.source === TRACEE_SOURCE && (s.name === ANY || s.name === eventName)
        )
      );
      this.#wanted.set(eventName, wanted);
    }
    return wanted;
  }
}
