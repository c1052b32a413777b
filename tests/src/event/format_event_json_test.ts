import assert from "node:assert/strict";
import { formatEventJson, stringifyJson } from "../../../src/event/json.ts";
import {
  EVENT_FIELD_ORDER,
  type TraceeEvent,
} from "../../../src/event/event.ts";

/** The reference: each field through stringifyJson, in Tracee's order. */
function reference(event: TraceeEvent): string {
  const parts: string[] = [];
  for (const field of EVENT_FIELD_ORDER) {
    const value = event[field];
    if (value === undefined) continue;
    const text = field === "eventId"
      ? stringifyJson(String(value))
      : stringifyJson(value);
    parts.push(`"${field}":${text}`);
  }
  return `{${parts.join(",")}}`;
}

function event(overrides: Partial<TraceeEvent> = {}): TraceeEvent {
  return {
    timestamp: 1795806724195134263n,
    threadStartTime: 1795806724192114802n,
    processorId: 1,
    processId: 14474,
    cgroupId: 18446744073709551615n,
    threadId: 14474,
    parentProcessId: 1,
    hostProcessId: 14474,
    hostThreadId: 14474,
    hostParentProcessId: 1,
    userId: 0,
    mountNamespace: 4026531832,
    pidNamespace: 4026531836,
    processName: "cat",
    executable: { path: "" },
    hostName: "vm",
    containerId: "",
    container: {},
    kubernetes: {},
    eventId: 257,
    eventName: "openat",
    argsNum: 2,
    returnValue: -2,
    syscall: "openat",
    stackAddresses: null,
    contextFlags: { containerStarted: false, isCompat: false },
    threadEntityId: 1880525860,
    processEntityId: 1880525860,
    parentEntityId: 514469471,
    args: [
      { name: "pathname", type: "const char*", value: "/etc/<passwd>&\u2028" },
      { name: "ctime", type: "unsigned long", value: 1663687649147483648n },
    ],
    ...overrides,
  };
}

Deno.test("formatEventJson() writes what stringifyJson writes field by field", () => {
  const cases: TraceeEvent[] = [
    event(),
    event({ eventId: 6000, matchedPolicies: ["default"] }),
    event({
      timestamp: 5,
      cgroupId: 0n,
      returnValue: -9007199254740993n,
      stackAddresses: [18446744073709551615n, 1],
      args: [{
        name: "argv",
        type: "const char**",
        value: ["a", "\u0000b", undefined],
      }],
      metadata: {
        Version: "0.1.0",
        Description: "d",
        Tags: null,
        Properties: { Severity: 3, big: { deep: [1n, 2n ** 64n] } },
      },
    }),
    event({ container: { id: "c" }, processName: 'a"b\\c' }),
    // Arguments off the plain {name, type, value} shape.
    event({
      args: [
        { name: "n", type: "int", value: NaN },
        { name: "b", type: "bool", value: true },
        { type: "int", name: "swapped", value: 1 },
        { name: "extra", type: "int", value: 2, note: "x" },
        { name: "missing", type: "int", value: undefined },
        { name: "object", type: "sockaddr", value: { port: 1n, a: "<" } },
        null,
      ] as unknown as TraceeEvent["args"],
    }),
  ];
  for (const item of cases) {
    const text = formatEventJson(item);
    assert.equal(text, reference(item));
  }
  assert.match(formatEventJson(event()), /"cgroupId":18446744073709551615,/);
  assert.match(formatEventJson(event()), /"eventId":"257"/);
  assert.match(formatEventJson(event()), /\\u003cpasswd\\u003e\\u0026\\u2028/);
});
