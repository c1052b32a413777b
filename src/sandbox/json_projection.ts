/**
 * Copies some top-level fields of a JSON object, byte for byte, without
 * parsing the values: the input the sandbox gives a Rego bundle that reads
 * only those fields.
 *
 * @module
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function skipSpace(bytes: Uint8Array, i: number, end: number): number {
  while (
    i < end &&
    (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d ||
      bytes[i] === 0x09)
  ) i++;
  return i;
}

/** The index after the string starting at `i` (a quote), or -1. */
function skipString(bytes: Uint8Array, i: number, end: number): number {
  for (i++; i < end; i++) {
    const byte = bytes[i];
    if (byte === BACKSLASH) i++;
    else if (byte === QUOTE) return i + 1;
  }
  return -1;
}

/** The index after the value starting at `i`, or -1. */
function skipValue(bytes: Uint8Array, i: number, end: number): number {
  if (bytes[i] === QUOTE) return skipString(bytes, i, end);
  let depth = 0;
  for (; i < end; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = skipString(bytes, i, end) - 1;
      if (i < 0) return -1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (byte === COMMA && depth === 0) return i;
  }
  return depth === 0 ? i : -1;
}

/** Projects JSON objects onto a set of top-level keys, reusing one buffer. */
export class JsonProjection {
  #keys: ReadonlySet<string>;
  #out = new Uint8Array(4096);

  constructor(keys: Iterable<string>) {
    this.#keys = new Set(keys);
  }

  /**
   * The object `bytes[start, end)` with only the kept keys, as a view into
   * an internal buffer valid until the next call; `undefined` when the text
   * is not a JSON object (let the full parser report it).
   */
  project(
    bytes: Uint8Array,
    start: number,
    end: number,
  ): Uint8Array | undefined {
    if (this.#out.length < end - start) {
      this.#out = new Uint8Array((end - start) * 2);
    }
    const out = this.#out;
    let length = 0;
    let i = skipSpace(bytes, start, end);
    if (bytes[i] !== OPEN_BRACE) return undefined;
    out[length++] = OPEN_BRACE;
    i = skipSpace(bytes, i + 1, end);
    if (bytes[i] === CLOSE_BRACE) {
      out[length++] = CLOSE_BRACE;
      return out.subarray(0, length);
    }
    while (i < end) {
      if (bytes[i] !== QUOTE) return undefined;
      const keyStart = i;
      const keyEnd = skipString(bytes, i, end);
      if (keyEnd < 0) return undefined;
      let key = "";
      for (let k = keyStart + 1; k < keyEnd - 1; k++) {
        const byte = bytes[k]!;
        // Escaped or non-ASCII keys: leave them to the full parser.
        if (byte === BACKSLASH || byte >= 0x80) return undefined;
        key += String.fromCharCode(byte);
      }
      i = skipSpace(bytes, keyEnd, end);
      if (bytes[i] !== COLON) return undefined;
      const valueStart = skipSpace(bytes, i + 1, end);
      const valueEnd = skipValue(bytes, valueStart, end);
      if (valueEnd < 0) return undefined;
      if (this.#keys.has(key)) {
        if (length > 1) out[length++] = COMMA;
        out.set(bytes.subarray(keyStart, keyEnd), length);
        length += keyEnd - keyStart;
        out[length++] = COLON;
        out.set(bytes.subarray(valueStart, valueEnd), length);
        length += valueEnd - valueStart;
      }
      i = skipSpace(bytes, valueEnd, end);
      if (bytes[i] === CLOSE_BRACE) {
        out[length++] = CLOSE_BRACE;
        return out.subarray(0, length);
      }
      if (bytes[i] !== COMMA) return undefined;
      i = skipSpace(bytes, i + 1, end);
    }
    return undefined;
  }
}
