/**
 * Runs the `opa` executable for the parser and the compiler. OPA reads copies
 * of the modules written into a private directory, not the signature files
 * themselves: what it compiles is exactly the text Vigil read and checked,
 * even if a file changes in between.
 *
 * @module
 */

import { describe, NotSupportedError } from "../errors.ts";
import { writeCacheEntry } from "./_cache.ts";
import { MAX_ERROR_LENGTH, printableAscii } from "./_printable.ts";

/** A Rego module's text and the file it was read from. */
export interface ModuleText {
  path: string;
  text: string;
}

/** What one `opa` run printed. */
export interface OpaOutput {
  ok: boolean;
  stdout: string;
  stderr: string;
}

const ERROR_LINE_REGEXP = /(\S+\.rego:\d+: .*)$/m;

/** Options of {@linkcode Opa}. */
export interface OpaOptions {
  /**
   * How long one run of `opa` on modules may take before it is killed (a
   * hostile module must not stall loading).
   * @default {60000}
   */
  timeoutMs?: number;
  /**
   * Where the version of the OPA that filled the compile cache is kept:
   * written when `opa` runs, read when it cannot. A cache shipped compiled
   * (the Debian package's built-in signatures) then serves without OPA,
   * which only a signature missing from it needs.
   */
  versionFile?: string;
}

/** One `opa` executable. */
export class Opa {
  readonly #path: string;
  readonly #timeoutMs: number;
  readonly #versionFile: string | undefined;
  #version: Promise<string> | undefined;

  constructor(path: string, options: OpaOptions = {}) {
    this.#path = path;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#versionFile = options.versionFile;
  }

  /**
   * The version line of `opa version`; without a runnable `opa`, the one
   * recorded in `versionFile`.
   *
   * @throws {NotSupportedError} When `opa` cannot be run and no version is
   * recorded.
   */
  version(): Promise<string> {
    return this.#version ??= this.#readVersion();
  }

  async #readVersion(): Promise<string> {
    let failure: string;
    try {
      const result = await this.run(["version"]);
      if (result.ok) {
        const version = result.stdout.split("\n")[0] ?? "";
        await this.#recordVersion(version);
        return version;
      }
      failure = `Cannot run "${this.#path} version": ${result.stderr.trim()}`;
    } catch (error) {
      if (!(error instanceof NotSupportedError)) throw error;
      failure = error.message;
    }
    const recorded = this.#versionFile === undefined
      ? undefined
      : await Deno.readTextFile(this.#versionFile).catch(() => undefined);
    if (recorded === undefined || recorded === "") {
      throw new NotSupportedError(failure);
    }
    return recorded;
  }

  async #recordVersion(version: string): Promise<void> {
    if (this.#versionFile === undefined) return;
    const recorded = await Deno.readTextFile(this.#versionFile)
      .catch(() => undefined);
    if (recorded !== version) {
      await writeCacheEntry(this.#versionFile, version);
    }
  }

  /**
   * Runs `opa` with `args(files)`, where `files` are copies of `modules` in a
   * private directory; the copies' names in OPA's output are replaced by the
   * modules' paths. `collect` may read what OPA wrote into the directory
   * before it is removed.
   */
  async runOn(
    modules: readonly ModuleText[],
    args: (files: string[], dir: string) => string[],
    collect?: (dir: string) => Promise<void>,
  ): Promise<OpaOutput> {
    const dir = await Deno.makeTempDir({ prefix: "vigil-opa-" });
    try {
      const files = modules.map((_, i) => `${dir}/m${i}.rego`);
      await Promise.all(
        modules.map((m, i) => Deno.writeTextFile(files[i]!, m.text)),
      );
      const output = await this.run(args(files, dir), this.#timeoutMs);
      await collect?.(dir);
      const named = (text: string) =>
        files.reduceRight(
          (out, file, i) => out.replaceAll(file, modules[i]!.path),
          text,
        );
      return {
        ...output,
        stdout: named(output.stdout),
        stderr: named(output.stderr),
      };
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }

  /**
   * Runs `opa args...`, killed after `timeoutMs` if given.
   *
   * @throws {NotSupportedError} When `opa` cannot be started.
   */
  async run(args: string[], timeoutMs?: number): Promise<OpaOutput> {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(this.#path, {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      }).output();
    } catch (error) {
      throw new NotSupportedError(
        `Cannot run OPA ("${this.#path}"): ${
          describe(error)
        }; run tools/setup.sh or put opa 1.x on PATH`,
        { cause: error },
      );
    }
    const decoder = new TextDecoder();
    if (timeoutMs && output.signal === "SIGTERM") {
      return {
        ok: false,
        stdout: "",
        stderr: `opa ${args[0]} did not finish within ${timeoutMs} ms`,
      };
    }
    return {
      ok: output.success,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  }
}

/**
 * OPA's first error line (`file.rego:line: message`), else its last line,
 * escaped: OPA may quote the module's text.
 */
export function firstOpaError(output: OpaOutput): string {
  const text = `${output.stderr}\n${output.stdout}`;
  const line = ERROR_LINE_REGEXP.exec(text)?.[1];
  return printableAscii(
    line ?? (text.trim().split("\n").pop() || "opa failed"),
    MAX_ERROR_LENGTH,
  );
}
