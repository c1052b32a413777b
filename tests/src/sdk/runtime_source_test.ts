import assert from "node:assert/strict";
import fc from "fast-check";
import * as runtime from "../../../src/sdk/runtime.ts";
import {
  SDK_SPECIFIER,
  sdkSourceFor,
} from "../../../src/sdk/_runtime_source.ts";
import { checkProperty } from "../../_helpers/property.ts";
import { startEvent } from "./_events.ts";

/** The runtime as a signature's worker builds it from its source text. */
function rebuilt(): typeof runtime {
  return new Function(
    `"use strict"; return ${sdkSourceFor(`require('${SDK_SPECIFIER}')`)};`,
  )();
}

Deno.test("a worker gets the SDK's source only when its signature's code names the SDK", () => {
  assert.equal(sdkSourceFor("exports.onEvent = () => {};"), "undefined");
  assert.notEqual(
    sdkSourceFor(`var _sdk = require('${SDK_SPECIFIER}');`),
    "undefined",
  );
});

Deno.test("the SDK rebuilt from source has every export of runtime.ts, frozen", () => {
  const sdk = rebuilt();
  assert.deepEqual(Object.keys(sdk), Object.keys(runtime));
  assert.equal(Object.getPrototypeOf(sdk), null);
  for (
    const value of [
      sdk,
      sdk.argumentValue,
      sdk.ProgramStarts,
      sdk.ProgramStarts.prototype,
      sdk.SHELL_NAMES,
    ]
  ) {
    assert.ok(Object.isFrozen(value));
  }
  assert.throws(() => {
    (sdk as { argumentValue: unknown }).argumentValue = () => "forged";
  }, TypeError);
  assert.throws(() => {
    (sdk.SHELL_NAMES as string[]).push("python3");
  }, TypeError);
  assert.deepEqual(sdk.SHELL_NAMES, runtime.SHELL_NAMES);
});

Deno.test("the SDK rebuilt from source tells program starts apart as runtime.ts does", () => {
  const names = [
    "execve",
    "execveat",
    "security_bprm_check",
    "sched_process_exec",
  ];
  const event = fc.record({
    name: fc.constantFrom(...names),
    pid: fc.integer({ min: 1, max: 4 }),
    time: fc.bigInt({ min: 0n, max: 30n }),
    failed: fc.boolean(),
  }).map(({ name, pid, time, failed }) =>
    startEvent(name, pid, time, failed ? -2 : 0)
  );
  const sdk = rebuilt();
  /** Which start each event belongs to, as the index of its first event. */
  const startsOf = (
    starts: runtime.ProgramStarts<object>,
    events: ReturnType<typeof startEvent>[],
  ) => {
    const seen = new Map<object, number>();
    return events.map((e, i) => {
      const start = starts.startOf(e);
      if (start === undefined) return -1;
      if (!seen.has(start)) seen.set(start, i);
      return seen.get(start);
    });
  };
  checkProperty(
    fc.property(fc.array(event, { maxLength: 40 }), (events) => {
      assert.deepEqual(
        startsOf(new sdk.ProgramStarts(() => ({}), 3), events),
        startsOf(new runtime.ProgramStarts(() => ({}), 3), events),
      );
    }),
  );
});

Deno.test("the SDK rebuilt from source reads arguments, shells and selectors as runtime.ts does", () => {
  const sdk = rebuilt();
  const exec = startEvent("execve", 1, 1n);
  exec.args.push({ name: "argv", type: "const char**", value: ["sh", "-c"] });
  exec.args[0]!.value = "/bin/busybox";
  for (const module of [sdk, runtime]) {
    assert.equal(module.startedShell(exec), "/bin/busybox");
    assert.equal(module.stringArgument(exec, "argv"), "");
    assert.equal(module.pidArgument(exec, "pathname"), undefined);
    assert.deepEqual(module.selectTracee(["dup", "dup2"], "host"), [
      { source: "tracee", name: "dup", origin: "host" },
      { source: "tracee", name: "dup2", origin: "host" },
    ]);
  }
});
