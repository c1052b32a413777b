/**
 * Compiles Rego signatures to WebAssembly with `opa build -t wasm`, caching
 * each result under a hash of everything that went into it, so that a second
 * start compiles nothing.
 *
 * @module
 */

import { parseTar } from "nanotar";
import { describe, NotSupportedError, SignatureError } from "../errors.ts";
import type { RegoModule } from "./discover.ts";

/** The rules of the Tracee contract, compiled as wasm entrypoints. */
export const REGO_ENTRYPOINTS = [
  "__rego_metadoc__",
  "tracee_selected_events",
  "tracee_match",
] as const;

/** A signature compiled to WebAssembly. */
export interface CompiledRego {
  path: string;
  wasm: Uint8Array;
  /** Entrypoint names, in `REGO_ENTRYPOINTS` order. */
  entrypoints: string[];
  /** Whether this compile came from the cache. */
  cached: boolean;
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
    const version = await this.opaVersion();
    const pkg = signature.packagePath.replaceAll(".", "/");
    const entrypoints = REGO_ENTRYPOINTS.map((rule) => `${pkg}/${rule}`);
    const modules = [signature, ...libraries];
    const key = await sha256Hex(
      [version, ...entrypoints, ...modules.map((m) => m.text)].join("\0"),
    );
    const cachePath = `${this.#cacheDir}/${key}.wasm`;
    try {
      const wasm = await Deno.readFile(cachePath);
      return { path: signature.path, wasm, entrypoints, cached: true };
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }

    const looksV1 = V1_SYNTAX_REGEXP.test(signature.text);
    const modes = looksV1
      ? [[], ["--v0-compatible"]]
      : [["--v0-compatible"], []];
    let firstError = "";
    for (const modeFlags of modes) {
      const wasm = await this.#build(modules, entrypoints, modeFlags);
      if (wasm instanceof Uint8Array) {
        await Deno.mkdir(this.#cacheDir, { recursive: true });
        const temp = `${cachePath}.${crypto.randomUUID()}.tmp`;
        await Deno.writeFile(temp, wasm);
        await Deno.rename(temp, cachePath);
        return { path: signature.path, wasm, entrypoints, cached: false };
      }
      firstError ||= wasm;
    }
    throw new SignatureError(signature.path, firstError);
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

function firstOpaError(stderr: string): string {
  const line = ERROR_LINE_REGEXP.exec(stderr)?.[1];
  return line ?? (stderr.trim().split("\n").pop() || "opa build failed");
}

async function extractPolicyWasm(bundle: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bundle as BlobPart]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  const tar = new Uint8Array(await new Response(stream).arrayBuffer());
  const entry = parseTar(tar).find((file) => file.name.endsWith("policy.wasm"));
  if (!entry?.data) throw new Error("opa build wrote no policy.wasm");
  return entry.data;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}
