import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compilePathFilter,
  pathFilterPasses,
  syscallPathPasses,
} from "../../../../src/sources/kernel/path_filter.ts";
import { GlobSet } from "../../../../src/model/glob.ts";
import { checkProperty } from "../../../_helpers/property.ts";

/** The built-in signatures' `pathname` globs for security_file_open. */
const BUILT_IN_GLOBS = [
  "*/release_agent",
  "*/notify_on_release",
  "/proc/*/mem",
  "*/.*",
  "*/secrets/kubernetes.io/serviceaccount/*",
  "/var/lib/kubelet/pods/*",
  "/etc/kubernetes/pki/*",
  "/var/lib/kubelet/pki/*",
  "/proc/kcore",
  "/proc/kallsyms",
  "/proc/sched_debug",
  "/sys/kernel/debug/sched/debug",
  "/etc/shadow",
  "/etc/gshadow",
  "/etc/shadow-",
  "/etc/gshadow-",
  "/etc/ssh/ssh_host_*",
  "*/.ssh/id_*",
  "/etc/ld.so.preload",
];

/** Path characters, globs' `*`, and the characters where bytes differ. */
const CHARS = ["/", "/", ".", "a", "b", "_", "-", "é", "\u{1F600}", "\uFFFD"];

const name = fc.array(fc.constantFrom(...CHARS.slice(2)), { maxLength: 6 })
  .map((chars) => chars.join(""));
const path = fc.array(name, { minLength: 1, maxLength: 6 }).map((names) =>
  `/${names.join("/")}`
);
const text = fc.array(fc.constantFrom(...CHARS), { maxLength: 12 }).map((
  chars,
) => chars.join(""));
/**
 * A glob made from a path by starring some of it (with that path, which it
 * matches), or from free text.
 */
const glob = fc.oneof(
  fc.tuple(path, fc.array(fc.nat(), { maxLength: 3 })).map(([base, cuts]) => {
    let pattern = base;
    for (const cut of cuts) {
      const at = cut % (pattern.length + 1);
      const end = Math.min(pattern.length, at + (cut % 5));
      pattern = `${pattern.slice(0, at)}*${pattern.slice(end)}`;
    }
    return { pattern, matching: [base] };
  }),
  fc.tuple(text, fc.constantFrom("", "*"), text).map((parts) => ({
    pattern: parts.join(""),
    matching: [],
  })),
);

Deno.test("pathFilterPasses() passes every path a glob matches (the kernel never drops what user space would keep)", () => {
  checkProperty(
    fc.property(
      fc.array(glob, { minLength: 1, maxLength: 5 }),
      fc.array(path, { maxLength: 10 }),
      (made, paths) => {
        const globs = made.map(({ pattern }) => pattern);
        const plan = compilePathFilter(globs);
        if (!plan) return;
        const set = new GlobSet(globs);
        const derived = made.flatMap(({ matching }) => matching);
        for (const candidate of [...paths, ...derived, ...globs]) {
          if (set.matches(candidate)) {
            assert.ok(
              pathFilterPasses(plan, candidate),
              `${JSON.stringify(candidate)} matches ${JSON.stringify(globs)}`,
            );
          }
        }
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("compilePathFilter() takes the built-ins' globs, and their filter drops ordinary opens", () => {
  const plan = compilePathFilter(BUILT_IN_GLOBS);
  assert.ok(plan);
  for (
    const ordinary of [
      "/etc/hostname",
      "/usr/lib/x86_64-linux-gnu/libc.so.6",
      "/proc/self/status",
      "/etc/shadowed",
      "/tmp/memory",
    ]
  ) {
    assert.equal(pathFilterPasses(plan, ordinary), false, ordinary);
  }
  for (
    const watched of [
      "/etc/shadow",
      "/proc/1/mem",
      "/home/a/.ssh/id_rsa",
      "/sys/fs/cgroup/x/release_agent",
      "/var/run/secrets/kubernetes.io/serviceaccount/token",
      "/tmp/.hidden",
      "/etc/ssh/ssh_host_ed25519_key",
    ]
  ) {
    assert.equal(pathFilterPasses(plan, watched), true, watched);
  }
});

Deno.test("compilePathFilter() gives up on a glob with no literal prefix nor '/' after a star", () => {
  assert.equal(compilePathFilter(["/etc/shadow", "*.so"]), undefined);
  assert.equal(compilePathFilter(["*"]), undefined);
  assert.equal(compilePathFilter(["*foo*"]), undefined);
});

Deno.test("compilePathFilter() treats U+FFFD as unknown bytes: a star", () => {
  // User space decodes bytes that are not UTF-8 as U+FFFD: the kernel sees
  // the bytes, so the character must not be compared.
  const plan = compilePathFilter(["/tmp/\uFFFD/x"]);
  assert.ok(plan);
  assert.deepEqual(
    [...plan.anchored, ...plan.anywhere].map((bytes) =>
      new TextDecoder().decode(bytes)
    ),
    ["/tmp/"],
  );
});

Deno.test("pathFilterPasses() passes bare names and paths longer than the kernel's window", () => {
  const plan = compilePathFilter(["/etc/shadow"]);
  assert.ok(plan);
  assert.equal(pathFilterPasses(plan, "pipe:[1234]"), true);
  assert.equal(pathFilterPasses(plan, "/"), true);
  assert.equal(pathFilterPasses(plan, `/${"a/".repeat(400)}b`), true);
  assert.equal(pathFilterPasses(plan, `/${"a/".repeat(100)}b`), false);
});

Deno.test("compilePathFilter() keeps entries to a key's length", () => {
  const long = `/${"a".repeat(300)}`;
  const plan = compilePathFilter([long]);
  assert.ok(plan);
  assert.equal(plan.anchored[0]!.length, 256);
  assert.equal(pathFilterPasses(plan, long), true);
  assert.equal(pathFilterPasses(plan, `${long}b`), true);
});

Deno.test("syscallPathPasses() passes every value an anchored-only plan's globs match, and every relative one", () => {
  checkProperty(
    fc.property(
      fc.array(glob, { minLength: 1, maxLength: 5 }),
      fc.array(fc.oneof(path, text), { maxLength: 10 }),
      (made, values) => {
        const globs = made.map(({ pattern }) => pattern);
        const plan = compilePathFilter(globs);
        if (!plan || plan.anywhere.length > 0) return;
        const set = new GlobSet(globs);
        const derived = made.flatMap(({ matching }) => matching);
        for (const value of [...values, ...derived, ...globs]) {
          if (set.matches(value) || !value.startsWith("/")) {
            assert.ok(syscallPathPasses(plan, value), JSON.stringify(value));
          }
        }
      },
    ),
    { numRuns: 500 },
  );
});
