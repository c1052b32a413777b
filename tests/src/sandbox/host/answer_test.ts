import assert from "node:assert/strict";
import fc from "fast-check";
import {
  limitDepth,
  MAX_DATA_DEPTH,
  parseLoadOutcome,
  readAnswer,
} from "../../../../src/sandbox/host/answer.ts";
import { checkProperty } from "../../../_helpers/property.ts";

/** Nesting depth of a JSON value, without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    deepest = Math.max(deepest, depth);
    for (const member of Object.values(item)) stack.push([member, depth + 1]);
  }
  return deepest;
}

Deno.test("limitDepth() leaves JSON within the limit unchanged and cuts anything deeper, strings aside", () => {
  checkProperty(
    fc.property(
      fc.jsonValue({ maxDepth: 12 }),
      fc.integer({ min: 1, max: 12 }),
      (value, max) => {
        const text = JSON.stringify(value);
        const limited = limitDepth(text, max);
        const parsed = JSON.parse(limited.text);
        if (depthOf(value) <= max) {
          assert.equal(limited.cuts, 0);
          assert.equal(limited.text, text);
        } else {
          assert.ok(limited.cuts > 0);
          assert.ok(depthOf(parsed) <= max);
        }
      },
    ),
  );
});

Deno.test("readAnswer() keeps shallow findings exact and replaces each one nested too deep, whatever the depth", () => {
  const deep = (levels: number) =>
    "[".repeat(levels) + '"x"' + "]".repeat(levels);
  const text = `{"findings":[[0,{"a":${
    deep(200_000)
  }}],[1,{"big":18446744073709551615,"s":"[[[["}],[2,true]],"errors":[[1,${
    deep(5000)
  }]]}`;
  const answer = readAnswer(3, new Set([0, 1, 2]), text);
  assert.equal(answer.findings.length, 3);
  assert.match(answer.findings[0]!.truncated!, /more than 64 levels/);
  assert.deepEqual(answer.findings[1]!.data, {
    big: 18446744073709551615n,
    s: "[[[[",
  });
  assert.equal(answer.findings[1]!.truncated, undefined);
  assert.equal(answer.findings[2]!.data, true);
  assert.equal(answer.failures.length, 1);
  const shallow = `{"findings":[[0,{"a":${
    deep(MAX_DATA_DEPTH - 1)
  }}]],"errors":[]}`;
  assert.equal(
    readAnswer(0, new Set([0]), shallow).findings[0]!.truncated,
    undefined,
  );
});

Deno.test("readAnswer() never throws on arbitrary text and names only routed events", () => {
  checkProperty(
    fc.property(
      fc.oneof(
        fc.string({ unit: "binary" }),
        fc.jsonValue().map((value) =>
          JSON.stringify({ findings: value, errors: [] })
        ),
        fc.array(fc.tuple(fc.integer({ min: -2, max: 6 }), fc.jsonValue()))
          .map((findings) => JSON.stringify({ findings, errors: [] })),
      ),
      (text) => {
        const routed = new Set([0, 2, 4]);
        const answer = readAnswer(1, routed, text);
        for (const finding of answer.findings) {
          assert.ok(routed.has(finding.event));
          assert.equal(finding.signature, 1);
        }
        for (const failure of answer.failures) {
          assert.ok(failure.event === -1 || routed.has(failure.event));
        }
      },
    ),
  );
});

Deno.test("readAnswer() names an event id it was not sent, even one past 2^53", () => {
  const answer = readAnswer(
    1,
    new Set([0]),
    '{"findings":[[[9007199254740993]],[18446744073709551615,true]],"errors":[]}',
  );
  assert.deepEqual(answer.findings, []);
  assert.deepEqual(answer.failures.map((failure) => failure.message), [
    "reported a finding for event [9007199254740993] it was not sent",
    "reported a finding for event 18446744073709551615 it was not sent",
  ]);
});

Deno.test("parseLoadOutcome() refuses metadata nested too deep and malformed answers", () => {
  let deep = '"x"';
  for (let i = 0; i < 10_000; i++) deep = `{"d":${deep}}`;
  const outcome = parseLoadOutcome(
    `{"ok":true,"metadata":${deep},"selectors":[]}`,
  );
  assert.equal(outcome.ok, false);
  assert.match(
    (outcome as { error: string }).error,
    /nested more than 64 levels/,
  );
  assert.deepEqual(parseLoadOutcome("{"), {
    ok: false,
    error: "malformed load answer",
  });
});
