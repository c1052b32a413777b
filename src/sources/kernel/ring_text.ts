/**
 * Text read from a ring record: names, strings and leaf-first path
 * components, made into JS strings as cheaply as possible, and a cache that
 * reuses the strings made before for the same bytes.
 *
 * @module
 */

const decoder = new TextDecoder();

/** Longest text made without TextDecoder, and kept by {@linkcode TextCache}. */
const SHORT_TEXT = 256;

/** Most strings a {@linkcode TextCache} keeps of each kind. */
const TEXT_CACHE_MAX = 4096;

/** ASCII bytes as a string, without TextDecoder. */
function asciiText(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode.apply(
    null,
    bytes.subarray(offset, offset + length) as unknown as number[],
  );
}

/** UTF-8 text; ASCII strings up to 256 bytes (most names and paths) skip TextDecoder. */
function text(bytes: Uint8Array, offset: number, length: number): string {
  if (length <= SHORT_TEXT) {
    let ascii = true;
    for (let i = offset; i < offset + length; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return asciiText(bytes, offset, length);
  }
  return decoder.decode(bytes.subarray(offset, offset + length));
}

/** Text up to the first NUL within `length` bytes. */
export function cText(
  bytes: Uint8Array,
  offset: number,
  length: number,
): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  return text(bytes, offset, end - offset);
}

/** Splits a NUL-separated area (argv, environ) into strings. */
export function splitArea(area: Uint8Array | undefined): string[] {
  if (!area || area.length === 0) return [];
  const items = decoder.decode(area).split("\0");
  if (items.at(-1) === "") items.pop();
  return items;
}

/** Whether `known` is the ASCII text of `bytes[offset, offset + length)`. */
function sameText(
  known: string,
  bytes: Uint8Array,
  offset: number,
  length: number,
): boolean {
  if (known.length !== length) return false;
  for (let i = 0; i < length; i++) {
    if (known.charCodeAt(i) !== bytes[offset + i]) return false;
  }
  return true;
}

/**
 * Joins leaf-first, NUL-separated path components into an absolute path (a
 * bare name: the leaf alone), walking them from the end rather than
 * splitting and reversing a list.
 */
function joinPath(names: string, bare: boolean): string {
  let end = names.endsWith("\0") ? names.length - 1 : names.length;
  if (bare) {
    const leaf = names.indexOf("\0");
    return names.slice(0, leaf < 0 || leaf > end ? end : leaf);
  }
  let path = "";
  while (end > 0) {
    const start = names.lastIndexOf("\0", end - 1) + 1;
    path += `/${names.slice(start, end)}`;
    end = start - 1;
  }
  return path || "/";
}

/**
 * Short texts and joined paths decoded from ring records, kept by content:
 * the same paths and names come back again and again (a process opening its
 * files, a build reading its headers), and comparing bytes with a string made
 * before costs less than making it again. Emptied when full.
 */
export class TextCache {
  /** Short ASCII texts by a hash of their bytes. */
  readonly #texts = new Map<number, string>();
  /** Joined paths by their components' text (one of `#texts`). */
  readonly #paths = new Map<string, string>();

  /** The UTF-8 text of the bytes, reusing a string made before for the same bytes. */
  text(bytes: Uint8Array, offset: number, length: number): string {
    if (length > SHORT_TEXT) return text(bytes, offset, length);
    let hash = length;
    for (let i = offset; i < offset + length; i++) {
      const byte = bytes[i]!;
      if (byte >= 0x80) return text(bytes, offset, length);
      hash = (Math.imul(hash, 31) + byte) | 0;
    }
    const known = this.#texts.get(hash);
    if (known !== undefined && sameText(known, bytes, offset, length)) {
      return known;
    }
    const made = asciiText(bytes, offset, length);
    if (this.#texts.size >= TEXT_CACHE_MAX) this.#texts.clear();
    this.#texts.set(hash, made);
    return made;
  }

  /** The path whose leaf-first components are at `bytes[offset]`. */
  path(
    bytes: Uint8Array,
    offset: number,
    length: number,
    bare: boolean,
  ): string {
    const names = this.text(bytes, offset, length);
    // Long paths are not kept: the cache stays a few MiB at most.
    if (bare || length > SHORT_TEXT) return joinPath(names, bare);
    let path = this.#paths.get(names);
    if (path === undefined) {
      path = joinPath(names, false);
      if (this.#paths.size >= TEXT_CACHE_MAX) this.#paths.clear();
      this.#paths.set(names, path);
    }
    return path;
  }
}
