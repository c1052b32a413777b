/**
 * Loads the signatures of the signature directories: discovers and compiles
 * them (Rego with OPA, TypeScript with sucrase; both cached), and validates
 * what each says about itself once the sandbox has started it. A signature
 * that fails any step is reported and left out; the others load.
 *
 * The loader starts nothing: the command line gives its compiled signatures
 * to a sandbox, and the sandbox's start outcomes back to
 * {@linkcode validateSignatures}.
 *
 * @module
 */

import { FIRST_SIGNATURE_EVENT_ID } from "../event/mod.ts";
import { describe, SignatureError } from "../errors.ts";
import {
  type LoadedSignature,
  parseSelector,
  type Selector,
} from "../model/mod.ts";
import type {
  LoadOutcome,
  SandboxProgram,
  SandboxSignature,
} from "../sandbox/mod.ts";
import { mapLimit } from "./_map_limit.ts";
import { Opa } from "./_opa.ts";
import { discoverSignatures, type SignatureFile } from "./discover.ts";
import {
  MAX_METADATA_DEPTH,
  MAX_METADATA_SIZE,
  MAX_SELECTORS,
  measure,
  parseMetadata,
  SignatureNames,
} from "./metadata.ts";
import type { RegoModule, RegoSyntax } from "./rego_parser.ts";
import { RegoCompiler } from "./rego_compiler.ts";
import { compileTypeScript } from "./ts_compiler.ts";

/** Options of {@linkcode loadSignatures}. */
export interface LoadOptions {
  dirs: readonly string[];
  /** Where compiled signatures (Rego and TypeScript) are cached. */
  cacheDir: string;
  /**
   * The `opa` executable.
   * @default {"opa"}
   */
  opa?: string;
  /**
   * Texts to use instead of what some files hold now, by path: a reload
   * keeps a signature's previous version when its new one does not load.
   */
  pinned?: ReadonlyMap<string, string>;
}

/** The compiled signatures of some directories: a sandbox's program. */
export interface CompiledSignatures extends SandboxProgram {
  /** In sandbox order: signature `i` runs as the sandbox's signature `i`. */
  signatures: SandboxSignature[];
  /** What failed to compile, one error per file or directory. */
  errors: SignatureError[];
  /** How many compiles were done now rather than taken from the cache. */
  compiled: number;
  /** The text each compiled signature and its libraries came from, by path. */
  sources: Map<string, string>;
  /** By sandbox index: the event members each may read (see `inputRead`). */
  inputFields: (readonly string[] | undefined)[];
}

/** The signatures that passed validation, and the errors of the others. */
export interface ValidatedSignatures {
  signatures: LoadedSignature[];
  /** Sandbox indexes of the signatures refused: to disable in the sandbox. */
  refused: number[];
  errors: SignatureError[];
}

/**
 * Discovers and compiles every signature of `options.dirs`; never throws for
 * one bad file.
 *
 * @example Compile, start in a sandbox, validate
 * ```ts ignore
 * const compiled = await loadSignatures({ dirs: ["signatures"], cacheDir });
 * const sandbox = new Sandbox(compiled);
 * const valid = validateSignatures(compiled, await sandbox.start());
 * for (const index of valid.refused) sandbox.disable(index);
 * ```
 */
export async function loadSignatures(
  options: LoadOptions,
): Promise<CompiledSignatures> {
  const { cacheDir } = options;
  const opa = new Opa(options.opa ?? "opa", {
    versionFile: `${cacheDir}/opa-version`,
  });
  const { pinned } = options;
  const files = await discoverSignatures(options.dirs, {
    opa,
    cacheDir,
    ...(pinned ? { pinned } : {}),
  });
  const compiler = new RegoCompiler({ cacheDir, opa });
  const prepared = await prepareAll(files.signatures, compiler, {
    cacheDir,
    pinned,
  });
  const bundles = await bundleRego(compiler, prepared.specs);
  const regoFields = inputRead(prepared.specs);
  return {
    signatures: prepared.specs.map(sandboxSignature),
    inputFields: prepared.specs.map((spec) =>
      spec.kind === "rego" ? regoFields : undefined
    ),
    bundles: bundles.wasm,
    errors: [...files.errors, ...prepared.errors],
    compiled: prepared.compiled + bundles.compiled,
    sources: sourcesOf(prepared.specs),
  };
}

/** The texts the signatures and their libraries were compiled from. */
function sourcesOf(specs: readonly Prepared[]): Map<string, string> {
  const sources = new Map<string, string>();
  for (const spec of specs) {
    if (spec.kind === "typescript") sources.set(spec.path, spec.source);
    else {
      for (const module of [spec.module, ...spec.libraries]) {
        sources.set(module.path, module.text);
      }
    }
  }
  return sources;
}

/**
 * Validates what each signature said about itself when the sandbox started
 * it (`outcomes[i]` is signature `i`'s): its metadata, its selectors, and
 * that its id and event name are its own. Finding event ids are given in
 * order to the signatures that pass.
 */
export function validateSignatures(
  compiled:
    & Pick<CompiledSignatures, "signatures">
    & Partial<Pick<CompiledSignatures, "inputFields">>,
  outcomes: readonly LoadOutcome[],
): ValidatedSignatures {
  const signatures: LoadedSignature[] = [];
  const refused: number[] = [];
  const errors: SignatureError[] = [];
  const names = new SignatureNames();
  outcomes.forEach((outcome, index) => {
    const { path, kind } = compiled.signatures[index]!;
    try {
      if (!outcome.ok) throw new SignatureError(path, outcome.error);
      const metadata = parseMetadata(path, outcome.metadata);
      const selectors = parseSelectors(path, outcome.selectors);
      names.claim(path, metadata);
      const eventId = FIRST_SIGNATURE_EVENT_ID + signatures.length;
      const inputFields = compiled.inputFields?.[index] ??
        parseInputFields(path, outcome.inputFields);
      signatures.push({
        index,
        path,
        kind,
        metadata,
        selectors,
        eventId,
        ...(inputFields ? { inputFields } : {}),
      });
    } catch (error) {
      refused.push(index);
      errors.push(
        error instanceof SignatureError
          ? error
          : new SignatureError(path, describe(error), { cause: error }),
      );
    }
  });
  return { signatures, refused, errors };
}

/**
 * Compiles every signature (through the caches), refusing the Rego ones
 * whose libraries do not compile.
 */
async function prepareAll(
  files: readonly SignatureFile[],
  compiler: RegoCompiler,
  options: { cacheDir: string; pinned: LoadOptions["pinned"] },
): Promise<{ specs: Prepared[]; errors: SignatureError[]; compiled: number }> {
  const { cacheDir, pinned } = options;
  const brokenLibraries = await checkLibraries(compiler, files);
  const errors: SignatureError[] = [];
  let compiled = 0;
  const prepare = async (file: SignatureFile): Promise<Prepared> => {
    if (file.kind === "typescript") {
      const pinnedSource = pinned?.get(file.path);
      const { path, code, cached, source } = await compileTypeScript(
        file.path,
        {
          cacheDir,
          ...(pinnedSource === undefined ? {} : { source: pinnedSource }),
        },
      );
      if (!cached) compiled++;
      return { kind: "typescript", path, code, source };
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
  | (SandboxSignature & { kind: "typescript"; source: string })
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
  if (spec.kind === "typescript") {
    return { kind: "typescript", path: spec.path, code: spec.code };
  }
  const { path, entrypoints } = spec;
  return spec.bundle === undefined
    ? { kind: "rego", path, entrypoints, wasm: spec.wasm }
    : { kind: "rego", path, entrypoints, bundle: spec.bundle };
}

type RegoPrepared = Prepared & { kind: "rego" };

/**
 * The members of an event that any Rego module (signature or library) reads,
 * or `undefined` when one may read any. One set for all Rego signatures:
 * a module may call rules of any other it can reach.
 */
function inputRead(specs: readonly Prepared[]): readonly string[] | undefined {
  const fields = new Set<string>();
  for (const spec of specs) {
    if (spec.kind !== "rego") continue;
    for (const module of [spec.module, ...spec.libraries]) {
      if (module.inputFields === null) return undefined;
      for (const field of module.inputFields) fields.add(field);
    }
  }
  return [...fields];
}

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

/** Most members a signature may declare it reads (Tracee's event has 31). */
const MAX_INPUT_FIELDS = 64;
const INPUT_FIELD_REGEXP = /^[A-Za-z]{1,64}$/;

/**
 * The members of an event a TypeScript signature declared it reads
 * (`export const inputFields = [...]`); `undefined` when it declared none.
 */
function parseInputFields(
  path: string,
  value: unknown,
): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) || value.length > MAX_INPUT_FIELDS ||
    !value.every((field) =>
      typeof field === "string" && INPUT_FIELD_REGEXP.test(field)
    )
  ) {
    throw new SignatureError(
      path,
      `its inputFields is not a list of at most ${MAX_INPUT_FIELDS} member names`,
    );
  }
  return value;
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
