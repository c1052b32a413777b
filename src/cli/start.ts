/**
 * Wires the loader to a sandbox: compiles the signatures, starts them in a
 * sandbox, validates what they said about themselves and disables the ones
 * refused. The command line, the tests' replay helper and the benchmarks
 * start signatures this one way.
 *
 * @module
 */

import type { SignatureError } from "../errors.ts";
import {
  type LoadOptions,
  loadSignatures,
  validateSignatures,
} from "../loader/mod.ts";
import type { LoadedSignature } from "../model/mod.ts";
import { Sandbox, type SandboxOptions } from "../sandbox/mod.ts";

/** Options of {@linkcode startSignatures}. */
export interface StartOptions extends LoadOptions {
  sandbox?: SandboxOptions;
}

/** The signatures that loaded and the sandbox that runs them. */
export interface SignatureSet {
  signatures: LoadedSignature[];
  sandbox: Sandbox;
  /** What failed to load, one error per file or directory. */
  errors: SignatureError[];
  /** How many compiles were done now rather than taken from the cache. */
  compiled: number;
  /** The text each signature and library was compiled from, by path. */
  sources: ReadonlyMap<string, string>;
}

/**
 * Loads every signature of `options.dirs` and starts them in a sandbox;
 * never throws for one bad file.
 */
export async function startSignatures(
  options: StartOptions,
): Promise<SignatureSet> {
  const compiled = await loadSignatures(options);
  const sandbox = new Sandbox(compiled, options.sandbox);
  const valid = validateSignatures(compiled, await sandbox.start());
  for (const index of valid.refused) sandbox.disable(index);
  return {
    signatures: valid.signatures,
    sandbox,
    errors: [...compiled.errors, ...valid.errors],
    compiled: compiled.compiled,
    sources: compiled.sources,
  };
}
