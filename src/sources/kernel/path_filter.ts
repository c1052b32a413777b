/**
 * The kernel's argument filter on file paths (ffi/bpf/arg_filter.h): the
 * selectors' `pathname` globs of `security_file_open`, compiled into entries
 * of two LPM tries that the BPF programs test before they make a record, so
 * that an open no signature can match costs a walk and a few lookups, not a
 * record and its decoding.
 *
 * Each glob gives one entry that every path it matches also matches, so the
 * kernel's test over-approximates the globs and never drops an event they
 * could match (user space's gate remains the exact test):
 *
 * - an exact path: anchored, the path's bytes and its NUL;
 * - a literal prefix: anchored, the prefix;
 * - a part after a `*` holding a `/`: the text after that `/` (and the NUL
 *   when the part ends the glob), which must start one of the path's
 *   components ("anywhere").
 *
 * A glob has several of these; the longest is kept, one that ends the path
 * counting twice. A glob with none (`*.so`,
 * `*foo*`) cannot be tested in the kernel, and then no filter is loaded.
 * {@linkcode pathFilterPasses} is the kernel's decision, byte for byte, for
 * the tests that compare it with the globs.
 *
 * The open syscalls' own events are filtered on their `pathname` argument
 * (the user string, absolute or not) with the anchored entries alone, when
 * their globs have no other kind ({@linkcode syscallPathPasses}).
 *
 * @module
 */

import { type BpfObject, FilterFlag, Limits } from "../../../ffi/mod.ts";

/** The trie entries of a set of globs. */
export interface PathFilterPlan {
  /** Entries a path must start with. */
  readonly anchored: readonly Uint8Array[];
  /** Entries one of a path's components must start with. */
  readonly anywhere: readonly Uint8Array[];
}

const encoder = new TextEncoder();
const NUL = "\0";

/** An entry's bytes, at most a key's length: a shorter entry matches more. */
function entry(text: string): Uint8Array {
  return encoder.encode(text).slice(0, Limits.FILTER_KEY_MAX);
}

/**
 * The entry of one glob, or `undefined` when it has none. U+FFFD (which user
 * space also gets for bytes that are not UTF-8) and lone surrogates become
 * `*`: the bytes behind them are not known.
 */
function globEntry(
  glob: string,
): { trie: "anchored" | "anywhere"; bytes: Uint8Array } | undefined {
  const parts = glob.toWellFormed().replaceAll("\uFFFD", "*").split("*");
  if (parts.length === 1) {
    return { trie: "anchored", bytes: entry(parts[0]! + NUL) };
  }
  let best: { trie: "anchored" | "anywhere"; bytes: Uint8Array } | undefined;
  let bestScore = 0;
  const consider = (trie: "anchored" | "anywhere", text: string) => {
    const bytes = entry(text);
    // A path's end is rarer than its start (`/proc/*/mem`: `mem` and its NUL).
    const score = bytes.length * (bytes.at(-1) === 0 ? 2 : 1);
    if (score > bestScore) {
      best = { trie, bytes };
      bestScore = score;
    }
  };
  consider("anchored", parts[0]!);
  parts.slice(1).forEach((part, i) => {
    const slash = part.indexOf("/");
    const last = i === parts.length - 2;
    if (slash >= 0) {
      consider("anywhere", part.slice(slash + 1) + (last ? NUL : ""));
    }
  });
  return best;
}

/**
 * The trie entries for `globs`, or `undefined` when one of them cannot be
 * tested in the kernel or they need more entries than a trie holds.
 */
export function compilePathFilter(
  globs: readonly string[],
): PathFilterPlan | undefined {
  const anchored = new Map<string, Uint8Array>();
  const anywhere = new Map<string, Uint8Array>();
  for (const glob of globs) {
    const found = globEntry(glob);
    if (!found) return undefined;
    (found.trie === "anchored" ? anchored : anywhere).set(
      found.bytes.join(),
      found.bytes,
    );
  }
  if (Math.max(anchored.size, anywhere.size) > Limits.FILTER_ENTRIES) {
    return undefined;
  }
  return { anchored: [...anchored.values()], anywhere: [...anywhere.values()] };
}

/**
 * The config's `filter_flags` for a plan (0: no filter). The anchored trie
 * is always looked up, even empty: an entry added after load
 * ({@linkcode passEveryPath}) must take effect, and the configuration is
 * fixed at load.
 */
export function pathFilterFlags(plan: PathFilterPlan | undefined): number {
  if (!plan) return 0;
  return FilterFlag.FilePath | FilterFlag.Anchored |
    (plan.anywhere.length > 0 ? FilterFlag.Anywhere : 0);
}

/**
 * The config's `anywhere_first` bitmap: bit b is set when an anywhere entry
 * starts with byte b, so that the kernel looks up only components that may
 * start one.
 */
export function anywhereFirstBytes(plan: PathFilterPlan): Uint8Array {
  const bits = new Uint8Array(Limits.FIRST_BYTES);
  for (const bytes of plan.anywhere) {
    bits[bytes[0]! >> 3]! |= 1 << (bytes[0]! & 7);
  }
  return bits;
}

/** A trie key: the bit length, then the bytes (zero-padded). */
function trieKey(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const key = new Uint8Array(4 + Limits.FILTER_KEY_MAX);
  new DataView(key.buffer).setUint32(0, bytes.length * 8, true);
  key.set(bytes, 4);
  return key;
}

/**
 * Writes anchored entries into the trie of syscalls' own path arguments
 * (`str_anchored`).
 *
 * @throws {BpfError} When the trie refuses an entry.
 */
export function loadSyscallPathFilter(
  object: BpfObject,
  anchored: readonly Uint8Array[],
): void {
  const trie = object.map("str_anchored");
  for (const bytes of anchored) {
    trie.update(trieKey(bytes), new Uint8Array([1]));
  }
}

/**
 * Writes a plan's entries into the loaded object's tries.
 *
 * @throws {BpfError} When a trie refuses an entry.
 */
export function loadPathFilter(object: BpfObject, plan: PathFilterPlan): void {
  const one = new Uint8Array([1]);
  for (
    const [map, entries] of [
      ["path_anchored", plan.anchored],
      ["path_anywhere", plan.anywhere],
    ] as const
  ) {
    const trie = object.map(map);
    for (const bytes of entries) trie.update(trieKey(bytes), one);
  }
}

/**
 * Makes the loaded tries pass every path: `/` starts every absolute path,
 * and a relative one passes already. For when the gates change after load
 * (signatures reloaded with other globs).
 *
 * @throws {BpfError} When a trie refuses the entry.
 */
export function passEveryPath(object: BpfObject): void {
  const root = trieKey(encoder.encode("/"));
  for (const map of ["path_anchored", "str_anchored"]) {
    object.map(map).update(root, new Uint8Array([1]));
  }
}

/** Whether an entry starts the bytes of `window` from `start` to its end. */
function trieHas(
  entries: readonly Uint8Array[],
  window: Uint8Array,
  start: number,
): boolean {
  const length = Math.min(window.length - start, Limits.FILTER_KEY_MAX);
  return entries.some((bytes) =>
    bytes.length <= length &&
    bytes.every((byte, i) => window[start + i] === byte)
  );
}

/**
 * Whether the kernel passes a syscall whose path argument is `value` (as
 * user space reports it) under `plan`'s anchored entries: a relative path
 * always does (user space resolves it), an absolute one when an entry starts
 * it.
 */
export function syscallPathPasses(
  plan: PathFilterPlan,
  value: string,
): boolean {
  if (!value.startsWith("/")) return true;
  return trieHas(plan.anchored, encoder.encode(value + NUL), 0);
}

/**
 * Whether the kernel passes an open of `path` (the path user space reports)
 * under `plan`: the BPF walk's decision, in the same order and with the same
 * limits.
 */
export function pathFilterPasses(plan: PathFilterPlan, path: string): boolean {
  // A bare name (nothing walked; the root is one) always passes.
  if (!path.startsWith("/") || path === "/") return true;
  const window = encoder.encode(path + NUL);
  const names = path.slice(1).split("/").map((name) => encoder.encode(name));
  let pos = Limits.WINDOW_END;
  let start = window.length - 1;
  for (const name of names.reverse()) {
    if (name.length > 255 || pos < name.length + 5) return true;
    pos -= name.length;
    start -= name.length;
    if (trieHas(plan.anywhere, window, start)) return true;
    pos -= 1;
    start -= 1;
  }
  return trieHas(plan.anchored, window, 0);
}
