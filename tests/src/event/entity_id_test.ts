import assert from "node:assert/strict";
import { entityId, murmur3 } from "../../../src/event/entity_id.ts";

Deno.test("murmur3() matches the reference MurmurHash3 x86_32 vectors", () => {
  const text = (value: string) => new TextEncoder().encode(value);
  assert.equal(murmur3(new Uint8Array(0), 0), 0);
  assert.equal(murmur3(new Uint8Array(0), 1), 0x514e28b7);
  assert.equal(murmur3(text("test"), 0), 0xba6bd213);
  assert.equal(murmur3(text("Hello, world!"), 1234), 0xfaf6cdb3);
  assert.equal(
    murmur3(text("The quick brown fox jumps over the lazy dog"), 0x9747b28c),
    0x2fa826cd,
  );
});

Deno.test("entityId() rounds the start time down to 10 ms", () => {
  const start = 1_700_000_000_123_456_789n;
  assert.equal(entityId(42, start), entityId(42, 1_700_000_000_120_000_000n));
  assert.notEqual(entityId(42, start), entityId(42, start + 10_000_000n));
  assert.notEqual(entityId(42, start), entityId(43, start));
});
