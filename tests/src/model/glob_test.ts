import assert from "node:assert/strict";
import fc from "fast-check";
import { GlobSet } from "../../../src/model/glob.ts";
import { checkProperty } from "../../_helpers/property.ts";

/**
 * The reference semantics: the anchored regular expression selectors were
 * compiled to before (`*` is `.*`, with `.` matching newlines; everything
 * else literal). Safe on the small inputs of the property below.
 */
function referenceMatches(globs: readonly string[], text: string): boolean {
  const source = globs.map((glob) =>
    glob.split("*").map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, "\\$&"))
      .join(".*")
  ).join("|");
  return new RegExp(`^(?:${source})$`, "s").test(text);
}

/** Characters that exercise literals, regex syntax, newlines and surrogates. */
const ALPHABET = ["a", "b", "/", ".", "*", "\n", "(", "\\", "\uD83D", "\uDE00"];

Deno.test("GlobSet.matches() agrees with the anchored regular expression on every small input", () => {
  const text = fc.array(fc.constantFrom(...ALPHABET.filter((c) => c !== "*")), {
    maxLength: 12,
  }).map((chars) => chars.join(""));
  const glob = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 })
    .map((chars) => chars.join(""));
  checkProperty(
    fc.property(
      fc.array(glob, { minLength: 1, maxLength: 3 }),
      text,
      (globs, value) => {
        assert.equal(
          new GlobSet(globs).matches(value),
          referenceMatches(globs, value),
          `${JSON.stringify(globs)} on ${JSON.stringify(value)}`,
        );
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("GlobSet.matches() finds texts built from the glob, whatever the stars stand for", () => {
  checkProperty(
    fc.property(
      fc.array(fc.string({ unit: "binary", maxLength: 6 }), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.array(fc.string({ unit: "binary", maxLength: 6 }), {
        minLength: 6,
        maxLength: 6,
      }),
      (parts, fillers) => {
        const literal = parts.map((part) => part.replaceAll("*", ""));
        const glob = literal.join("*");
        const text = literal.map((part, i) =>
          i === 0 ? part : fillers[i - 1] + part
        ).join("");
        assert.ok(new GlobSet([glob]).matches(text), `${glob} on ${text}`);
      },
    ),
  );
});

Deno.test("GlobSet.matches() treats only * as special", () => {
  const set = new GlobSet(["/etc/shadow", "*/.ssh/id_*", "/proc/*/mem", "a.c"]);
  assert.ok(set.matches("/etc/shadow"));
  assert.ok(!set.matches("/etc/shadow-"));
  assert.ok(set.matches("/home/a/.ssh/id_rsa"));
  assert.ok(set.matches("/proc/1/task/2/mem"));
  assert.ok(!set.matches("/proc/mem"), "the prefix and suffix cannot overlap");
  assert.ok(!set.matches("abc"));
  assert.ok(new GlobSet(["*"]).matches(""));
  assert.ok(new GlobSet(["a**b"]).matches("ab"));
  assert.ok(!new GlobSet(["aa*a"]).matches("aa"));
});

/**
 * Globs that make a backtracking regular expression take exponential time
 * on a 4096-character path (each was seen to hang it for good).
 */
const HOSTILE = [
  `/${"*a".repeat(16)}*b`,
  `/${"*a".repeat(16)}*c*b`,
  `*${"a*".repeat(40)}ab`,
  `${"*/".repeat(60)}*x`,
];
const PATHS = [
  `/${"a".repeat(4095)}`,
  `/${"a".repeat(4094)}b`,
  "/".repeat(4096),
];

Deno.test("GlobSet.matches() finishes on hostile globs and 4096-character paths in bounded time", async () => {
  // In a worker, so that a matcher that backtracks fails the test instead of
  // hanging it. 1200 matches of O(path × glob) each take milliseconds; the
  // bound is generous for a loaded machine.
  const worker = new Worker(
    new URL("./_glob_worker.ts", import.meta.url),
    { type: "module" },
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const answer = new Promise<{ matched: number; runs: number }>(
      (resolve, reject) => {
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(event.message));
        timer = setTimeout(
          () => reject(new Error("The matcher did not finish within 30 s")),
          30_000,
        );
      },
    );
    worker.postMessage({ globs: HOSTILE, paths: PATHS, repeat: 100 });
    const { matched, runs } = await answer;
    assert.equal(runs, HOSTILE.length * PATHS.length * 100);
    // The path ending in b matches the two globs ending in b; nothing else.
    assert.equal(matched, 100 * 2);
  } finally {
    clearTimeout(timer);
    worker.terminate();
  }
});
