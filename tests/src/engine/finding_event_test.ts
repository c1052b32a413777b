import assert from "node:assert/strict";
import {
  DEFAULT_POLICY,
  findingEvent,
  unprintableData,
} from "../../../src/engine/finding_event.ts";
import type { TraceeEvent } from "../../../src/event/event.ts";
import { parseEventLine } from "../../../src/event/envelope.ts";
import { loadedSignature } from "./_signature.ts";

const FIXTURE = new URL(
  "../../fixtures/events/anti_debugging.jsonl",
  import.meta.url,
);

function trigger(): TraceeEvent {
  const line = Deno.readTextFileSync(FIXTURE).split("\n")[0]!;
  const event = parseEventLine(line);
  if (typeof event === "string") throw new Error(event);
  return event;
}

Deno.test("findingEvent() copies the trigger's context and names the signature's event", () => {
  const event = trigger();
  const signature = loadedSignature(2, {
    id: "TRC-9",
    name: "Nine",
    eventName: "nine",
    version: "2",
    description: "d",
    tags: ["t"],
    properties: { Severity: 3, MITRE: "x" },
  });
  const finding = findingEvent(event, signature, true);
  for (
    const key of [
      "timestamp",
      "processId",
      "hostProcessId",
      "processName",
      "containerId",
      "processEntityId",
      "returnValue",
    ] as const
  ) {
    assert.deepEqual(finding[key], event[key], key);
  }
  assert.equal(finding.eventId, signature.eventId);
  assert.equal(finding.eventName, "nine");
  assert.deepEqual(finding.args, []);
  assert.equal(finding.argsNum, 0);
  assert.deepEqual(finding.metadata, {
    Version: "2",
    Description: "d",
    Tags: ["t"],
    Properties: {
      MITRE: "x",
      Severity: 3,
      signatureID: "TRC-9",
      signatureName: "Nine",
    },
  });
  assert.deepEqual(
    Object.keys(finding.metadata!.Properties as object),
    ["MITRE", "Severity", "signatureID", "signatureName"],
  );
});

Deno.test("findingEvent() turns data into arguments sorted by name, typed by their JSON kind", () => {
  const finding = findingEvent(trigger(), loadedSignature(0), {
    z: 1n << 70n,
    a: "text",
    m: [1],
    n: null,
    o: { k: true },
  });
  assert.deepEqual(
    finding.args.map(({ name, type }) => [name, type]),
    [["a", "string"], ["m", "array"], ["n", "null"], ["o", "object"], [
      "z",
      "number",
    ]],
  );
  assert.equal(finding.argsNum, 5);
  assert.equal(finding.args[4]!.value, 1n << 70n);
});

Deno.test("findingEvent() keeps the trigger's matched policies, or names Tracee's default policy", () => {
  const event = trigger();
  const signature = loadedSignature(0);
  event.matchedPolicies = ["p1", "p2"];
  assert.deepEqual(findingEvent(event, signature, true).matchedPolicies, [
    "p1",
    "p2",
  ]);
  for (const none of [undefined, []]) {
    if (none === undefined) delete event.matchedPolicies;
    else event.matchedPolicies = none;
    assert.deepEqual(findingEvent(event, signature, true).matchedPolicies, [
      DEFAULT_POLICY,
    ]);
  }
});

Deno.test("unprintableData() names data too large or too deep, and passes the rest", () => {
  assert.equal(unprintableData({ a: "x".repeat(10) }, 100), undefined);
  assert.match(
    unprintableData({ a: "x".repeat(200) }, 100)!,
    /^finding data of \d+ bytes exceeded the 100-byte limit$/,
  );
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 100_000; i++) deep = { d: deep };
  assert.match(
    unprintableData(deep, 1 << 30)!,
    /nested more than \d+ levels deep exceeded the depth limit/,
  );
});
