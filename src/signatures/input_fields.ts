/**
 * Which top-level fields of `input` a set of Rego modules can read, found in
 * their text. Parsing an event is most of what a Rego signature costs, and a
 * Tracee event has about thirty fields of which signatures read a handful:
 * the sandbox gives a bundle only the fields its modules name.
 *
 * The scan is conservative: any use of `input` other than `input.<name>` or
 * `input["<name>"]` (a bare `input`, `input[x]`) means every field.
 *
 * @module
 */

import type { RegoModule } from "./discover.ts";

const STRING_OR_COMMENT_REGEXP = /"(?:[^"\\]|\\.)*"|`[^`]*`|#.*$/gm;
const INPUT_REGEXP = /(?<![\w.])input\b/g;
const FIELD_REGEXP = /^\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*"([^"\\]+)"\s*\])/;

/**
 * The top-level input fields `modules` read, sorted; `null` when they may
 * read any.
 */
export function inputFields(modules: readonly RegoModule[]): string[] | null {
  const fields = new Set<string>();
  for (const module of modules) {
    // Keep string literals that index input (`input["x"]`), blank the others.
    const text = module.text.replace(
      STRING_OR_COMMENT_REGEXP,
      (match, offset: number, whole: string) =>
        match.startsWith('"') &&
          /input\s*\[\s*$/.test(whole.slice(Math.max(0, offset - 16), offset))
          ? match
          : " ".repeat(match.length),
    );
    for (const match of text.matchAll(INPUT_REGEXP)) {
      const field = FIELD_REGEXP.exec(
        text.slice(match.index + match[0].length),
      );
      const name = field?.[1] ?? field?.[2];
      if (name === undefined) return null;
      fields.add(name);
    }
  }
  return [...fields].sort();
}
