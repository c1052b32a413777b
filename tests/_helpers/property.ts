/**
 * Property-based checks with `fast-check`, run the way CI runs them: once
 * with a fixed seed, so a failure reproduces, and once with a fresh seed, so
 * every run explores new inputs. fast-check's failure message names the seed
 * and the shrunk counterexample; replay it with `VIGIL_PROPERTY_SEED`.
 *
 * @module
 */

import fc from "fast-check";

/** The seed of the reproducible run. */
export const FIXED_SEED = 20261205;

/** Options of {@linkcode checkProperty}. */
export interface CheckOptions {
  /**
   * Inputs tried per seed.
   * @default {100}
   */
  numRuns?: number;
}

function seeds(): number[] {
  const pinned = Deno.env.get("VIGIL_PROPERTY_SEED");
  if (pinned !== undefined) return [Number(pinned)];
  return [FIXED_SEED, Date.now() ^ (Math.random() * 0x7fffffff)];
}

/** Checks a synchronous property with the fixed seed, then a fresh one. */
export function checkProperty<T>(
  property: fc.IProperty<T>,
  options: CheckOptions = {},
): void {
  for (const seed of seeds()) {
    fc.assert(property, { seed, numRuns: options.numRuns ?? 100 });
  }
}

/** Checks an asynchronous property with the fixed seed, then a fresh one. */
export async function checkAsyncProperty<T>(
  property: fc.IAsyncProperty<T>,
  options: CheckOptions = {},
): Promise<void> {
  for (const seed of seeds()) {
    await fc.assert(property, { seed, numRuns: options.numRuns ?? 100 });
  }
}
