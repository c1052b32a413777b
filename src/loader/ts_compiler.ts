/**
 * Prepares a TypeScript signature for its sandbox: transpiled to CommonJS and
 * checked so that it cannot load modules (see `_ts_transpile.ts`), through a
 * cache keyed by a hash of the source and of the compiler, as compiled Rego
 * is. A warm start therefore never loads the compiler: sucrase and acorn
 * would cost the sensor about 10 MiB of memory for as long as it runs.
 *
 * Each cache entry starts with a hash of the code it holds; an entry that
 * does not match (a torn or damaged file) is compiled again. Like the Rego
 * cache, the cache directory is trusted: whoever can write to it could also
 * replace what the sandbox runs.
 *
 * @module
 */

import { sha256Hex, writeCacheEntry } from "./_cache.ts";
import { readSource } from "./_source.ts";

/** A TypeScript signature ready to run in a sandbox. */
export interface CompiledTypeScript {
  path: string;
  /** CommonJS JavaScript that assigns `exports.metadata`, ... */
  code: string;
  /** Whether the code came from the cache. */
  cached: boolean;
  /** The TypeScript source it was compiled from. */
  source: string;
}

/** Options of {@linkcode compileTypeScript}. */
export interface TypeScriptCompileOptions {
  /** Directory for compiled code; without it, nothing is cached. */
  cacheDir?: string;
  /** The source to compile instead of what the file holds now. */
  source?: string;
}

const TRANSPILER = new URL("./_ts_transpile.ts", import.meta.url);
const DENO_CONFIG = new URL("../../deno.json", import.meta.url);
const CHECKSUM_PREFIX = "// sha256 ";

let compilerHash: Promise<string> | undefined;

/** A hash of the compiler: its module and the packages deno.json pins. */
function hashCompiler(): Promise<string> {
  return compilerHash ??= (async () => {
    const config = JSON.parse(await Deno.readTextFile(DENO_CONFIG)) as {
      imports?: Record<string, string>;
    };
    const imports = config.imports ?? {};
    const packages = ["sucrase", "acorn", "acorn-walk"].map((name) =>
      imports[name]
    );
    return await sha256Hex(
      [await Deno.readTextFile(TRANSPILER), ...packages].join("\0"),
    );
  })();
}

/**
 * Transpiles and checks a TypeScript signature file, or takes it from the
 * cache.
 *
 * @throws {SignatureError} When the file cannot be read, is over
 * `MAX_SOURCE_BYTES`, cannot be parsed, or imports anything other than types.
 */
export async function compileTypeScript(
  path: string,
  options: TypeScriptCompileOptions = {},
): Promise<CompiledTypeScript> {
  const source = options.source ?? await readSource(path);
  const { cacheDir } = options;
  const cachePath = cacheDir === undefined
    ? undefined
    : `${cacheDir}/${await sha256Hex(
      `${await hashCompiler()}\0${source}`,
    )}.ts.js`;
  if (cachePath !== undefined) {
    const code = await readEntry(cachePath);
    if (code !== undefined) return { path, code, cached: true, source };
  }
  const { transpileSignature } = await import("./_ts_transpile.ts");
  const code = transpileSignature(source, path);
  if (cachePath !== undefined) await writeEntry(cachePath, code);
  return { path, code, cached: false, source };
}

/** The code of a cache entry, or `undefined` if absent or damaged. */
async function readEntry(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  const newline = text.indexOf("\n");
  if (!text.startsWith(CHECKSUM_PREFIX) || newline < 0) return undefined;
  const code = text.slice(newline + 1);
  const checksum = text.slice(CHECKSUM_PREFIX.length, newline);
  return checksum === await sha256Hex(code) ? code : undefined;
}

async function writeEntry(path: string, code: string): Promise<void> {
  await writeCacheEntry(
    path,
    `${CHECKSUM_PREFIX}${await sha256Hex(code)}\n${code}`,
  );
}
