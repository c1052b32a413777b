import assert from "node:assert/strict";
import { parseSelector, selects } from "../../../src/engine/selector.ts";
import { SelectorIndex } from "../../../src/engine/selector_index.ts";

Deno.test("parseSelector() treats a missing or empty name and origin as *", () => {
  assert.deepEqual(parseSelector({ source: "tracee" }), {
    source: "tracee",
    name: "*",
    origin: "*",
  });
  assert.deepEqual(parseSelector({ source: "tracee", name: "", origin: "" }), {
    source: "tracee",
    name: "*",
    origin: "*",
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

Deno.test("selects() matches source exactly and name and origin with *", () => {
  const any = parseSelector({ source: "tracee" });
  const exec = parseSelector({
    source: "tracee",
    name: "execve",
    origin: "container",
  });
  assert.ok(selects(any, "tracee", "openat", "host"));
  assert.ok(!selects(any, "other", "openat", "host"));
  assert.ok(selects(exec, "tracee", "execve", "container"));
  assert.ok(!selects(exec, "tracee", "execve", "container-init"));
  assert.ok(!selects(exec, "tracee", "openat", "container"));
});

Deno.test("SelectorIndex.match() returns the selecting signatures in order", () => {
  const index = new SelectorIndex([
    [parseSelector({ source: "tracee", name: "openat" })],
    [parseSelector({ source: "other", name: "openat" })],
    [parseSelector({ source: "tracee", origin: "host" })],
  ]);
  assert.deepEqual(index.match("openat", "host"), [0, 2]);
  assert.deepEqual(index.match("openat", "container"), [0]);
  assert.deepEqual(index.match("execve", "container"), []);
  assert.ok(index.wants("execve"));
});
