/**
 * Loads the signatures of the signature directories: discovers, compiles
 * (Rego with OPA, TypeScript with sucrase; both cached), starts them in a sandbox, and
 * validates what each says about itself. A signature that fails any step is
 * reported and left out; the others load.
 *
 * @module
 */

import { BASE_EVENT_IDS, FIRST_SIGNATURE_EVENT_ID } from "../event/catalog.ts";
import { parseSelector, type Selector } from "../engine/selector.ts";
import { describe, SignatureError } from "../errors.ts";
import type { SignatureMetadata } from "../sdk/mod.ts";
import {
  Sandbox,
  type SandboxOptions,
  type SandboxSignature,
} from "../sandbox/sandbox.ts";
import {
  discoverSignatures,
  librariesUsedBy,
  type RegoModule,
  type SignatureFile,
} from "./discover.ts";
import { RegoCompiler, type RegoSyntax } from "./rego_compiler.ts";
import { compileTypeScript } from "./ts_compiler.ts";

/** A signature that loaded and passed validation. */
export interface LoadedSignature {
  /** Index in the sandbox. */
  index: number;
  path: string;
  kind: "rego" | "typescript";
  metadata: Required<Omit<SignatureMetadata, "tags">> & {
    tags: string[] | null;
  };
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
  const files = await discoverSignatures(options.dirs);
  const errors = [...files.errors];
  const compiler = new RegoCompiler({
    cacheDir: options.cacheDir,
    ...(options.opa ? { opa: options.opa } : {}),
  });
  let compiled = 0;
  const prepare = async (file: SignatureFile): Promise<Prepared> => {
    if (file.kind === "typescript") {
      const { path, code, cached } = await compileTypeScript(file.path, {
        cacheDir: options.cacheDir,
      });
      if (!cached) compiled++;
      return { kind: "typescript", path, code };
    }
    const libraries = librariesUsedBy(file.module, files.regoLibraries);
    const result = await compiler.compile(file.module, libraries);
    if (!result.cached) compiled++;
    return {
      kind: "rego",
      path: file.path,
      wasm: result.wasm,
      entrypoints: result.entrypoints,
      module: file.module,
      libraries,
      syntax: result.syntax,
    };
  };
  const prepared = await mapLimit(files.signatures, 2, async (file) => {
    try {
      return await prepare(file);
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
      errors.push(error);
      return undefined;
    }
  });
  const specs = prepared.filter((spec): spec is Prepared => spec !== undefined);
  const bundles = await bundleRego(compiler, specs);
  compiled += bundles.compiled;
  const sandbox = new Sandbox(
    { signatures: specs.map(sandboxSignature), bundles: bundles.wasm },
    options.sandbox,
  );
  const outcomes = await sandbox.start();

  const signatures: LoadedSignature[] = [];
  const ids = new Map<string, string>();
  const eventNames = new Map<string, string>();
  outcomes.forEach((outcome, index) => {
    const path = specs[index]!.path;
    try {
      if (!outcome.ok) throw new SignatureError(path, outcome.error);
      const metadata = parseMetadata(path, outcome.metadata);
      const selectors = parseSelectors(path, outcome.selectors);
      const idOwner = ids.get(metadata.id);
      if (idOwner) {
        throw new SignatureError(
          path,
          `its id "${metadata.id}" is already used by ${idOwner}`,
        );
      }
      const nameOwner = eventNames.get(metadata.eventName) ??
        (BASE_EVENT_IDS.has(metadata.eventName) ? "a base event" : undefined);
      if (nameOwner) {
        throw new SignatureError(
          path,
          `its eventName "${metadata.eventName}" is already used by ${nameOwner}`,
        );
      }
      ids.set(metadata.id, path);
      eventNames.set(metadata.eventName, path);
      signatures.push({
        index,
        path,
        kind: specs[index]!.kind,
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
  return { signatures, sandbox, errors, compiled };
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

/** `import rego.v1`: OPA's v0-compatible mode then reads the module as v1. */
const IMPORTS_REGO_V1 = /^[ \t]*import[ \t]+rego\.v1[ \t]*(#.*)?$/m;

type RegoPrepared = Prepared & { kind: "rego" };

/**
 * Compiles the Rego signatures together, so the sandbox parses each event
 * once for all of them, and marks each with its bundle. Signatures of the two
 * syntaxes need two bundles, except that v1 signatures importing `rego.v1`
 * read the same in v0-compatible mode and join the v0 bundle. Signatures
 * whose bundle does not compile keep their own module.
 */
async function bundleRego(
  compiler: RegoCompiler,
  specs: Prepared[],
): Promise<{ wasm: Uint8Array[]; compiled: number }> {
  const wasm: Uint8Array[] = [];
  let compiled = 0;
  const bundle = async (members: RegoPrepared[], syntax: RegoSyntax) => {
    if (members.length < 2) return false;
    const libraries = [...new Set(members.flatMap((m) => m.libraries))];
    const result = await compiler.compileBundle(
      members.map((m) => m.module),
      libraries,
      syntax,
    );
    if (result === undefined) return false;
    if (!result.cached) compiled++;
    for (const member of members) member.bundle = wasm.length;
    wasm.push(result.wasm);
    return true;
  };
  const rego = specs.filter((spec): spec is RegoPrepared =>
    spec.kind === "rego"
  );
  const v1 = rego.filter((spec) => spec.syntax === "v1");
  const v0 = rego.filter((spec) => spec.syntax === "v0");
  const portable = v0.length === 0
    ? []
    : v1.filter((spec) => IMPORTS_REGO_V1.test(spec.module.text));
  if (portable.length > 0 && await bundle([...v0, ...portable], "v0")) {
    await bundle(v1.filter((spec) => !portable.includes(spec)), "v1");
  } else {
    await bundle(v1, "v1");
    await bundle(v0, "v0");
  }
  return { wasm, compiled };
}

function parseMetadata(
  path: string,
  value: unknown,
): LoadedSignature["metadata"] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SignatureError(
      path,
      "its metadata (__rego_metadoc__) is not an object",
    );
  }
  const record = value as Record<string, unknown>;
  const text = (key: string, required: boolean): string => {
    const field = record[key];
    if (typeof field === "string" && field !== "") return field;
    if (field === undefined && !required) return "";
    throw new SignatureError(
      path,
      `its metadata has ${
        field === undefined ? "no" : "a non-string or empty"
      } "${key}"`,
    );
  };
  const tags = record.tags;
  if (
    tags !== undefined && tags !== null &&
    !(Array.isArray(tags) && tags.every((tag) => typeof tag === "string"))
  ) {
    throw new SignatureError(
      path,
      `its metadata "tags" is not a list of strings`,
    );
  }
  const properties = record.properties ?? {};
  if (
    typeof properties !== "object" || properties === null ||
    Array.isArray(properties)
  ) {
    throw new SignatureError(
      path,
      `its metadata "properties" is not an object`,
    );
  }
  return {
    id: text("id", true),
    version: text("version", false),
    name: text("name", false),
    eventName: text("eventName", true),
    description: text("description", false),
    tags: (tags as string[] | undefined) ?? null,
    properties: properties as Record<string, unknown>,
  };
}

function parseSelectors(path: string, value: unknown): Selector[] {
  if (!Array.isArray(value)) {
    throw new SignatureError(
      path,
      "its selected events are not a set or list of selectors",
    );
  }
  try {
    return value.map(parseSelector);
  } catch (error) {
    throw new SignatureError(path, describe(error), { cause: error });
  }
}

/** Maps `items` through `fn`, at most `limit` at a time, keeping order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const work = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, work),
  );
  return results;
}
