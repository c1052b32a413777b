/**
 * Text made safe to print on one line of a terminal or a log: what a hostile
 * signature or input file controls (finding data, names, console output,
 * event fields) can neither end the line (forging another table row or a
 * `vigil wrn:` line), nor move the cursor or recolour the screen (ANSI
 * escape sequences), nor reorder what is shown (bidirectional overrides).
 *
 * @module
 */

/**
 * C0 controls (newline, carriage return, escape, ...), DEL, C1 controls
 * (including the one-byte CSI, U+009B), the line and paragraph separators,
 * and the bidirectional marks, embeddings, overrides and isolates.
 */
const UNPRINTABLE_REGEXP =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE_ALL_REGEXP = new RegExp(UNPRINTABLE_REGEXP.source, "g");

const SHORT_ESCAPES: Record<string, string> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function escapeCharacter(char: string): string {
  return SHORT_ESCAPES[char] ??
    `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every character that could break or disguise a printed line
 * written as an escape: `\n`, `\r`, `\t`, or `\uXXXX`. Other text, Unicode
 * included, is unchanged.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { printable } from "./printable.ts";
 *
 * assert.equal(printable("a\nvigil wrn: b\u001b[2J"), "a\\nvigil wrn: b\\u001b[2J");
 * ```
 */
export function printable(text: string): string {
  return UNPRINTABLE_REGEXP.test(text)
    ? text.replace(UNPRINTABLE_ALL_REGEXP, escapeCharacter)
    : text;
}
