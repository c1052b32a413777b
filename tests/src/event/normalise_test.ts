import assert from "node:assert/strict";
import { EVENT_FIELD_ORDER } from "../../../src/event/event.ts";
import { formatEventJson, parseJsonExact } from "../../../src/event/json.ts";
import {
  MAX_JSON_DEPTH,
  normaliseEvent,
} from "../../../src/event/normalise.ts";
import { parseEventLine } from "../../../src/event/envelope.ts";

Deno.test("normaliseEvent() gives absent and null fields Tracee's zero values", () => {
  const event = normaliseEvent({
    eventName: "openat",
    argsNum: 0,
    processName: null,
    container: null,
  });
  assert.ok(typeof event !== "string", event as string);
  assert.equal(
    formatEventJson(event),
    '{"timestamp":0,"threadStartTime":0,"processorId":0,"processId":0,"cgroupId":0,"threadId":0,"parentProcessId":0,"hostProcessId":0,"hostThreadId":0,"hostParentProcessId":0,"userId":0,"mountNamespace":0,"pidNamespace":0,"processName":"","executable":{"path":""},"hostName":"","containerId":"","container":{},"kubernetes":{},"eventId":"0","eventName":"openat","argsNum":0,"returnValue":0,"syscall":"","stackAddresses":null,"contextFlags":{"containerStarted":false,"isCompat":false},"threadEntityId":0,"processEntityId":0,"parentEntityId":0,"args":[]}',
  );
  assert.deepEqual(Object.keys(event), [
    ...EVENT_FIELD_ORDER.filter((f) =>
      f !== "matchedPolicies" && f !== "metadata"
    ),
  ]);
});

Deno.test("normaliseEvent() keeps Go's shape: known members only, empty omitempty members left out", () => {
  const event = normaliseEvent(parseJsonExact(
    '{"eventName":"x","extra":1,"eventId":"0257","container":{"id":"c","name":"","x":1},"kubernetes":{"podSandbox":false,"podUID":"u"},"matchedPolicies":[],"executable":{"path":"/bin/x","inode":3},"args":[null,{"name":"argv","type":"const char**","value":null},{"name":"n","type":"int","value":{"deep":[1]}}],"metadata":{"Version":"1","Tags":null,"Properties":null}}',
  ));
  assert.ok(typeof event !== "string", event as string);
  assert.equal(event.eventId, "257");
  assert.deepEqual(event.container, { id: "c" });
  assert.deepEqual(event.kubernetes, { podUID: "u" });
  assert.deepEqual(event.executable, { path: "/bin/x" });
  assert.equal(event.matchedPolicies, undefined);
  assert.equal("extra" in event, false);
  assert.deepEqual(event.args, [
    { name: "", type: "", value: null },
    { name: "argv", type: "const char**", value: [] },
    { name: "n", type: "int", value: { deep: [1] } },
  ]);
  assert.deepEqual(event.metadata, {
    Version: "1",
    Description: "",
    Tags: null,
    Properties: {},
  });
});

Deno.test("parseEventLine() skips a line Go's decoder rejects, saying which field", () => {
  const cases: [string, RegExp][] = [
    [
      '{"eventName":"x","containerId":123456789012345678901234567890}',
      /^"containerId" is a number where Tracee has a string$/,
    ],
    [
      '{"eventName":"x","processorId":"4"}',
      /^"processorId" is a string where Tracee has an integer$/,
    ],
    [
      '{"eventName":"x","returnValue":1.5}',
      /^"returnValue" is a number where Tracee has an integer$/,
    ],
    [
      '{"eventName":"x","cgroupId":-1}',
      /^"cgroupId" -1 is out of range for Go's uint64$/,
    ],
    [
      '{"eventName":"x","timestamp":9223372036854775808}',
      /^"timestamp" 9223372036854775808 is out of range/,
    ],
    [
      '{"eventName":"x","threadEntityId":4294967296}',
      /^"threadEntityId" 4294967296 is out of range for Go's uint32$/,
    ],
    [
      '{"eventName":"x","eventId":"abc"}',
      /^"eventId" "abc" is not an integer$/,
    ],
    [
      '{"eventName":"x","args":{}}',
      /^"args" is an object where Tracee has a list$/,
    ],
    [
      '{"eventName":"x","args":["a"]}',
      /^"args\[0\]" is a string where Tracee has an object$/,
    ],
    [
      '{"eventName":"x","executable":"/bin/sh"}',
      /^"executable" is a string where Tracee has an object$/,
    ],
    [
      '{"eventName":"x","contextFlags":{"isCompat":1}}',
      /^"contextFlags.isCompat" is a number where Tracee has a boolean$/,
    ],
    [
      '{"eventName":"x","stackAddresses":[-1]}',
      /^"stackAddresses\[0\]" -1 is out of range/,
    ],
    ['{"eventName":""}', /^it has no eventName$/],
    ['{"args":[]}', /^it has no eventName$/],
    ["[1]", /^not a JSON object$/],
    ["nul", /^not JSON/],
  ];
  for (const [line, reason] of cases) {
    const result = parseEventLine(line);
    assert.equal(typeof result, "string", line);
    assert.match(result as string, reason, line);
  }
});

Deno.test("parseEventLine() takes exact 64-bit integers at the edges of Go's types", () => {
  const event = parseEventLine(
    '{"eventName":"x","timestamp":-9223372036854775808,"cgroupId":18446744073709551615,"threadEntityId":4294967295,"eventId":1,"stackAddresses":[18446744073709551615,null]}',
  );
  assert.ok(typeof event !== "string", event as string);
  assert.equal(event.timestamp, -9223372036854775808n);
  assert.equal(event.cgroupId, 18446744073709551615n);
  assert.equal(event.threadEntityId, 4294967295);
  assert.equal(event.eventId, "1");
  assert.deepEqual(event.stackAddresses, [18446744073709551615n, 0]);
});

Deno.test("parseEventLine() skips a line nested deeper than Go's decoder reads", () => {
  const nested = (depth: number) =>
    `{"eventName":"x","args":[{"name":"a","type":"t","value":${
      "[".repeat(depth)
    }${"]".repeat(depth)}}]}`;
  // The object, args and the argument are three levels.
  const deepest = parseEventLine(nested(MAX_JSON_DEPTH - 3));
  assert.ok(typeof deepest !== "string", deepest as string);
  assert.equal(
    parseEventLine(nested(MAX_JSON_DEPTH - 2)),
    `it is nested more than ${MAX_JSON_DEPTH} levels deep`,
  );
  assert.equal(
    parseEventLine(nested(200_000)),
    `it is nested more than ${MAX_JSON_DEPTH} levels deep`,
  );
});
