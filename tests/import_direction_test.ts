/**
 * The layering of `src/` and `ffi/`, checked: every import (static, `import
 * type`, `export … from`, and `import("…")` of a literal) points down the
 * layers below, never up; and a file imports another folder through its
 * `mod.ts`. The layers, lowest first, are also in the README ("How it
 * works") and DESIGN.md ("The shape of the code").
 */

import assert from "node:assert/strict";

/** Path prefixes by layer, lowest first: a file may import its own layer or lower ones. */
const LAYERS: readonly (readonly string[])[] = [
  ["ffi/"],
  ["src/errors.ts"],
  ["src/metrics/"],
  ["src/event/"],
  ["src/sources/"],
  ["src/sdk/"],
  ["src/model/"],
  ["src/sandbox/"],
  ["src/loader/"],
  ["src/output/"],
  ["src/fleet/"],
  ["src/engine/"],
  ["src/log.ts", "src/cli/"],
];

/**
 * Folders whose files may still reach into another folder's files: their
 * owners restructure them (issue 16 §3, §6).
 */
const DEEP_IMPORTERS: readonly string[] = ["src/sandbox/", "src/sdk/"];

/**
 * Folders whose `mod.ts` is what signatures import (`@vigil/sensor/sdk`),
 * not the host's surface: the host reaches their other files directly.
 */
const SIGNATURE_FACING: readonly string[] = ["src/sdk/"];

const ROOT = new URL("../", import.meta.url).pathname;

/**
 * `text` with its comments and template literals blanked (so that an import
 * in a doc example or in code shipped as text does not count), its quoted
 * strings kept.
 */
function code(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const end = blankUntil(text, i);
    if (end === undefined) {
      const next = text[i] === '"' || text[i] === "'"
        ? closing(text, i, text[i]!)
        : i + 1;
      out += text.slice(i, next);
      i = next;
    } else {
      out += text.slice(i, end).replace(/[^\n]/g, " ");
      i = end;
    }
  }
  return out;
}

/** Where the comment or template literal starting at `i` ends, if one does. */
function blankUntil(text: string, i: number): number | undefined {
  const found = (index: number, length: number) =>
    index < 0 ? text.length : index + length;
  if (text.startsWith("//", i)) return found(text.indexOf("\n", i), 0);
  if (text.startsWith("/*", i)) return found(text.indexOf("*/", i + 2), 2);
  if (text[i] === "`") return closing(text, i, "`");
  return undefined;
}

/** The index after the quote that closes the string opened at `start`. */
function closing(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === quote) return i + 1;
  }
  return text.length;
}

const SPECIFIER_REGEXPS = [
  /\b(?:import|export)\s+(?:type\s+)?[\w*{}\s,$]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\s*\(\s*["']([^"']+)["']\s*[,)]/g,
];

/** The relative specifiers `text` imports, in no particular order. */
export function importSpecifiers(text: string): string[] {
  const source = code(text);
  return SPECIFIER_REGEXPS.flatMap((regexp) =>
    [...source.matchAll(regexp)].map((match) => match[1]!)
  ).filter((specifier) => specifier.startsWith("."));
}

/** The paths of the `.ts` files under `dir`, at any depth. */
async function* typeScriptFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && !entry.name.startsWith(".")) {
      yield* typeScriptFiles(path);
    } else if (entry.isFile && entry.name.endsWith(".ts")) yield path;
  }
}

function layerOf(path: string): number {
  return LAYERS.findIndex((prefixes) =>
    prefixes.some((prefix) => path.startsWith(prefix))
  );
}

function resolve(from: string, specifier: string): string {
  return new URL(specifier, `file:///${from}`).pathname.slice(1);
}

/**
 * The outermost folder holding `target` but not `importer` that has a
 * `mod.ts`: the folder `importer` must enter through a `mod.ts`.
 */
function enclosingModule(
  files: ReadonlyMap<string, string>,
  importer: string,
  target: string,
): string | undefined {
  const parts = target.split("/").slice(0, -1);
  for (let depth = 1; depth <= parts.length; depth++) {
    const folder = `${parts.slice(0, depth).join("/")}/`;
    if (!importer.startsWith(folder) && files.has(`${folder}mod.ts`)) {
      return folder;
    }
  }
  return undefined;
}

/**
 * What is wrong with the imports of `files` (path relative to the project
 * root → text), one line each.
 */
export function importProblems(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, text] of files) {
    const layer = layerOf(path);
    if (layer < 0) {
      problems.push(`${path} is in no layer: add it to LAYERS`);
      continue;
    }
    for (const specifier of importSpecifiers(text)) {
      const target = resolve(path, specifier);
      const targetLayer = layerOf(target);
      if (targetLayer > layer) {
        problems.push(
          `${path} imports ${target}, a layer above it (${LAYERS[layer]} < ${
            LAYERS[targetLayer]
          })`,
        );
      }
      const folder = enclosingModule(files, path, target);
      if (
        folder !== undefined && !target.endsWith("/mod.ts") &&
        !DEEP_IMPORTERS.some((prefix) => path.startsWith(prefix)) &&
        !SIGNATURE_FACING.includes(folder)
      ) {
        problems.push(`${path} imports ${target}, past ${folder}mod.ts`);
      }
    }
  }
  return problems;
}

Deno.test("no file of src/ or ffi/ imports a layer above its own, and other folders through their mod.ts", async () => {
  const files = new Map<string, string>();
  for (const dir of ["src", "ffi"]) {
    for await (const path of typeScriptFiles(`${ROOT}${dir}`)) {
      files.set(path.slice(ROOT.length), await Deno.readTextFile(path));
    }
  }
  assert.ok(files.size > 50, `only ${files.size} files found`);
  assert.deepEqual(importProblems(files), []);
});

Deno.test("importProblems() finds imports up the layers (static, type-only, dynamic, re-exports) and past a mod.ts, not those in comments or code as text", () => {
  const files = new Map([
    ["src/event/mod.ts", 'export * from "./event.ts";'],
    ["src/event/event.ts", 'import type { Engine } from "../engine/mod.ts";'],
    ["src/engine/mod.ts", 'export * from "./engine.ts";'],
    [
      "src/engine/engine.ts",
      'import { Origin } from "../event/event.ts";\n' +
      'const { Engine } = await import("../cli/main.ts");',
    ],
    [
      "src/output/table.ts",
      '// import "../cli/main.ts";\nconst t = `import("../cli/x.ts")`;',
    ],
    [
      "src/output/output.ts",
      'const url = "http://x/*";\nexport { main } from "../cli/mod.ts";',
    ],
    ["src/sources/mod.ts", 'export type * from "./kernel/mod.ts";'],
    ["src/sources/kernel/mod.ts", 'export * from "./decoder.ts";'],
    [
      "src/cli/main.ts",
      'import { a } from "../sources/kernel/mod.ts";\n' +
      'import { b } from "../sources/kernel/decoder.ts";',
    ],
    ["src/new/thing.ts", "export const x = 1;"],
  ]);
  assert.deepEqual(importProblems(files).sort(), [
    "src/cli/main.ts imports src/sources/kernel/decoder.ts, past src/sources/mod.ts",
    "src/engine/engine.ts imports src/cli/main.ts, a layer above it (src/engine/ < src/log.ts,src/cli/)",
    "src/engine/engine.ts imports src/event/event.ts, past src/event/mod.ts",
    "src/event/event.ts imports src/engine/mod.ts, a layer above it (src/event/ < src/engine/)",
    "src/new/thing.ts is in no layer: add it to LAYERS",
    "src/output/output.ts imports src/cli/mod.ts, a layer above it (src/output/ < src/log.ts,src/cli/)",
  ]);
});
