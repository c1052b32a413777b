/**
 * Finds the signature files in the signature directories, reads and parses
 * the Rego modules, and sorts them into signatures and libraries (see
 * `namespaces.ts`).
 *
 * @module
 */

import { describe, SignatureError } from "../errors.ts";
import type { Opa } from "./_opa.ts";
import { mapLimit } from "./_map_limit.ts";
import { CONTROL_OR_FORMAT_REGEXP, printableAscii } from "./_printable.ts";
import { readSource } from "./_source.ts";
import { assignNamespaces, type RegoSignature } from "./namespaces.ts";
import { parseRegoModule, type RegoModule } from "./rego_parser.ts";

/** The helper library every Rego signature can import, `data.tracee.helpers`. */
export const BUILTIN_HELPERS =
  new URL("../../signatures/lib/helpers.rego", import.meta.url).pathname;

/** A signature file, Rego or TypeScript. */
export type SignatureFile =
  | ({ kind: "rego"; path: string } & RegoSignature)
  | { kind: "typescript"; path: string };

/** What the signature directories hold. */
export interface SignatureFiles {
  /** Signatures in load order: directories as given, then by file name. */
  signatures: SignatureFile[];
  /** One error per file or directory that could not be read or classified. */
  errors: SignatureError[];
}

/** Options of {@linkcode discoverSignatures}. */
export interface DiscoverOptions {
  opa: Opa;
  /** Where parses are cached. */
  cacheDir: string;
  /**
   * Texts to use instead of what some files hold now, by path: a reload
   * runs a file's previous version when its new one does not load.
   */
  pinned?: ReadonlyMap<string, string>;
}

/**
 * The most signature source files (`.rego` and `.ts`) one run reads: with
 * `MAX_SOURCE_BYTES` each, what the host may hold of them is bounded.
 */
export const MAX_SOURCE_FILES = 512;

/**
 * Adds the source files under `dir` to `found`, in name order, until it
 * holds `MAX_SOURCE_FILES`; returns whether it stopped there with files left.
 */
async function walk(dir: string, found: string[]): Promise<boolean> {
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory || isSource(entry.name)) entries.push(entry);
  }
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) {
      if (await walk(path, found)) return true;
    } else if (entry.isFile) {
      if (found.length === MAX_SOURCE_FILES) return true;
      found.push(path);
    }
  }
  return false;
}

function isSource(path: string): boolean {
  return isRegoSource(path) || isTypeScriptSignature(path);
}

function isRegoSource(path: string): boolean {
  return path.endsWith(".rego") && !path.endsWith("_test.rego");
}

function isTypeScriptSignature(path: string): boolean {
  return path.endsWith(".ts") && !path.endsWith("_test.ts") &&
    !path.endsWith(".d.ts");
}

/** A source file and the signature directory it was found under. */
interface SourceFile {
  path: string;
  root: string;
}

/** The source files of `dirs`, at most `MAX_SOURCE_FILES` in all. */
async function listSources(
  dirs: readonly string[],
): Promise<{ files: SourceFile[]; errors: SignatureError[] }> {
  const errors: SignatureError[] = [];
  const files: SourceFile[] = [];
  const found: string[] = [];
  for (const dir of dirs) {
    const root = dir.replace(/\/+$/, "") || "/";
    const before = found.length;
    let full: boolean;
    try {
      full = await walk(root, found);
    } catch (error) {
      found.length = before;
      errors.push(
        new SignatureError(dir, `cannot read directory: ${describe(error)}`, {
          cause: error,
        }),
      );
      continue;
    }
    for (const path of found.slice(before)) {
      if (CONTROL_OR_FORMAT_REGEXP.test(path)) {
        errors.push(
          new SignatureError(
            printableAscii(path, 4096),
            "its path holds control or format characters",
          ),
        );
      } else files.push({ path, root });
    }
    if (full) {
      errors.push(
        new SignatureError(
          dir,
          `the signature directories hold more than ${MAX_SOURCE_FILES} source files; the rest are left out`,
        ),
      );
      break;
    }
  }
  return { files, errors };
}

/**
 * Reads the signature directories, recursively, in the order given; files in
 * each directory in name order. `*_test.rego` and `*_test.ts` are skipped.
 * Problems are collected in `errors`, never thrown, so that one bad file or
 * directory does not stop the others.
 */
export async function discoverSignatures(
  dirs: readonly string[],
  options: DiscoverOptions,
): Promise<SignatureFiles> {
  const { files, errors } = await listSources(dirs);
  const read = async (file: SourceFile) => {
    try {
      const text = options.pinned?.get(file.path) ??
        await readSource(file.path);
      return await parseRegoModule({ ...file, text }, options);
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
      return error;
    }
  };
  const rego = files.filter((file) => isRegoSource(file.path));
  const parsed = await mapLimit(rego, 2, read);
  const helpers = await read({ path: BUILTIN_HELPERS, root: BUILTIN_HELPERS });
  const modules: RegoModule[] = [];
  for (const result of [...parsed, helpers]) {
    if (result instanceof SignatureError) errors.push(result);
    else if (result !== helpers) modules.push(result);
  }
  const namespaces = assignNamespaces(
    modules,
    helpers instanceof SignatureError ? [] : [helpers],
  );
  errors.push(...namespaces.errors);
  const byPath = new Map(
    namespaces.signatures.map((s) => [s.module.path, s]),
  );
  const signatures: SignatureFile[] = [];
  for (const { path } of files) {
    const signature = byPath.get(path);
    if (signature) signatures.push({ kind: "rego", path, ...signature });
    else if (isTypeScriptSignature(path)) {
      signatures.push({ kind: "typescript", path });
    }
  }
  return { signatures, errors };
}
