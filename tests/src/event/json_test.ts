import assert from "node:assert/strict";
import {
  formatEventJson,
  parseJsonExact,
  stringifyJson,
} from "../../../src/event/json.ts";
import type { TraceeEvent } from "../../../src/event/event.ts";
import { tracee } from "../../_helpers/replay.ts";

Deno.test("parseJsonExact() keeps integers beyond 2^53 digit for digit", () => {
  const value = parseJsonExact(
    '{"t":1680190419485136511,"small":42,"f":1.5,"neg":-9007199254740993}',
  );
  assert.deepEqual(value, {
    t: 1680190419485136511n,
    small: 42,
    f: 1.5,
    neg: -9007199254740993n,
  });
});

Deno.test("stringifyJson() writes bigints as digits and escapes like Go", () => {
  assert.equal(
    stringifyJson({ t: 1680190419485136511n, s: "<a & b>\u2028" }),
    '{"t":1680190419485136511,"s":"\\u003ca \\u0026 b\\u003e\\u2028"}',
  );
});

Deno.test("formatEventJson() writes Tracee's field order with eventId as a string", () => {
  const event = tracee("openat", [[
    "pathname",
    "const char*",
    "/x",
  ]]) as unknown as TraceeEvent;
  const shuffled = Object.fromEntries(
    Object.entries(event).reverse(),
  ) as unknown as TraceeEvent;
  const text = formatEventJson({ ...shuffled, eventId: 257 });
  assert.match(text, /^\{"timestamp":1680190419485136510,"threadStartTime":/);
  assert.match(text, /"eventId":"257","eventName":"openat"/);
  assert.ok(!text.includes('"metadata"'));
});

Deno.test("formatEventJson() does not let a string imitate a 64-bit number", () => {
  const event = tracee("openat", [
    ["pathname", "const char*", "\u0000n123\u0000"],
    ["ctime", "unsigned long", 1700000000123456789n],
  ]) as unknown as TraceeEvent;
  const text = formatEventJson(event);
  assert.ok(text.includes('"value":"\\u0000n123\\u0000"'), text);
  assert.ok(text.includes('"value":1700000000123456789'), text);
});

Deno.test("parseJsonExact() keeps strings that look like big numbers, and falls back when order differs", () => {
  assert.deepEqual(
    parseJsonExact(
      '{"s":"a,12345678901234567890,b","n":12345678901234567890,"t":[1700000000123456789]}',
    ),
    {
      s: "a,12345678901234567890,b",
      n: 12345678901234567890n,
      t: [1700000000123456789n],
    },
  );
  // V8 puts integer-like keys first, so the walk meets "1" before "b".
  assert.deepEqual(
    parseJsonExact('{"b":18014398509481985,"1":18014398509481987}'),
    { b: 18014398509481985n, "1": 18014398509481987n },
  );
  assert.deepEqual(parseJsonExact("[-9007199254740993, 1e20, 12.5]"), [
    -9007199254740993n,
    1e20,
    12.5,
  ]);
});

Deno.test("stringifyJson() and parseJsonExact() take any depth, bigints included", () => {
  const depth = 100_000;
  const text = `${"[".repeat(depth)}"12345678901234567 x",${
    '{"a":'.repeat(depth)
  }12345678901234567890${"}".repeat(depth)}${"]".repeat(depth)}`;
  // The string's digits make the quick match fail: the exact re-read runs.
  const value = parseJsonExact(text);
  assert.equal(stringifyJson(value), text);
  let inner: unknown = value;
  while (Array.isArray(inner)) inner = inner.at(-1);
  while (typeof inner === "object") inner = (inner as { a: unknown }).a;
  assert.equal(inner, 12345678901234567890n);
});

Deno.test("parseJsonExact() reads what JSON.parse reads, keys and escapes included", () => {
  const text =
    '{"__proto__":{"x":1},"":"\\"\\\\","1":12345678901234567890,"s":"12345678901234567890","a":[true,false,null,-0,1e2,-1.5E-3]}';
  const value = parseJsonExact(text) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value), ["1", "__proto__", "", "s", "a"]);
  assert.deepEqual(value["__proto__"], { x: 1 });
  assert.equal(value[""], '"\\');
  assert.equal(value["1"], 12345678901234567890n);
  assert.deepEqual(value.a, [true, false, null, -0, 100, -0.0015]);
});
