/**
 * Loads the signatures of the signature directories: discovers, compiles
 * (Rego with OPA, TypeScript with sucrase; both cached), starts them in a sandbox, and
 * validates what each says about itself. A signature that fails any step is
 * reported and left out; the others load.
 *
 * @module
 */

import { FIRST_SIGNATURE_EVENT_ID } from "../event/catalog.ts";
import { parseSelector, type Selector } from "../engine/selector.ts";
import { describe, SignatureError } from "../errors.ts";
import {
  Sandbox,
  type SandboxOptions,
  type SandboxSignature,
} from "../sandbox/sandbox.ts";
import { mapLimit } from "./_map_limit.ts";
import { Opa } from "./_opa.ts";
import { discoverSignatures, type SignatureFile } from "./discover.ts";
import {
  MAX_METADATA_DEPTH,
  MAX_METADATA_SIZE,
  MAX_SELECTORS,
  measure,
  parseMetadata,
  type SignatureMetadataRecord,
  SignatureNames,
} from "./metadata.ts";
import type { RegoModule, RegoSyntax } from "./rego_parser.ts";
import { RegoCompiler } from "./rego_compiler.ts";
import { compileTypeScript } from "./ts_compiler.ts";

/** A signature that loaded and passed validation. */
export interface LoadedSignature {
  /** Index in the sandbox. */
  index: number;
  path: string;
  kind: "rego" | "typescript";
  metadata: SignatureMetadataRecord;
  selectors: Selector[];
  /** The id of this signature's finding events. */
  eventId: number;
}

/** Options of {@linkcode loadSignatures}. */
export interface LoadOptions {
  dirs: readonly string[];
  /** Where compiled signatures (Rego and TypeScript) are cached. */
  cacheDir: string;
  /** The `opa` executable. */
  opa?: string;
  sandbox?: SandboxOptions;
}

/** The loaded signatures and the sandbox that runs them. */
export interface SignatureSet {
  signatures: LoadedSignature[];
  sandbox: Sandbox;
  /** What failed to load, one error per file or directory. */
  errors: SignatureError[];
  /** How many compiles were done now rather than taken from the cache. */
  compiled: number;
}

/** Loads every signature of `options.dirs`; never throws for one bad file. */
export async function loadSignatures(
  options: LoadOptions,
): Promise<SignatureSet> {
  const opa = new Opa(options.opa ?? "opa");
  const { cacheDir } = options;
  const files = await discoverSignatures(options.dirs, { opa, cacheDir });
  const compiler = new RegoCompiler({ cacheDir, opa });
  const prepared = await prepareAll(files.signatures, compiler, cacheDir);
  const bundles = await bundleRego(compiler, prepared.specs);
  const sandbox = new Sandbox(
    { signatures: prepared.specs.map(sandboxSignature), bundles: bundles.wasm },
    options.sandbox,
  );
  const outcomes = await sandbox.start();
  const errors = [...files.errors, ...prepared.errors];
  const signatures: LoadedSignature[] = [];
  const names = new SignatureNames();
  outcomes.forEach((outcome, index) => {
    const path = prepared.specs[index]!.path;
    try {
      if (!outcome.ok) throw new SignatureError(path, outcome.error);
      const metadata = parseMetadata(path, outcome.metadata);
      const selectors = parseSelectors(path, outcome.selectors);
      names.claim(path, metadata);
      signatures.push({
        index,
        path,
        kind: prepared.specs[index]!.kind,
        metadata,
        selectors,
        eventId: FIRST_SIGNATURE_EVENT_ID + signatures.length,
      });
    } catch (error) {
      sandbox.disable(index);
      errors.push(
        error instanceof SignatureError
          ? error
          : new SignatureError(path, describe(error), { cause: error }),
      );
    }
  });
  const compiled = prepared.compiled + bundles.compiled;
  return { signatures, sandbox, errors, compiled };
}

/**
 * Compiles every signature (through the caches), refusing the Rego ones
 * whose libraries do not compile.
 */
async function prepareAll(
  files: readonly SignatureFile[],
  compiler: RegoCompiler,
  cacheDir: string,
): Promise<{ specs: Prepared[]; errors: SignatureError[]; compiled: number }> {
  const brokenLibraries = await checkLibraries(compiler, files);
  const errors: SignatureError[] = [];
  let compiled = 0;
  const prepare = async (file: SignatureFile): Promise<Prepared> => {
    if (file.kind === "typescript") {
      const { path, code, cached } = await compileTypeScript(file.path, {
        cacheDir,
      });
      if (!cached) compiled++;
      return { kind: "typescript", path, code };
    }
    const broken = file.libraries.find((l) => brokenLibraries.has(l));
    if (broken) {
      throw new SignatureError(
        file.path,
        `it uses the library ${broken.path}, which does not compile`,
      );
    }
    const result = await compiler.compile(file.module, file.libraries);
    if (!result.cached) compiled++;
    const { module, libraries, scope } = file;
    const { wasm, entrypoints, syntax } = result;
    return {
      kind: "rego",
      path: file.path,
      wasm,
      entrypoints,
      syntax,
      module,
      libraries,
      scope,
    };
  };
  const prepared = await mapLimit(files, 2, async (file) => {
    try {
      return await prepare(file);
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
      errors.push(error);
      return undefined;
    }
  });
  for (const [library, error] of brokenLibraries) {
    errors.push(new SignatureError(library.path, error));
  }
  const specs = prepared.filter((spec): spec is Prepared => spec !== undefined);
  return { specs, errors, compiled };
}

/**
 * Checks each set of libraries some signature is compiled with; returns the
 * libraries that do not compile, each with OPA's error. A library is blamed
 * when OPA's error names its file, else the set's first library.
 */
async function checkLibraries(
  compiler: RegoCompiler,
  files: readonly SignatureFile[],
): Promise<Map<RegoModule, string>> {
  const sets = new Map<string, RegoModule[]>();
  for (const file of files) {
    if (file.kind === "rego" && file.libraries.length > 0) {
      sets.set(file.libraries.map((l) => l.path).join("\0"), file.libraries);
    }
  }
  const broken = new Map<RegoModule, string>();
  for (const libraries of sets.values()) {
    const error = await compiler.check(libraries);
    if (error === undefined) continue;
    const blamed = libraries.find((l) => error.startsWith(`${l.path}:`)) ??
      libraries[0]!;
    broken.set(blamed, `it does not compile: ${error}`);
  }
  return broken;
}

/** A signature compiled for the sandbox, with what bundling needs. */
type Prepared =
  | (SandboxSignature & { kind: "typescript" })
  | {
    kind: "rego";
    path: string;
    wasm: Uint8Array;
    entrypoints: string[];
    module: RegoModule;
    libraries: RegoModule[];
    /** Signatures of the same scope may share a bundle. */
    scope: string;
    syntax: RegoSyntax;
    bundle?: number;
  };

function sandboxSignature(spec: Prepared): SandboxSignature {
  if (spec.kind === "typescript") return spec;
  const { path, entrypoints } = spec;
  return spec.bundle === undefined
    ? { kind: "rego", path, entrypoints, wasm: spec.wasm }
    : { kind: "rego", path, entrypoints, bundle: spec.bundle };
}

type RegoPrepared = Prepared & { kind: "rego" };

/**
 * Compiles the Rego signatures together, so the sandbox parses each event
 * once for all of them, and marks each with its bundle. Only signatures
 * whose directories offer the same libraries share a bundle (a directory's
 * libraries never meet another's signatures). Signatures of the two syntaxes
 * need two bundles, except that v1 signatures importing `rego.v1` read the
 * same in v0-compatible mode and join the v0 bundle. Signatures whose bundle
 * does not compile keep their own module.
 */
async function bundleRego(
  compiler: RegoCompiler,
  specs: Prepared[],
): Promise<{ wasm: Uint8Array[]; compiled: number }> {
  const wasm: Uint8Array[] = [];
  let compiled = 0;
  const bundle = async (members: RegoPrepared[], syntax: RegoSyntax) => {
    if (members.length < 2) return false;
    const libraries = new Map<string, RegoModule>();
    for (const library of members.flatMap((m) => m.libraries)) {
      if (!libraries.has(library.hash)) libraries.set(library.hash, library);
    }
    const result = await compiler.compileBundle(
      members.map((m) => m.module),
      [...libraries.values()],
      syntax,
    );
    if (result === undefined) return false;
    if (!result.cached) compiled++;
    for (const member of members) member.bundle = wasm.length;
    wasm.push(result.wasm);
    return true;
  };
  const groups = new Map<string, RegoPrepared[]>();
  for (const spec of specs) {
    if (spec.kind !== "rego") continue;
    groups.set(spec.scope, [...groups.get(spec.scope) ?? [], spec]);
  }
  for (const rego of groups.values()) {
    const v1 = rego.filter((spec) => spec.syntax === "v1");
    const v0 = rego.filter((spec) => spec.syntax === "v0");
    const portable = v0.length === 0
      ? []
      : v1.filter((spec) => spec.module.importsRegoV1);
    if (portable.length > 0 && await bundle([...v0, ...portable], "v0")) {
      await bundle(v1.filter((spec) => !portable.includes(spec)), "v1");
    } else {
      await bundle(v1, "v1");
      await bundle(v0, "v0");
    }
  }
  return { wasm, compiled };
}

/**
 * The selectors a signature returned: at most `MAX_SELECTORS`, within the
 * size limits of metadata.
 */
function parseSelectors(path: string, value: unknown): Selector[] {
  if (!Array.isArray(value)) {
    throw new SignatureError(
      path,
      "its selected events are not a set or list of selectors",
    );
  }
  const size = measure(value);
  if (
    value.length > MAX_SELECTORS || size.total > MAX_METADATA_SIZE ||
    size.depth > MAX_METADATA_DEPTH
  ) {
    throw new SignatureError(
      path,
      `its selected events are more than ${MAX_SELECTORS} selectors, larger than ${MAX_METADATA_SIZE} characters or deeper than ${MAX_METADATA_DEPTH} levels`,
    );
  }
  try {
    return value.map(parseSelector);
  } catch (error) {
    throw new SignatureError(path, describe(error), { cause: error });
  }
}
