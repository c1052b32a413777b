/**
 * Finds signature files in the signature directories and sorts Rego modules
 * into signatures (they define the Tracee contract rules) and libraries
 * (every other module, compiled along with the signatures that use them).
 *
 * @module
 */

import { describe, SignatureError } from "../errors.ts";

/** A Rego module read from a signature directory. */
export interface RegoModule {
  path: string;
  text: string;
  /** The package path, e.g. `tracee.helpers`. */
  packagePath: string;
}

/** A signature file, Rego or TypeScript. */
export type SignatureFile =
  | { kind: "rego"; path: string; module: RegoModule }
  | { kind: "typescript"; path: string };

/** What the signature directories hold. */
export interface SignatureFiles {
  /** Signatures in load order: directories as given, then by file name. */
  signatures: SignatureFile[];
  /** Rego modules without the contract: libraries such as `tracee.helpers`. */
  regoLibraries: RegoModule[];
  /** One error per file or directory that could not be read or classified. */
  errors: SignatureError[];
}

const CONTRACT_RULES = [
  "__rego_metadoc__",
  "tracee_selected_events",
  "tracee_match",
] as const;

const PACKAGE_REGEXP = /^[ \t]*package[ \t]+([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/m;
const COMMENT_REGEXP = /#.*$/gm;

function ruleDefined(text: string, rule: string): boolean {
  return new RegExp(`^[ \\t]*${rule}\\b(?![ \\t]*\\()`, "m").test(text);
}

async function walk(dir: string, found: string[]): Promise<void> {
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await walk(path, found);
    else if (entry.isFile) found.push(path);
  }
}

function isRegoSource(path: string): boolean {
  return path.endsWith(".rego") && !path.endsWith("_test.rego");
}

function isTypeScriptSignature(path: string): boolean {
  return path.endsWith(".ts") && !path.endsWith("_test.ts") &&
    !path.endsWith(".d.ts");
}

/**
 * Reads the signature directories, recursively, in the order given; files in
 * each directory in name order. `*_test.rego` and `*_test.ts` are skipped.
 * Problems are collected in `errors`, never thrown, so that one bad file or
 * directory does not stop the others.
 */
export async function discoverSignatures(
  dirs: readonly string[],
): Promise<SignatureFiles> {
  const result: SignatureFiles = {
    signatures: [],
    regoLibraries: [],
    errors: [],
  };
  for (const dir of dirs) {
    const files: string[] = [];
    try {
      await walk(dir.replace(/\/+$/, ""), files);
    } catch (error) {
      result.errors.push(
        new SignatureError(dir, `cannot read directory: ${describe(error)}`, {
          cause: error,
        }),
      );
      continue;
    }
    for (const path of files) {
      if (isTypeScriptSignature(path)) {
        result.signatures.push({ kind: "typescript", path });
      }
      if (!isRegoSource(path)) continue;
      try {
        const module = await readRegoModule(path);
        const text = module.text.replace(COMMENT_REGEXP, "");
        const defined = CONTRACT_RULES.filter((rule) =>
          ruleDefined(text, rule)
        );
        if (defined.length === 0) result.regoLibraries.push(module);
        else if (defined.length === CONTRACT_RULES.length) {
          result.signatures.push({ kind: "rego", path, module });
        } else {
          const missing = CONTRACT_RULES.filter((r) => !defined.includes(r));
          throw new SignatureError(
            path,
            `it defines ${defined.join(" and ")} but not ${
              missing.join(" or ")
            }`,
          );
        }
      } catch (error) {
        result.errors.push(
          error instanceof SignatureError
            ? error
            : new SignatureError(path, describe(error), { cause: error }),
        );
      }
    }
  }
  return result;
}

async function readRegoModule(path: string): Promise<RegoModule> {
  const text = await Deno.readTextFile(path);
  const match = PACKAGE_REGEXP.exec(text.replace(COMMENT_REGEXP, ""));
  if (!match?.[1]) {
    throw new SignatureError(path, "it has no package declaration");
  }
  return { path, text, packagePath: match[1] };
}

/**
 * The libraries a module uses, directly or through other libraries: those
 * whose package it names as `data.<package>`.
 */
export function librariesUsedBy(
  module: RegoModule,
  libraries: readonly RegoModule[],
): RegoModule[] {
  const used = new Set<RegoModule>();
  const pending = [module];
  while (pending.length > 0) {
    const text = pending.pop()!.text.replace(COMMENT_REGEXP, "");
    for (const library of libraries) {
      if (used.has(library)) continue;
      const name = library.packagePath.replaceAll(".", "\\.");
      if (new RegExp(`\\bdata\\.${name}\\b`).test(text)) {
        used.add(library);
        pending.push(library);
      }
    }
  }
  return libraries.filter((library) => used.has(library));
}
