/**
 * The TypeScript compiler proper, loaded only when a signature is not in the
 * compile cache: strips the types and turns `export`s into CommonJS with
 * sucrase, then checks with acorn that the code cannot load modules: no
 * `import()` and no `import.meta` (static imports became `require` calls,
 * which the sandbox refuses, except `import type`, which sucrase removes).
 * With code generation from strings disabled in the sandbox, that leaves a
 * signature no way to import files of its choosing.
 *
 * @module
 */

import { parse } from "acorn";
import { simple } from "acorn-walk";
import { transform } from "sucrase";
import { SignatureError } from "../errors.ts";
import { MAX_ERROR_LENGTH, printable } from "./_printable.ts";

/**
 * Transpiles and checks the TypeScript signature `source`, read from `path`;
 * returns CommonJS JavaScript that assigns `exports.metadata`, ...
 *
 * @throws {SignatureError} When the source cannot be parsed, or it imports
 * anything other than types.
 */
export function transpileSignature(source: string, path: string): string {
  let code: string;
  try {
    code = transform(source, {
      transforms: ["typescript", "imports"],
      filePath: path,
      disableESTransforms: true,
    }).code;
  } catch (error) {
    throw new SignatureError(path, errorText(error), { cause: error });
  }
  let tree;
  try {
    tree = parse(code, {
      ecmaVersion: "latest",
      sourceType: "module",
      locations: true,
    });
  } catch (error) {
    throw new SignatureError(path, errorText(error), { cause: error });
  }
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
      refuse(
        node.loc?.start.line,
        "imports other than import type are not allowed",
      );
    },
    CallExpression(node) {
      if (node.callee.type === "Identifier" && node.callee.name === "require") {
        const [first] = node.arguments;
        const name = first?.type === "Literal" ? String(first.value) : "?";
        refuse(
          node.loc?.start.line,
          `import of "${name}" is not allowed (only import type)`,
        );
      }
    },
  });
  if (refusals.length > 0) throw new SignatureError(path, refusals[0]!);
  return code;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return printable(text.split("\n")[0]!, MAX_ERROR_LENGTH);
}
