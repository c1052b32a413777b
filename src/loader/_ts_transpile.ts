/**
 * The TypeScript compiler proper, loaded only when a signature is not in the
 * compile cache: strips the types with sucrase, checks with acorn that the
 * code cannot load modules of its choosing, then turns `import` and `export`
 * into CommonJS. The check refuses `import()`, `import.meta`, calls of
 * `require`, re-exports, and any import except of the SDK's values from
 * `@vigil/sensor/sdk` (`import type` of anything is removed with the types);
 * the sandbox's `require` hands over the SDK and refuses everything else.
 * With code generation from strings disabled in the sandbox, that leaves a
 * signature no way to import files of its choosing.
 *
 * @module
 */

import { parse } from "acorn";
import { simple } from "acorn-walk";
import { transform } from "sucrase";
import { SDK_SPECIFIER } from "../sdk/_specifier.ts";
import { SignatureError } from "../errors.ts";
import { MAX_ERROR_LENGTH, printableAscii } from "./_printable.ts";

/**
 * Transpiles and checks the TypeScript signature `source`, read from `path`;
 * returns CommonJS JavaScript that assigns `exports.metadata`, ...
 *
 * @throws {SignatureError} When the source cannot be parsed, or it imports
 * anything other than types and the SDK.
 */
export function transpileSignature(source: string, path: string): string {
  const code = compile(source, path, "typescript");
  const refusals = importRefusals(parseModule(code, path));
  if (refusals.length > 0) throw new SignatureError(path, refusals[0]!);
  return compile(code, path, "imports");
}

/** `source` with sucrase's transform `kind`: types stripped, or ES modules made CommonJS. */
function compile(
  source: string,
  path: string,
  kind: "typescript" | "imports",
): string {
  try {
    return transform(source, {
      transforms: [kind],
      filePath: path,
      disableESTransforms: true,
    }).code;
  } catch (error) {
    throw new SignatureError(path, errorText(error), { cause: error });
  }
}

function parseModule(code: string, path: string): ReturnType<typeof parse> {
  try {
    return parse(code, {
      ecmaVersion: "latest",
      sourceType: "module",
      locations: true,
    });
  } catch (error) {
    throw new SignatureError(path, errorText(error), { cause: error });
  }
}

/** What in the module `tree` could load a module other than the SDK. */
function importRefusals(tree: ReturnType<typeof parse>): string[] {
  const refusals: string[] = [];
  const refuse = (line: number | undefined, what: string) =>
    refusals.push(`line ${line ?? "?"}: ${what}`);
  simple(tree, {
    ImportExpression(node) {
      refuse(node.loc?.start.line, "import() is not allowed in signatures");
    },
    MetaProperty(node) {
      if (node.meta.name === "import") {
        refuse(
          node.loc?.start.line,
          "import.meta is not allowed in signatures",
        );
      }
    },
    ImportDeclaration(node) {
      if (node.source.value !== SDK_SPECIFIER || node.attributes.length > 0) {
        refuse(
          node.loc?.start.line,
          `import of "${node.source.value}" is not allowed (only import type, and values from "${SDK_SPECIFIER}")`,
        );
      }
    },
    ExportAllDeclaration(node) {
      refuse(node.loc?.start.line, "export from is not allowed in signatures");
    },
    ExportNamedDeclaration(node) {
      if (node.source) {
        refuse(
          node.loc?.start.line,
          "export from is not allowed in signatures",
        );
      }
    },
    CallExpression(node) {
      if (node.callee.type === "Identifier" && node.callee.name === "require") {
        refuse(
          node.loc?.start.line,
          `require() is not allowed in signatures (import values from "${SDK_SPECIFIER}")`,
        );
      }
    },
  });
  return refusals;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return printableAscii(text.split("\n")[0]!, MAX_ERROR_LENGTH);
}
