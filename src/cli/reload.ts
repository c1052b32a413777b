/**
 * Reloading the signatures while the sensor runs (`SIGHUP`, `--watch`).
 *
 * The design: a reload loads the directories into a new sandbox while the
 * old one keeps evaluating, then {@linkcode Engine.swap} routes every later
 * batch to the new signatures and the old sandbox is closed once the batches
 * routed to it are finished. The source is never stopped, so nothing is
 * read twice or left unread; each batch is routed once, to one generation.
 * Reloading inside the sandbox, one signature at a time, would save a
 * sandbox start but would reach into the sandbox's loads, restarts and
 * bundles (Rego signatures share a WebAssembly module) on the hot path; a
 * whole new set keeps the sandbox as it is and costs one start per reload.
 *
 * A file whose new version does not load (no longer parses, compiles or
 * validates) keeps its previous version: the set is loaded again with that
 * file pinned to the text it last loaded from.
 *
 * @module
 */

import type { Engine, EngineSignatures } from "../engine/mod.ts";
import type { SignatureError } from "../errors.ts";
import type { ArgumentGate } from "../sources/mod.ts";
import type { SignatureSet } from "./start.ts";

/** Loads the signature directories, with some files pinned to given texts. */
export type LoadSignatureSet = (
  pinned: ReadonlyMap<string, string>,
) => Promise<SignatureSet>;

/** A set loaded by a reload, and the new versions refused for old ones. */
export interface ReloadedSet {
  set: SignatureSet;
  /** Files whose new version failed, so their previous version runs. */
  kept: SignatureError[];
}

/** Pinning rounds: each pins what failed in the one before. */
const PIN_ROUNDS = 3;

/**
 * Loads the signatures again; a file that fails and had loaded before is
 * pinned to its previous text and the set loaded once more.
 */
export async function loadKeepingPrevious(
  previous: ReadonlyMap<string, string>,
  load: LoadSignatureSet,
): Promise<ReloadedSet> {
  const pinned = new Map<string, string>();
  const kept: SignatureError[] = [];
  for (let round = 0;; round++) {
    const set = await load(pinned);
    const failed = set.errors.filter((error) =>
      previous.has(error.path) && !pinned.has(error.path)
    );
    if (failed.length === 0 || round === PIN_ROUNDS - 1) {
      return { set, kept };
    }
    for (const error of failed) {
      pinned.set(error.path, previous.get(error.path)!);
      kept.push(error);
    }
    await set.sandbox.close();
  }
}

/**
 * The kernel source's gate for an event, following swaps: the kernel
 * decoder asks once per event name and keeps the answer, so the answer it
 * keeps asks the engine's current gate (memoised until the next swap). An
 * event that had no gate at first keeps none: it is built, and the engine
 * routes it.
 */
export class FollowingGates {
  #engine: Engine;
  #current = new Map<string, ArgumentGate | undefined>();

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** The gate to hand the kernel source for `name`. */
  gate(name: string): ArgumentGate | undefined {
    const first = this.#engine.gate(name);
    if (first === undefined) return undefined;
    return {
      name: first.name,
      matches: (value) => {
        const gate = this.#gateNow(name);
        return gate === undefined || gate.name !== first.name ||
          gate.matches(value);
      },
    };
  }

  /** Forgets the gates of the signatures swapped out. */
  refresh(): void {
    this.#current.clear();
  }

  #gateNow(name: string): ArgumentGate | undefined {
    if (this.#current.has(name)) return this.#current.get(name);
    const gate = this.#engine.gate(name);
    this.#current.set(name, gate);
    return gate;
  }
}

/** Options of {@linkcode Reloader}. */
export interface ReloaderOptions {
  engine: Engine;
  /** The set running now. */
  initial: SignatureSet;
  load: LoadSignatureSet;
  /** The events to print with a set (as at start). */
  print: (set: SignatureSet) => ReadonlySet<string>;
  /** Called with each new set before the engine uses it. */
  onStart?: (set: SignatureSet) => void;
  /** Called as soon as the engine routes to the new set. */
  onRouted?: (reload: ReloadedSet, previous: SignatureSet) => void;
  /** Also reloaded each time (the exceptions file); may throw to keep the old. */
  also?: () => Promise<void>;
  onError: (message: string) => void;
}

/**
 * Runs reloads one at a time: a request while one runs makes one more run
 * after it, so the last change is always loaded.
 */
export class Reloader {
  #options: ReloaderOptions;
  #current: SignatureSet;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: ReloaderOptions) {
    this.#options = options;
    this.#current = options.initial;
  }

  /** The set the engine routes to now. */
  get current(): SignatureSet {
    return this.#current;
  }

  /** Asks for a reload; resolves when it (and any asked meanwhile) is done. */
  request(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#reload();
        } while (this.#again && !this.#closed);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Waits for a reload in progress; no reload starts after this. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }

  async #reload(): Promise<void> {
    const { engine, load, print, onStart, onRouted, also, onError } =
      this.#options;
    try {
      await also?.();
    } catch (error) {
      onError(error instanceof Error ? error.message : String(error));
    }
    let reloaded: ReloadedSet;
    try {
      reloaded = await loadKeepingPrevious(this.#current.sources, load);
    } catch (error) {
      onError(
        `Cannot reload the signatures; the previous ones keep running: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
      return;
    }
    if (this.#closed) {
      await reloaded.set.sandbox.close();
      return;
    }
    const { set } = reloaded;
    onStart?.(set);
    const next: EngineSignatures = {
      signatures: set.signatures,
      sandbox: set.sandbox,
      print: print(set),
    };
    const previous = this.#current;
    this.#current = set;
    const swapped = engine.swap(next);
    onRouted?.(reloaded, previous);
    await (await swapped).close();
  }
}
