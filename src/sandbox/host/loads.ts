/**
 * Signature loads, one at a time: the one the sandbox is loading, and why
 * the process died while one loaded.
 *
 * @module
 */

import { type LoadOutcome, parseLoadOutcome } from "./answer.ts";
import { dataMiB, ISOLATE_RESERVATION_MIB } from "./process.ts";

/** Why the process died while a signature loaded, and who is charged. */
export interface LoadDeath {
  cause: string;
  signature: number | undefined;
}

/** The load in flight and what the current process answered. */
export class Loads {
  #current:
    | { index: number; resolve: (outcome: LoadOutcome) => void }
    | undefined;
  #death: LoadDeath | undefined;
  #answered = 0;

  /** The signature being loaded, if any. */
  get current(): number | undefined {
    return this.#current?.index;
  }

  /** Loads the current process answered. */
  get answered(): number {
    return this.#answered;
  }

  /** Starts counting the answers of a new process. */
  restart(): void {
    this.#answered = 0;
  }

  /** Waits for signature `index`'s load to be answered or to fail. */
  begin(index: number): Promise<LoadOutcome> {
    return new Promise((resolve) => this.#current = { index, resolve });
  }

  /** Reads a `Loaded` frame; returns whether it answers the load in flight. */
  answer(index: number, text: string): boolean {
    const current = this.#current;
    if (current?.index !== index) return false;
    this.#current = undefined;
    this.#answered++;
    current.resolve(parseLoadOutcome(text));
    return true;
  }

  /** Fails the load in flight, if any, because the process died of `death`. */
  fail(error: string, death: LoadDeath): void {
    this.#death = death;
    const current = this.#current;
    this.#current = undefined;
    current?.resolve({ ok: false, error });
  }

  /** Why the process died during the last failed load; cleared. */
  takeDeath(): LoadDeath | undefined {
    const death = this.#death;
    this.#death = undefined;
    return death;
  }
}

/**
 * Measures the data memory a load leaves held in the sandbox process `pid`,
 * in MiB, beyond the isolate a TypeScript signature gets: called before the
 * load, it returns the function to call after it (undefined when
 * unreadable). Before a process's first load, its size is taken to be that
 * of its two isolates.
 */
export function measureLoad(
  pid: number,
  options: { firstLoad: boolean; typescript: boolean },
): () => number | undefined {
  const before = options.firstLoad ? 2 * ISOLATE_RESERVATION_MIB : dataMiB(pid);
  const isolate = options.typescript ? ISOLATE_RESERVATION_MIB : 0;
  return () => {
    const after = dataMiB(pid);
    if (before === undefined || after === undefined) return undefined;
    return Math.round(after - before - isolate);
  };
}
