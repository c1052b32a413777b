/**
 * Routes an event to the signatures that selected it, in O(1) per event
 * after the first event of each (name, origin) pair, plus the argument
 * filters of the signatures that declared some.
 *
 * @module
 */

import type { Origin } from "../event/event.ts";
import {
  ANY,
  type ArgumentFilter,
  type FilteredEvent,
  passes,
  type Selector,
  selects,
  TRACEE_SOURCE,
} from "./selector.ts";

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
   * the event (one list to pass suffices), or `undefined` when one selector
   * has none. `undefined` as a whole when no signature filters.
   */
  filters: ((readonly ArgumentFilter[])[] | undefined)[] | undefined;
}

/** Maps (event name, origin) to the indexes of the signatures selecting it. */
export class SelectorIndex {
  #selectors: readonly (readonly Selector[])[];
  #cache = new Map<string, Route>();
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
    const matched: number[] = [];
    route.signatures.forEach((signature, i) => {
      const any = filters[i];
      if (any === undefined || any.some((all) => passes(all, event))) {
        matched.push(signature);
      }
    });
    return matched;
  }

  #route(eventName: string, origin: Origin): Route {
    const key = `${origin}\0${eventName}`;
    let route = this.#cache.get(key);
    if (route === undefined) {
      const signatures: number[] = [];
      const filters: ((readonly ArgumentFilter[])[] | undefined)[] = [];
      this.#selectors.forEach((list, index) => {
        const selecting = list.filter((s) =>
          selects(s, TRACEE_SOURCE, eventName, origin)
        );
        if (selecting.length === 0) return;
        signatures.push(index);
        filters.push(
          selecting.some((s) => s.args.length === 0)
            ? undefined
            : selecting.map((s) => s.args),
        );
      });
      route = {
        signatures,
        filters: filters.some((f) => f !== undefined) ? filters : undefined,
      };
      this.#cache.set(key, route);
    }
    return route;
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
