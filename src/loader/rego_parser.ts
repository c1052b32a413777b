/**
 * Reads what a Rego module declares from OPA's own parse of it (`opa parse
 * --format json`), never from its text: its package, the rules it defines,
 * whether it imports `rego.v1`, and the `data` paths it refers to. Each
 * summary is cached under a hash of OPA's version and the module's text.
 *
 * @module
 */

import { SignatureError } from "../errors.ts";
import { firstOpaError, type Opa } from "./_opa.ts";
import { MAX_ERROR_LENGTH, printableAscii } from "./_printable.ts";
import { sha256Hex, writeCacheEntry } from "./_cache.ts";

/** OPA's two Rego syntaxes: v1 (OPA 1.x default) and v0 (`--v0-compatible`). */
export type RegoSyntax = "v0" | "v1";

/** What a Rego module declares, as OPA parsed it. */
export interface RegoSummary {
  /** The package path without `data`, e.g. `["tracee", "helpers"]`. */
  packagePath: string[];
  /** The syntax the module parsed in. */
  syntax: RegoSyntax;
  /** Whether it imports `rego.v1` (it then reads the same in both syntaxes). */
  importsRegoV1: boolean;
  /** The first name of each rule's head, e.g. `tracee_match`, once each. */
  rules: string[];
  /**
   * Each `data` reference, in imports and rules, up to its first part that
   * is not a constant string: `data.tracee.helpers.f(x)` gives
   * `["tracee", "helpers", "f"]`, `data[x]` gives `[]`.
   */
  dataRefs: string[][];
  /**
   * The members of `input` it reads (`input.args`, `input["args"]`), once
   * each; `null` when it reads `input` otherwise (whole, as in `x := input`
   * or `f(input)`, or by a member not known statically, `input[x]`).
   */
  inputFields: string[] | null;
}

/** A Rego module read from a signature directory. */
export interface RegoModule extends RegoSummary {
  path: string;
  text: string;
  /** The SHA-256 of `text`. */
  hash: string;
  /** The signature directory it was found under, as given. */
  root: string;
}

/** Options of {@linkcode parseRegoModule}. */
export interface ParseOptions {
  opa: Opa;
  /** Where summaries are cached. */
  cacheDir: string;
}

/** A hint only, for which syntax to try first: both are tried. */
const V1_HINT_REGEXP =
  /^[ \t]*import[ \t]+rego\.v1\b|\bif[ \t]*\{|\bcontains\b/m;

/**
 * Parses the module `text`, read from `path` under the signature directory
 * `root`, in OPA's v1 or v0 syntax.
 *
 * @throws {SignatureError} When it parses in neither; the message carries
 * OPA's error with its line.
 */
export async function parseRegoModule(
  file: { path: string; text: string; root: string },
  options: ParseOptions,
): Promise<RegoModule> {
  const hash = await sha256Hex(file.text);
  const version = await options.opa.version();
  const cachePath = `${options.cacheDir}/${await sha256Hex(
    `${version}\0parse-input\0${hash}`,
  )}.parse.json`;
  const module = (summary: RegoSummary): RegoModule => ({
    ...file,
    hash,
    ...summary,
  });
  try {
    return module(JSON.parse(await Deno.readTextFile(cachePath)));
  } catch (error) {
    // A missing or damaged entry is parsed again.
    if (
      !(error instanceof Deno.errors.NotFound || error instanceof SyntaxError)
    ) {
      throw error;
    }
  }
  const syntaxes: RegoSyntax[] = V1_HINT_REGEXP.test(file.text)
    ? ["v1", "v0"]
    : ["v0", "v1"];
  let firstError = "";
  for (const syntax of syntaxes) {
    const output = await options.opa.runOn([file], ([copy]) => [
      "parse",
      "--format",
      "json",
      "--json-include",
      "-comments,-locations",
      ...(syntax === "v0" ? ["--v0-compatible"] : []),
      copy!,
    ]);
    if (output.ok) {
      const summary = summarize(JSON.parse(output.stdout), syntax);
      await writeCacheEntry(cachePath, JSON.stringify(summary));
      return module(summary);
    }
    firstError ||= parseError(file.path, output);
  }
  throw new SignatureError(file.path, firstError);
}

interface Term {
  type: string;
  value: unknown;
}

interface ParsedModule {
  package: { path: Term[] };
  imports?: { path: Term }[];
  rules?: { head: { name?: string; ref?: Term[] } }[];
}

function isTerm(value: unknown): value is Term {
  return typeof value === "object" && value !== null &&
    typeof (value as Term).type === "string";
}

function isVar(term: unknown, name: string): boolean {
  return isTerm(term) && term.type === "var" && term.value === name;
}

/** The constant strings of `terms`, from the first up to any other term. */
function stringPrefix(terms: readonly unknown[]): string[] {
  const prefix: string[] = [];
  for (const term of terms) {
    if (!isTerm(term) || term.type !== "string") break;
    prefix.push(String(term.value));
  }
  return prefix;
}

/** The summary of OPA's parse; walks the tree without recursion. */
function summarize(ast: ParsedModule, syntax: RegoSyntax): RegoSummary {
  const imports = ast.imports ?? [];
  const rules = ast.rules ?? [];
  const dataRefs = new Map<string, string[]>();
  let inputFields: Set<string> | null = new Set();
  const pending: unknown[] = [imports, rules];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) { for (const item of node) pending.push(item); }
    else if (typeof node !== "object" || node === null) continue;
    else if (isVar(node, "data")) dataRefs.set("", []);
    else if (isVar(node, "input")) inputFields = null;
    else if (
      isTerm(node) && node.type === "ref" && Array.isArray(node.value) &&
      isVar(node.value[0], "input")
    ) {
      const field = stringPrefix(node.value.slice(1, 2))[0];
      if (field === undefined) inputFields = null;
      else inputFields?.add(field);
      pending.push(node.value.slice(1));
    } else if (
      isTerm(node) && node.type === "ref" && Array.isArray(node.value) &&
      isVar(node.value[0], "data")
    ) {
      const prefix = stringPrefix(node.value.slice(1));
      dataRefs.set(prefix.join("\0"), prefix);
      pending.push(node.value.slice(1));
    } else for (const value of Object.values(node)) pending.push(value);
  }
  const names = rules.map((rule) => {
    const first = rule.head.ref?.[0];
    return isTerm(first) ? String(first.value) : rule.head.name ?? "";
  });
  return {
    packagePath: ast.package.path.slice(1).map((term) => String(term.value)),
    syntax,
    importsRegoV1: imports.some((imported) =>
      Array.isArray(imported.path.value) &&
      imported.path.value.length === 2 &&
      isVar(imported.path.value[0], "rego") &&
      stringPrefix(imported.path.value.slice(1))[0] === "v1"
    ),
    rules: [...new Set(names)],
    dataRefs: [...dataRefs.values()],
    inputFields: inputFields && [...inputFields],
  };
}

/** OPA's first parse error as `path:line: code: message`. */
function parseError(
  path: string,
  output: { stdout: string; stderr: string; ok: boolean },
): string {
  try {
    const { errors } = JSON.parse(output.stderr || output.stdout) as {
      errors?: {
        message?: string;
        code?: string;
        location?: { row?: number };
      }[];
    };
    const first = errors?.[0];
    if (first?.message) {
      const line = first.location?.row ?? "?";
      return printableAscii(
        `${path}:${line}: ${first.code ?? "rego_parse_error"}: ${
          first.message.split("\n")[0]
        }`,
        MAX_ERROR_LENGTH,
      );
    }
  } catch {
    // Not JSON: OPA's plain text.
  }
  return firstOpaError(output);
}
