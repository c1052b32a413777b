import assert from "node:assert/strict";
import fc from "fast-check";
import {
  eventSubject,
  findingFilter,
  findingSubject,
  messageId,
  subjectToken,
} from "../../../src/fleet/subjects.ts";
import { checkProperty } from "../../_helpers/property.ts";

/** What NATS accepts in one token: no separator, wildcard or whitespace. */
const TOKEN_REGEXP = /^[^.*>\s]+$/;

Deno.test("subjectToken() gives one safe token for any name", () => {
  checkProperty(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), (name) => {
      const token = subjectToken(name);
      assert.match(token, TOKEN_REGEXP);
      assert.ok(token.length <= 64, token);
    }),
  );
});

Deno.test("subjectToken() keeps distinct names distinct", () => {
  checkProperty(
    fc.property(
      fc.string({ unit: "binary", maxLength: 120 }),
      fc.string({ unit: "binary", maxLength: 120 }),
      (a, b) => {
        fc.pre(a !== b);
        assert.notEqual(subjectToken(a), subjectToken(b));
      },
    ),
  );
});

Deno.test("subjectToken() encodes separators, wildcards, spaces and %", () => {
  assert.equal(subjectToken("web-1_a"), "web-1_a");
  assert.equal(subjectToken("a.b*c>d e%"), "a%2Eb%2Ac%3Ed%20e%25");
  assert.equal(subjectToken(""), "%");
  assert.equal(subjectToken("é"), "%C3%A9");
});

Deno.test("subjects put the host and the id in their own tokens", () => {
  assert.equal(
    findingSubject("node.1", "VGL-2"),
    "vigil.findings.node%2E1.VGL-2",
  );
  assert.equal(
    eventSubject("*", "openat"),
    "vigil.events.%2A.openat",
  );
  assert.equal(findingFilter({}), "vigil.findings.*.*");
  assert.equal(
    findingFilter({ hostName: "a b", signatureId: "VGL-19" }),
    "vigil.findings.a%20b.VGL-19",
  );
});

Deno.test("messageId() depends on the subject and the payload only", () => {
  const id = messageId("vigil.findings.a.b", '{"x":1}');
  assert.equal(id, messageId("vigil.findings.a.b", '{"x":1}'));
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.notEqual(id, messageId("vigil.findings.a.c", '{"x":1}'));
  assert.notEqual(id, messageId("vigil.findings.a.b", '{"x":2}'));
});
