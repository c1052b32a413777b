import assert from "node:assert/strict";
import fc from "fast-check";
import type { TraceeEvent } from "../../../src/event/event.ts";
import { writesElf } from "../../../src/sdk/elf.ts";
import { checkProperty } from "../../_helpers/property.ts";

const MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function magicWrite(value: unknown): TraceeEvent {
  return {
    eventName: "magic_write",
    args: [{ name: "bytes", type: "bytes", value }],
  } as unknown as TraceeEvent;
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

Deno.test("writesElf() is true exactly when the written bytes start with 7f 45 4c 46", () => {
  checkProperty(
    fc.property(
      // A prefix of the magic number (0 to 4 of its bytes), then anything.
      fc.tuple(fc.nat({ max: 4 }), fc.uint8Array({ maxLength: 20 })).map(
        ([kept, rest]) => new Uint8Array([...MAGIC.slice(0, kept), ...rest]),
      ),
      (bytes) => {
        const elf = MAGIC.every((byte, index) => bytes[index] === byte);
        assert.equal(writesElf(magicWrite(base64(bytes))), elf);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("writesElf() is false without a base64 string in bytes", () => {
  for (const value of [undefined, null, 42, ["f0VMRg=="], "f0V!MRg", ""]) {
    assert.equal(writesElf(magicWrite(value)), false, String(value));
  }
  assert.equal(
    writesElf({ eventName: "magic_write", args: [] } as unknown as TraceeEvent),
    false,
  );
});
