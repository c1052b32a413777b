/**
 * The signature loader: finds the signatures of some directories, compiles
 * them (Rego with OPA, TypeScript with sucrase, both cached) and validates
 * what each says about itself. It starts nothing: the command line hands the
 * compiled signatures to a sandbox and the sandbox's start outcomes back.
 *
 * @example Compile, start in a sandbox, validate (what `src/cli/start.ts` does)
 * ```ts ignore
 * import { loadSignatures, validateSignatures } from "./mod.ts";
 * import { Sandbox } from "../sandbox/mod.ts";
 *
 * const compiled = await loadSignatures({ dirs: ["signatures"], cacheDir: "/tmp/vigil" });
 * const sandbox = new Sandbox(compiled);
 * const valid = validateSignatures(compiled, await sandbox.start());
 * for (const index of valid.refused) sandbox.disable(index);
 * console.log(valid.signatures.map((s) => s.metadata.id), valid.errors);
 * await sandbox.close();
 * ```
 *
 * @example The `opa` executable the loader uses by default
 * ```ts
 * import { defaultOpaPath } from "./mod.ts";
 *
 * console.log(defaultOpaPath());
 * ```
 *
 * @module
 */

export {
  type CompiledSignatures,
  type LoadOptions,
  loadSignatures,
  type ValidatedSignatures,
  validateSignatures,
} from "./loader.ts";
export { defaultOpaPath } from "./rego_compiler.ts";
