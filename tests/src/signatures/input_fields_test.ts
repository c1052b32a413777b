import assert from "node:assert/strict";
import type { RegoModule } from "../../../src/signatures/discover.ts";
import { inputFields } from "../../../src/signatures/input_fields.ts";

function module(text: string): RegoModule {
  return { path: "x.rego", packagePath: "x", text };
}

Deno.test('inputFields() lists the fields read as input.<name> and input["<name>"]', () => {
  const fields = inputFields([
    module(`package x
# input.commented is not read
tracee_match if {
  input.eventName == "openat"
  input . processName == "input.inString"
  input["containerId"] != ""
}`),
    module(`package tracee.helpers
get(name) := v if { some a in input.args; a.name == name; v := a.value }`),
  ]);
  assert.deepEqual(fields, ["args", "containerId", "eventName", "processName"]);
});

Deno.test("inputFields() gives null when input is used whole or with a variable key", () => {
  assert.equal(
    inputFields([module("package x\nf(e) := e.eventName\nm := f(input)")]),
    null,
  );
  assert.equal(inputFields([module('package x\nm if input[k] == "x"')]), null);
});
