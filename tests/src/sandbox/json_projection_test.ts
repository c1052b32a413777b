import assert from "node:assert/strict";
import { JsonProjection } from "../../../src/sandbox/json_projection.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function project(keys: string[], text: string): string | undefined {
  const bytes = encoder.encode(`xx${text}yy`);
  const out = new JsonProjection(keys).project(bytes, 2, bytes.length - 2);
  return out && decoder.decode(out);
}

Deno.test("JsonProjection keeps the chosen keys byte for byte, values unparsed", () => {
  const text =
    '{"timestamp":1680190419485136510, "eventName":"openat","args":[{"name":"p","value":"a,}\\"]"}],"container":{"id":"x"},"n":null,"t":true}';
  assert.equal(
    project(["timestamp", "args", "t"], text),
    '{"timestamp":1680190419485136510,"args":[{"name":"p","value":"a,}\\"]"}],"t":true}',
  );
  assert.equal(project(["container"], text), '{"container":{"id":"x"}}');
  assert.equal(project(["missing"], text), "{}");
  assert.equal(project(["a"], " { } "), "{}");
});

Deno.test("JsonProjection declines what is not a plain JSON object", () => {
  assert.equal(project(["a"], "[1]"), undefined);
  assert.equal(project(["a"], '{"a":1'), undefined);
  assert.equal(project(["a"], '{"a" 1}'), undefined);
  assert.equal(project(["a"], '{"\\u0061":1}'), undefined);
});
