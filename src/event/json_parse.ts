/**
 * Exact JSON parsing: integers beyond `Number.MAX_SAFE_INTEGER` become
 * `bigint`s, digit for digit, at any depth. Re-exported by `json.ts`.
 *
 * @module
 */

/**
 * Parses JSON text, turning integers beyond `Number.MAX_SAFE_INTEGER` into
 * `bigint`s so that they survive digit for digit. Any depth: no recursion
 * goes deeper than 256 levels.
 *
 * A reviver with source access would do this alone, but costs several times
 * the parse itself (it runs for every value) and recurses. Instead: a plain
 * `JSON.parse`, then the integer literals of 16 or more digits are found in
 * the text, in order, and matched with the large integral numbers of the
 * result, in the same order; an unsafe one takes its literal's exact value.
 * If the two lists do not match up exactly (e.g. integer-like keys reordered
 * an object, or a string holds such digits), or the value is nested deeper
 * than that walk goes (256 levels), the text, known to be valid, is read
 * again token by token, without recursion.
 *
 * @throws {SyntaxError} When the text is not JSON.
 */
export function parseJsonExact(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const literals = text.match(LARGE_INTEGER_REGEXP);
  if (literals === null) return value;
  const integers = new LargeIntegers(literals);
  const restored = integers.restore(value);
  return integers.matchedAll() ? restored : readJsonExactly(text);
}

/**
 * Runs of 16+ digits standing as whole values: after `:`, `[`, `,` or a
 * space, before `,`, `]`, `}` or a space. One inside a string can look the
 * same: then the literals and the numbers do not match up and the text is
 * read again, so a string can never change a number.
 */
const LARGE_INTEGER_REGEXP = /(?<=[:[, ])-?\d{16,}(?=[,\]} ])/g;

/** Deeper values are left to {@linkcode readJsonExactly}, which does not recurse. */
const MAX_RESTORE_DEPTH = 256;

function isLarge(item: unknown): item is number {
  return typeof item === "number" && Number.isInteger(item) &&
    Math.abs(item) >= 1e15;
}

/**
 * Gives a parsed value's large integers their literals' exact values, the
 * literals taken in text order; notes when they do not match up.
 */
class LargeIntegers {
  readonly #literals: readonly string[];
  #next = 0;
  #consistent = true;

  constructor(literals: readonly string[]) {
    this.#literals = literals;
  }

  /** `value` with its large integers exact (objects are changed in place). */
  restore(value: unknown): unknown {
    if (isLarge(value)) return this.#exact(value);
    if (typeof value === "object" && value !== null) this.#visit(value, 0);
    return value;
  }

  /** Whether every large integer had its literal, and every literal a number. */
  matchedAll(): boolean {
    return this.#consistent && this.#next === this.#literals.length;
  }

  #exact(item: number): number | bigint {
    const literal = this.#literals[this.#next++];
    if (literal === undefined || Number(literal) !== item) {
      this.#consistent = false;
      return item;
    }
    return Number.isSafeInteger(item) ? item : BigInt(literal);
  }

  /** Depth first, members in order; recursive only so deep. */
  #visit(item: object, depth: number): void {
    if (depth > MAX_RESTORE_DEPTH) {
      this.#consistent = false;
      return;
    }
    if (Array.isArray(item)) {
      for (let i = 0; this.#consistent && i < item.length; i++) {
        const element = item[i];
        if (typeof element === "object" && element !== null) {
          this.#visit(element, depth + 1);
        } else if (isLarge(element)) item[i] = this.#exact(element);
      }
      return;
    }
    const members = item as Record<string, unknown>;
    for (const key in members) {
      const member = members[key];
      if (typeof member === "object" && member !== null) {
        this.#visit(member, depth + 1);
      } else if (isLarge(member)) members[key] = this.#exact(member);
      if (!this.#consistent) return;
    }
  }
}

const NUMBER_REGEXP = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Reads text already known to be JSON (`JSON.parse` took it) token by token,
 * without recursion, integers beyond 2^53 as `bigint`s.
 */
function readJsonExactly(text: string): unknown {
  const builder = new ValueBuilder();
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (char === "{" || char === "[") {
      builder.open(char === "{" ? {} : []);
      at++;
    } else if (char === "}" || char === "]") {
      builder.close();
      at++;
    } else if (char === '"') {
      const end = closingQuote(text, at);
      builder.string(JSON.parse(text.slice(at, end + 1)) as string);
      at = end + 1;
    } else if (char === "t" || char === "f" || char === "n") {
      builder.put(char === "t" ? true : char === "f" ? false : null);
      at += char === "f" ? 5 : 4;
    } else if (char === "-" || (char >= "0" && char <= "9")) {
      NUMBER_REGEXP.lastIndex = at;
      const literal = NUMBER_REGEXP.exec(text)![0];
      const number = Number(literal);
      builder.put(
        Number.isSafeInteger(number) || !/^-?\d+$/.test(literal)
          ? number
          : BigInt(literal),
      );
      at += literal.length;
    } else at++; // whitespace, `,` and `:`
  }
  return builder.result;
}

/** The index of the quote that ends the JSON string opening at `at`. */
function closingQuote(text: string, at: number): number {
  let end = at;
  let escaped = true;
  while (escaped) {
    end = text.indexOf('"', end + 1);
    let backslashes = 0;
    while (text[end - 1 - backslashes] === "\\") backslashes++;
    escaped = backslashes % 2 === 1;
  }
  return end;
}

/** Builds a JSON value from its tokens, with a stack instead of recursion. */
class ValueBuilder {
  result: unknown;
  readonly #open: (Record<string, unknown> | unknown[])[] = [];
  readonly #pendingKeys: (string | undefined)[] = [];

  open(container: Record<string, unknown> | unknown[]): void {
    this.#open.push(container);
    this.#pendingKeys.push(undefined);
  }

  close(): void {
    this.#pendingKeys.pop();
    this.put(this.#open.pop());
  }

  /** A string: the next key inside an object that awaits one, else a value. */
  string(text: string): void {
    const top = this.#open.length - 1;
    if (
      top >= 0 && !Array.isArray(this.#open[top]) &&
      this.#pendingKeys[top] === undefined
    ) {
      this.#pendingKeys[top] = text;
    } else this.put(text);
  }

  put(item: unknown): void {
    const top = this.#open.length - 1;
    const parent = this.#open[top];
    if (parent === undefined) this.result = item;
    else if (Array.isArray(parent)) parent.push(item);
    else {
      // As JSON.parse does: an own "__proto__" member, no prototype change.
      Object.defineProperty(parent, this.#pendingKeys[top]!, {
        value: item,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      this.#pendingKeys[top] = undefined;
    }
  }
}
