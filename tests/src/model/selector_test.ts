import assert from "node:assert/strict";
import {
  eventMatchesAll,
  MAX_GLOB_LENGTH,
  MAX_SELECTOR_GLOBS,
  parseSelector,
  selectorMatches,
} from "../../../src/model/selector.ts";
import {
  type RoutedEvent,
  SelectorIndex,
} from "../../../src/engine/selector_index.ts";
import type { Origin } from "../../../src/event/event.ts";

Deno.test("parseSelector() treats a missing or empty name and origin as *", () => {
  assert.deepEqual(parseSelector({ source: "tracee" }), {
    source: "tracee",
    name: "*",
    origin: "*",
    args: [],
  });
  assert.deepEqual(parseSelector({ source: "tracee", name: "", origin: "" }), {
    source: "tracee",
    name: "*",
    origin: "*",
    args: [],
  });
});

Deno.test("parseSelector() rejects a missing source, a non-string name and an unknown origin", () => {
  assert.throws(
    () => parseSelector({ name: "openat" }),
    /"source" must be given/,
  );
  assert.throws(
    () => parseSelector({ source: "tracee", name: 3 }),
    /"name" must be a string/,
  );
  assert.throws(
    () => parseSelector({ source: "tracee", origin: "vm" }),
    /"origin" must be one of/,
  );
  assert.throws(() => parseSelector("openat"), /not an object/);
});

Deno.test("selectorMatches() matches source exactly and name and origin with *", () => {
  const any = parseSelector({ source: "tracee" });
  const exec = parseSelector({
    source: "tracee",
    name: "execve",
    origin: "container",
  });
  assert.ok(selectorMatches(any, "tracee", "openat", "host"));
  assert.ok(!selectorMatches(any, "other", "openat", "host"));
  assert.ok(selectorMatches(exec, "tracee", "execve", "container"));
  assert.ok(!selectorMatches(exec, "tracee", "execve", "container-init"));
  assert.ok(!selectorMatches(exec, "tracee", "openat", "container"));
});

Deno.test("SelectorIndex.match() returns the selecting signatures in order", () => {
  const index = new SelectorIndex([
    [parseSelector({ source: "tracee", name: "openat" })],
    [parseSelector({ source: "other", name: "openat" })],
    [parseSelector({ source: "tracee", origin: "host" })],
  ]);
  assert.deepEqual(index.match(routed("openat", "host")), [0, 2]);
  assert.deepEqual(index.match(routed("openat", "container")), [0]);
  assert.deepEqual(index.match(routed("execve", "container")), []);
  assert.ok(index.wants("execve"));
});

/** An event as routing sees it, with string arguments. */
function routed(
  eventName: string,
  origin: Origin,
  args: Record<string, unknown> = {},
): RoutedEvent {
  return { eventName, origin, argument: (name) => args[name] };
}

Deno.test("parseSelector() compiles args patterns: * matches any run of characters", () => {
  const selector = parseSelector({
    source: "tracee",
    name: "security_file_open",
    args: { pathname: ["/etc/shadow", "*/.ssh/id_*", "/proc/*/mem"] },
  });
  const open = (pathname: unknown) =>
    eventMatchesAll(selector.args, routed("x", "host", { pathname }));
  assert.ok(open("/etc/shadow"));
  assert.ok(!open("/etc/shadow-"));
  assert.ok(!open("/etc/shadowX"));
  assert.ok(open("/home/a/.ssh/id_rsa"));
  assert.ok(open("/proc/12/task/13/mem"));
  assert.ok(!open("/proc/12/maps"));
  // Only `*` is special: the other characters are literal.
  assert.ok(
    !parseSelector({ source: "t", args: { p: ["a.c"] } }).args[0]!
      .matcher.matches("abc"),
  );
  // A missing or non-string argument does not pass.
  assert.ok(!open(undefined));
  assert.ok(!open(3));
});

Deno.test("parseSelector() rejects args that are not lists of patterns by name", () => {
  for (
    const args of [[], {}, { pathname: "/etc" }, { pathname: [] }, { p: [1] }]
  ) {
    assert.throws(
      () => parseSelector({ source: "tracee", args }),
      /"args" must map argument names to non-empty lists of patterns/,
    );
  }
});

Deno.test("parseSelector() accepts up to the limits on argument patterns and refuses past them, quoting the selector briefly", () => {
  const selector = (pathname: string[], flags = ["*"]) => ({
    source: "tracee",
    args: { pathname, flags },
  });
  const many = (count: number) =>
    Array.from({ length: count }, (_, i) => `/etc/${i}`);
  const long = (length: number) => "*".padEnd(length, "a");
  assert.equal(
    parseSelector(selector(many(MAX_SELECTOR_GLOBS - 1))).args.length,
    2,
  );
  assert.throws(
    () => parseSelector(selector(many(MAX_SELECTOR_GLOBS))),
    RangeError,
    "the limit counts the patterns of every argument",
  );
  assert.ok(parseSelector(selector([long(MAX_GLOB_LENGTH)])));
  assert.throws(
    () => parseSelector(selector([long(MAX_GLOB_LENGTH + 1)])),
    (error: Error) =>
      error instanceof RangeError &&
      error.message.includes(`more than ${MAX_GLOB_LENGTH}`) &&
      error.message.length < 400,
  );
});

Deno.test("SelectorIndex.match() applies argument filters; a selector without any wins", () => {
  const shadow = {
    source: "tracee",
    name: "open",
    args: { pathname: ["/etc/shadow"] },
  };
  const writes = {
    source: "tracee",
    name: "open",
    args: { flags: ["*O_WRONLY*"] },
  };
  const index = new SelectorIndex([
    [parseSelector(shadow)],
    [parseSelector(shadow), parseSelector(writes)],
    [parseSelector(shadow), parseSelector({ source: "tracee", name: "open" })],
    [parseSelector({ ...shadow, args: { ...shadow.args, ...writes.args } })],
  ]);
  const open = (pathname: string, flags: string) =>
    index.match(routed("open", "host", { pathname, flags }));
  assert.deepEqual(open("/etc/shadow", "O_RDONLY"), [0, 1, 2]);
  assert.deepEqual(open("/etc/passwd", "O_WRONLY|O_CREAT"), [1, 2]);
  assert.deepEqual(open("/etc/passwd", "O_RDONLY"), [2]);
  assert.deepEqual(open("/etc/shadow", "O_WRONLY"), [0, 1, 2, 3]);
});

Deno.test("SelectorIndex.match() rejects an event with one test when every selector filters one argument", () => {
  const paths = (...globs: string[]) =>
    parseSelector({
      source: "tracee",
      name: "open",
      args: { pathname: globs },
    });
  const index = new SelectorIndex([
    [paths("/etc/shadow")],
    [paths("*/.ssh/id_*"), paths("/proc/*/mem")],
    [parseSelector({
      source: "tracee",
      name: "open",
      args: { flags: ["*O_CREAT*"], pathname: ["*/.*"] },
    })],
  ]);
  const reads: string[] = [];
  const open = (pathname: string, flags = "O_RDONLY") =>
    index.match({
      eventName: "open",
      origin: "host",
      argument: (name) => {
        reads.push(name);
        return ({ pathname, flags } as Record<string, string>)[name];
      },
    });
  assert.deepEqual(open("/usr/lib/libc.so.6"), []);
  assert.deepEqual(reads, ["pathname"]);
  assert.deepEqual(open("/etc/shadow"), [0]);
  assert.deepEqual(open("/proc/1/mem"), [1]);
  assert.deepEqual(open("/home/a/.ssh/id_rsa"), [1]);
  assert.deepEqual(open("/home/a/.ssh/id_rsa", "O_WRONLY|O_CREAT"), [1, 2]);
  assert.deepEqual(open("/tmp/.x", "O_RDONLY"), []);
  assert.deepEqual(open("/tmp/.x", "O_WRONLY|O_CREAT"), [2]);
});

Deno.test("SelectorIndex.gate() unites the gates of every origin's route, or gives none", () => {
  const open = (origin: string, ...globs: string[]) =>
    parseSelector({
      source: "tracee",
      name: "security_file_open",
      origin,
      args: { pathname: globs },
    });
  const gated = new SelectorIndex([
    [open("host", "/etc/shadow")],
    [open("container", "*/release_agent"), open("*", "/proc/*/mem")],
  ]);
  const gate = gated.gate("security_file_open");
  assert.equal(gate?.name, "pathname");
  assert.deepEqual(
    [...gate!.globs].sort(),
    ["*/release_agent", "/etc/shadow", "/proc/*/mem"],
  );
  assert.equal(gated.gate("openat"), undefined, "nothing selects it");

  const unfiltered = new SelectorIndex([
    [open("host", "/etc/shadow")],
    [parseSelector({
      source: "tracee",
      name: "security_file_open",
      origin: "container",
    })],
  ]);
  assert.equal(unfiltered.gate("security_file_open"), undefined);

  const otherArgument = new SelectorIndex([
    [open("*", "/etc/shadow")],
    [parseSelector({
      source: "tracee",
      name: "security_file_open",
      args: { flags: ["*O_CREAT*"] },
    })],
  ]);
  assert.equal(otherArgument.gate("security_file_open"), undefined);
});
