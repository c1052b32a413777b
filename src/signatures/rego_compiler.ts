/**
 * Compiles Rego signatures to WebAssembly with `opa build -t wasm`, caching
 * each result under a hash of everything that went into it, so that a second
 * start compiles nothing.
 *
 * @module
 */

import { describe, NotSupportedError, SignatureError } from "../errors.ts";
import type { RegoModule } from "./discover.ts";
import { sha256Hex, writeCacheEntry } from "./_cache.ts";

/** The rules of the Tracee contract, compiled as wasm entrypoints. */
export const REGO_ENTRYPOINTS = [
  "__rego_metadoc__",
  "tracee_selected_events",
  "tracee_match",
] as const;

/** OPA's two Rego syntaxes: v1 (OPA 1.x default) and v0 (`--v0-compatible`). */
export type RegoSyntax = "v0" | "v1";

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
  /** Entrypoint names, in `REGO_ENTRYPOINTS` order. */
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
  /**
   * The `opa` executable.
   * @default {"opa"}
   */
  opa?: string;
}

const V1_SYNTAX_REGEXP =
  /^[ \t]*import[ \t]+rego\.v1\b|\bif[ \t]*\{|\bcontains\b/m;
const ERROR_LINE_REGEXP = /(\S+\.rego:\d+: .*)$/m;

/** Compiles Rego signatures with OPA, through a content-addressed cache. */
export class RegoCompiler {
  #cacheDir: string;
  #opa: string;
  #opaVersion: Promise<string> | undefined;

  constructor(options: RegoCompilerOptions) {
    this.#cacheDir = options.cacheDir;
    this.#opa = options.opa ?? "opa";
  }

  /**
   * The version line of `opa version`.
   *
   * @throws {NotSupportedError} When `opa` cannot be run.
   */
  opaVersion(): Promise<string> {
    return this.#opaVersion ??= this.#run(["version"]).then((result) => {
      if (!result.ok) {
        throw new NotSupportedError(
          `Cannot run "${this.#opa} version": ${result.stderr.trim()}`,
        );
      }
      return result.stdout.split("\n")[0] ?? "";
    });
  }

  /**
   * Compiles `signature` with the libraries it uses. Tries OPA's v1 syntax,
   * then v0 (`--v0-compatible`), so both kinds of signature load.
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
    const syntaxes: RegoSyntax[] = V1_SYNTAX_REGEXP.test(signature.text)
      ? ["v1", "v0"]
      : ["v0", "v1"];
    const result = await this.#compileCached(
      [signature, ...libraries],
      entrypoints,
      syntaxes,
    );
    if (typeof result === "string") {
      throw new SignatureError(signature.path, result);
    }
    return { path: signature.path, entrypoints, ...result };
  }

  /**
   * Compiles signatures of one syntax together into one module, with every
   * signature's entrypoints, so that the sandbox parses each event once for
   * all of them. Returns `undefined` when they do not compile together (e.g.
   * two share a package); each still runs alone then.
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

  /** Compiles through the cache; returns OPA's first error when it fails. */
  async #compileCached(
    modules: readonly RegoModule[],
    entrypoints: readonly string[],
    syntaxes: readonly RegoSyntax[],
  ): Promise<CompiledWasm | string> {
    const version = await this.opaVersion();
    const key = await sha256Hex(
      [version, ...entrypoints, ...modules.map((m) => m.text)].join("\0"),
    );
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
      const wasm = await this.#build(
        modules,
        entrypoints,
        syntax === "v0" ? ["--v0-compatible"] : [],
      );
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
    modeFlags: readonly string[],
  ): Promise<Uint8Array | string> {
    const dir = await Deno.makeTempDir({ prefix: "vigil-opa-" });
    try {
      const bundle = `${dir}/bundle.tar.gz`;
      const result = await this.#run([
        "build",
        "-t",
        "wasm",
        ...modeFlags,
        ...entrypoints.flatMap((e) => ["-e", e]),
        "-o",
        bundle,
        ...modules.map((m) => m.path),
      ]);
      if (!result.ok) {
        return firstOpaError(`${result.stderr}\n${result.stdout}`);
      }
      return await extractPolicyWasm(await Deno.readFile(bundle));
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }

  async #run(
    args: string[],
  ): Promise<{ ok: boolean; stdout: string; stderr: string }> {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(this.#opa, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (error) {
      throw new NotSupportedError(
        `Cannot run OPA ("${this.#opa}"): ${
          describe(error)
        }; run tools/setup.sh or put opa 1.x on PATH`,
        { cause: error },
      );
    }
    const decoder = new TextDecoder();
    return {
      ok: output.success,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  }
}

/** The names of a signature's contract rules, as wasm entrypoints. */
function signatureEntrypoints(signature: RegoModule): string[] {
  const pkg = signature.packagePath.replaceAll(".", "/");
  return REGO_ENTRYPOINTS.map((rule) => `${pkg}/${rule}`);
}

function firstOpaError(stderr: string): string {
  const line = ERROR_LINE_REGEXP.exec(stderr)?.[1];
  return line ?? (stderr.trim().split("\n").pop() || "opa build failed");
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
