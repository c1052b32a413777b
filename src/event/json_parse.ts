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
  // Runs of 16+ digits standing as whole values: after `:`, `[`, `,` or a
  // space, before `,`, `]`, `}` or a space. One inside a string can look the
  // same: then the literals and the numbers do not match up and the text is
  // read again, so a string can never change a number.
  const literals = text.match(/(?<=[:[, ])-?\d{16,}(?=[,\]} ])/g);
  if (literals === null) return value;
  let next = 0;
  let consistent = true;
  const large = (item: unknown): item is number =>
    typeof item === "number" && Number.isInteger(item) &&
    Math.abs(item) >= 1e15;
  const literalValue = (item: number): number | bigint => {
    const literal = literals[next++];
    if (literal === undefined || Number(literal) !== item) {
      consistent = false;
      return item;
    }
    return Number.isSafeInteger(item) ? item : BigInt(literal);
  };
  // Depth first, members in order. Recursive, but only so deep: a deeper
  // value is left to the exact re-read below, which does not recurse.
  const visit = (item: object, depth: number): void => {
    if (depth > 256) {
      consistent = false;
      return;
    }
    if (Array.isArray(item)) {
      for (let i = 0; consistent && i < item.length; i++) {
        const element = item[i];
        if (typeof element === "object" && element !== null) {
          visit(element, depth + 1);
        } else if (large(element)) item[i] = literalValue(element);
      }
      return;
    }
    const members = item as Record<string, unknown>;
    for (const key in members) {
      const member = members[key];
      if (typeof member === "object" && member !== null) {
        visit(member, depth + 1);
      } else if (large(member)) members[key] = literalValue(member);
      if (!consistent) return;
    }
  };
  if (large(value)) return literalValue(value);
  if (typeof value === "object" && value !== null) visit(value, 0);
  if (consistent && next === literals.length) return value;
  return (() => {
    // The text is valid JSON (JSON.parse took it): read it token by token.
    const NUMBER_REGEXP = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    const open: (Record<string, unknown> | unknown[])[] = [];
    const pendingKeys: (string | undefined)[] = [];
    let result: unknown;
    const put = (item: unknown) => {
      const top = open.length - 1;
      const parent = open[top];
      if (parent === undefined) result = item;
      else if (Array.isArray(parent)) parent.push(item);
      else {
        // As JSON.parse does: an own "__proto__" member, no prototype change.
        Object.defineProperty(parent, pendingKeys[top]!, {
          value: item,
          writable: true,
          enumerable: true,
          configurable: true,
        });
        pendingKeys[top] = undefined;
      }
    };
    let at = 0;
    while (at < text.length) {
      const char = text[at]!;
      if (char === "{" || char === "[") {
        open.push(char === "{" ? {} : []);
        pendingKeys.push(undefined);
        at++;
      } else if (char === "}" || char === "]") {
        pendingKeys.pop();
        put(open.pop());
        at++;
      } else if (char === '"') {
        let end = at;
        let escaped = true;
        while (escaped) {
          end = text.indexOf('"', end + 1);
          let backslashes = 0;
          while (text[end - 1 - backslashes] === "\\") backslashes++;
          escaped = backslashes % 2 === 1;
        }
        const string = JSON.parse(text.slice(at, end + 1)) as string;
        const top = open.length - 1;
        if (
          top >= 0 && !Array.isArray(open[top]) &&
          pendingKeys[top] === undefined
        ) {
          pendingKeys[top] = string;
        } else put(string);
        at = end + 1;
      } else if (char === "t" || char === "f" || char === "n") {
        put(char === "t" ? true : char === "f" ? false : null);
        at += char === "f" ? 5 : 4;
      } else if (char === "-" || (char >= "0" && char <= "9")) {
        NUMBER_REGEXP.lastIndex = at;
        const literal = NUMBER_REGEXP.exec(text)![0];
        const number = Number(literal);
        put(
          Number.isSafeInteger(number) || !/^-?\d+$/.test(literal)
            ? number
            : BigInt(literal),
        );
        at += literal.length;
      } else at++; // whitespace, `,` and `:`
    }
    return result;
  })();
}
