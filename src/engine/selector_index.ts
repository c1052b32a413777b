/**
 * Routes an event to the signatures that selected it, in O(1) per event
 * after the first event of each (name, origin) pair.
 *
 * @module
 */

import type { Origin } from "../event/event.ts";
import { ANY, type Selector, selects, TRACEE_SOURCE } from "./selector.ts";

/** Maps (event name, origin) to the indexes of the signatures selecting it. */
export class SelectorIndex {
  #selectors: readonly (readonly Selector[])[];
  #cache = new Map<string, readonly number[]>();
  #wanted = new Map<string, boolean>();

  /** @param selectors The selectors of each signature, by signature index. */
  constructor(selectors: readonly (readonly Selector[])[]) {
    this.#selectors = selectors;
  }

  /** Indexes, ascending, of the signatures that select this event. */
  match(eventName: string, origin: Origin): readonly number[] {
    const key = `${origin}\0${eventName}`;
    let found = this.#cache.get(key);
    if (found === undefined) {
      found = [];
      this.#selectors.forEach((list, index) => {
        if (list.some((s) => selects(s, TRACEE_SOURCE, eventName, origin))) {
          (found as number[]).push(index);
        }
      });
      this.#cache.set(key, found);
    }
    return found;
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
