/**
 * Compiles Rego signatures to WebAssembly with `opa build -t wasm`, caching
 * each result under a hash of everything that went into it, so that a second
 * start compiles nothing.
 *
 * @module
 */

import { SignatureError } from "../errors.ts";
import { firstOpaError, type Opa } from "./_opa.ts";
import { sha256Hex, writeCacheEntry } from "./_cache.ts";
import { CONTRACT_RULES } from "./namespaces.ts";
import type { RegoModule, RegoSyntax } from "./rego_parser.ts";

export type { RegoSyntax } from "./rego_parser.ts";

/** Compiled WebAssembly, and how it was obtained. */
export interface CompiledWasm {
  wasm: Uint8Array;
  /** The syntax the modules compiled in. */
  syntax: RegoSyntax;
  /** Whether this compile came from the cache. */
  cached: boolean;
}

/** A signature compiled to WebAssembly. */
export interface CompiledRego extends CompiledWasm {
  path: string;
  /** Entrypoint names, in `CONTRACT_RULES` order. */
  entrypoints: string[];
}

const PROJECT_OPA = new URL("../../.tools/bin/opa", import.meta.url).pathname;

/** The OPA that `tools/setup.sh` installs (`.tools/bin/opa`), else `opa` on PATH. */
export function defaultOpaPath(): string {
  try {
    Deno.statSync(PROJECT_OPA);
    return PROJECT_OPA;
  } catch {
    return "opa";
  }
}

/** Options of {@linkcode RegoCompiler}. */
export interface RegoCompilerOptions {
  /** Directory for compiled modules. */
  cacheDir: string;
  /** The `opa` executable. */
  opa: Opa;
}

/** Compiles Rego signatures with OPA, through a content-addressed cache. */
export class RegoCompiler {
  #cacheDir: string;
  #opa: Opa;

  constructor(options: RegoCompilerOptions) {
    this.#cacheDir = options.cacheDir;
    this.#opa = options.opa;
  }

  /**
   * Compiles `signature` with the libraries it uses, in the syntax it parsed
   * in, then in the other one (a v1 module importing `rego.v1` compiles
   * beside v0 libraries only in v0-compatible mode).
   *
   * @throws {SignatureError} When the module does not compile; the message
   * carries OPA's first error with its file and line.
   * @throws {NotSupportedError} When `opa` is missing.
   */
  async compile(
    signature: RegoModule,
    libraries: readonly RegoModule[],
  ): Promise<CompiledRego> {
    const entrypoints = signatureEntrypoints(signature);
    const other: RegoSyntax = signature.syntax === "v1" ? "v0" : "v1";
    const result = await this.#compileCached(
      [signature, ...libraries],
      entrypoints,
      [signature.syntax, other],
    );
    if (typeof result === "string") {
      throw new SignatureError(signature.path, result);
    }
    return { path: signature.path, entrypoints, ...result };
  }

  /**
   * Compiles signatures of one syntax together into one module, with every
   * signature's entrypoints, so that the sandbox parses each event once for
   * all of them. Returns `undefined` when they do not compile together; each
   * still runs alone then.
   */
  async compileBundle(
    signatures: readonly RegoModule[],
    libraries: readonly RegoModule[],
    syntax: RegoSyntax,
  ): Promise<CompiledWasm | undefined> {
    const result = await this.#compileCached(
      [...signatures, ...libraries],
      signatures.flatMap(signatureEntrypoints),
      [syntax],
    );
    return typeof result === "string" ? undefined : result;
  }

  /**
   * Checks that `libraries` compile together, alone (`opa check`), in
   * v0-compatible mode when one of them needs it; returns OPA's first error,
   * or `undefined`. Cached like compiles.
   */
  async check(libraries: readonly RegoModule[]): Promise<string | undefined> {
    const v0 = libraries.some((l) => l.syntax === "v0");
    const key = await this.#key("check", v0 ? "v0" : "v1", libraries);
    const cachePath = `${this.#cacheDir}/${key}.check`;
    try {
      return JSON.parse(await Deno.readTextFile(cachePath)).error;
    } catch (error) {
      // A missing or damaged entry is checked again.
      if (
        !(error instanceof Deno.errors.NotFound ||
          error instanceof SyntaxError)
      ) throw error;
    }
    const output = await this.#opa.runOn(libraries, (files) => [
      "check",
      ...(v0 ? ["--v0-compatible"] : []),
      ...files,
    ]);
    const error = output.ok ? undefined : firstOpaError(output);
    await writeCacheEntry(cachePath, JSON.stringify({ error }));
    return error;
  }

  async #key(...parts: (string | readonly RegoModule[])[]): Promise<string> {
    const version = await this.#opa.version();
    return await sha256Hex(
      [
        version,
        ...parts.flatMap((p) =>
          typeof p === "string" ? [p] : p.map((m) => m.text)
        ),
      ].join("\0"),
    );
  }

  /** Compiles through the cache; returns OPA's first error when it fails. */
  async #compileCached(
    modules: readonly RegoModule[],
    entrypoints: readonly string[],
    syntaxes: readonly RegoSyntax[],
  ): Promise<CompiledWasm | string> {
    const key = await this.#key(...entrypoints, modules);
    const cachePath = (syntax: RegoSyntax) =>
      `${this.#cacheDir}/${key}.${syntax}.wasm`;
    for (const syntax of syntaxes) {
      try {
        return {
          wasm: await Deno.readFile(cachePath(syntax)),
          syntax,
          cached: true,
        };
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    let firstError = "";
    for (const syntax of syntaxes) {
      const wasm = await this.#build(modules, entrypoints, syntax);
      if (wasm instanceof Uint8Array) {
        await writeCacheEntry(cachePath(syntax), wasm);
        return { wasm, syntax, cached: false };
      }
      firstError ||= wasm;
    }
    return firstError;
  }

  async #build(
    modules: readonly RegoModule[],
    entrypoints: readonly string[],
    syntax: RegoSyntax,
  ): Promise<Uint8Array | string> {
    let bundle: Uint8Array | undefined;
    const output = await this.#opa.runOn(modules, (files, dir) => [
      "build",
      "-t",
      "wasm",
      ...(syntax === "v0" ? ["--v0-compatible"] : []),
      ...entrypoints.flatMap((e) => ["-e", e]),
      "-o",
      `${dir}/bundle.tar.gz`,
      ...files,
    ], async (dir) => {
      bundle = await Deno.readFile(`${dir}/bundle.tar.gz`).catch(() =>
        undefined
      );
    });
    if (!output.ok || bundle === undefined) return firstOpaError(output);
    return await extractPolicyWasm(bundle);
  }
}

/** The names of a signature's contract rules, as wasm entrypoints. */
function signatureEntrypoints(signature: RegoModule): string[] {
  const pkg = signature.packagePath.join("/");
  return CONTRACT_RULES.map((rule) => `${pkg}/${rule}`);
}

async function extractPolicyWasm(bundle: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bundle as BlobPart]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  const tar = new Uint8Array(await new Response(stream).arrayBuffer());
  // Only a compile needs the tar reader; a warm start does not load it.
  const { parseTar } = await import("nanotar");
  const entry = parseTar(tar).find((file) => file.name.endsWith("policy.wasm"));
  if (!entry?.data) throw new Error("opa build wrote no policy.wasm");
  return entry.data;
}
