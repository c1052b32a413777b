import assert from "node:assert/strict";
import fc from "fast-check";
import { SignatureError } from "../../../src/errors.ts";
import {
  MAX_METADATA_DEPTH,
  MAX_METADATA_SIZE,
  MAX_METADATA_STRING,
  parseMetadata,
  SignatureNames,
} from "../../../src/loader/metadata.ts";
import { checkProperty } from "../../_helpers/property.ts";

const VALID = {
  id: "MY-1",
  version: "1.0.0",
  name: "Mine",
  eventName: "mine",
  description: "What it does",
};

function refused(value: unknown): SignatureError | undefined {
  try {
    parseMetadata("/sig.rego", value);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof SignatureError, String(error));
    assert.ok(!error.message.includes("\n"), error.message);
    return error;
  }
}

const SAFE_CHARS = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
];

Deno.test("parseMetadata() takes an id or event name of 1 to 64 safe ASCII characters starting with a letter or digit, and nothing else", () => {
  const name = fc.oneof(
    fc.string({ unit: fc.constantFrom(...SAFE_CHARS), maxLength: 70 }),
    fc.string({ unit: "grapheme", maxLength: 70 }),
    fc.string({ unit: "binary", maxLength: 70 }),
  );
  checkProperty(
    fc.property(name, fc.constantFrom("id", "eventName"), (text, key) => {
      const safe = /^[A-Za-z0-9]/.test(text) && text.length <= 64 &&
        [...text].every((c) => SAFE_CHARS.includes(c));
      const error = refused({ ...VALID, [key]: text });
      assert.equal(error === undefined, safe, `${key} ${JSON.stringify(text)}`);
      // A refusal shows the name with everything but printable ASCII escaped.
      if (error) assert.match(error.message, /^[\x20-\x7e]*$/);
    }),
    { numRuns: 300 },
  );
});

Deno.test("parseMetadata() refuses look-alikes of a valid id: one character replaced by a non-ASCII one", () => {
  checkProperty(
    fc.property(
      fc.nat(VALID.id.length - 1),
      fc.integer({ min: 0x80, max: 0x10ffff }).filter((c) =>
        c < 0xd800 || c > 0xdfff
      ),
      (at, code) => {
        const id = VALID.id.slice(0, at) + String.fromCodePoint(code) +
          VALID.id.slice(at + 1);
        assert.ok(refused({ ...VALID, id }));
      },
    ),
  );
  for (const id of ["MY\u20101", "MY-\u200b1", "MY-1\u00a0", "\u041cY-1"]) {
    assert.ok(refused({ ...VALID, id }), id);
  }
});

Deno.test("parseMetadata() refuses control and format characters in the name, version and tags", () => {
  checkProperty(
    fc.property(
      fc.constantFrom("name", "version", "tags"),
      fc.constantFrom("\n", "\r", "\x1b", "\u200b", "\u202e", "\u2066", "\x7f"),
      (key, bad) => {
        const text = `ok${bad}ok`;
        const value = key === "tags" ? [text] : text;
        assert.match(
          refused({ ...VALID, [key]: value })?.message ?? "",
          /holds a control or format character/,
        );
      },
    ),
  );
});

Deno.test("parseMetadata() refuses metadata over its size, string or depth limits, and takes it at them", () => {
  const atString = "d".repeat(MAX_METADATA_STRING);
  assert.equal(refused({ ...VALID, description: atString }), undefined);
  assert.match(
    refused({ ...VALID, description: `${atString}d` })?.message ?? "",
    /a string of 4097 characters, over the limit of 4096/,
  );
  const wide = Object.fromEntries(
    Array.from({ length: 8 }, (_, i) => [`k${i}`, atString]),
  );
  assert.match(
    refused({ ...VALID, properties: wide })?.message ?? "",
    new RegExp(`larger than ${MAX_METADATA_SIZE} characters`),
  );
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let level = 3; level <= MAX_METADATA_DEPTH; level++) {
    deep = { deeper: deep };
  }
  assert.equal(refused({ ...VALID, properties: deep }), undefined);
  assert.match(
    refused({ ...VALID, properties: { deeper: deep } })?.message ?? "",
    /deeper than 8 levels/,
  );
  // A million levels are measured without recursion.
  let abyss: unknown = 1;
  for (let level = 0; level < 1_000_000; level++) abyss = [abyss];
  assert.ok(refused({ ...VALID, properties: { abyss } }));
});

Deno.test("SignatureNames refuses an id or event name taken already, ignoring case, and base event names", () => {
  const names = new SignatureNames();
  names.claim("/a.rego", parseMetadata("/a.rego", VALID));
  const claim = (changes: Record<string, string>) => {
    try {
      names.claim(
        "/b.rego",
        parseMetadata("/b.rego", { ...VALID, ...changes }),
      );
      return "";
    } catch (error) {
      return (error as Error).message;
    }
  };
  assert.match(
    claim({ id: "my-1", eventName: "other" }),
    /its id "my-1" is already used by \/a\.rego/,
  );
  assert.match(
    claim({ id: "MY-2", eventName: "MINE" }),
    /its eventName "MINE" is already used by \/a\.rego/,
  );
  for (const eventName of ["openat", "Sched_Process_Exec", "signature_error"]) {
    assert.match(
      claim({ id: `X-${eventName}`, eventName }),
      /is already used by a base event/,
    );
  }
  assert.equal(claim({ id: "MY-2", eventName: "mine_too" }), "");
});
