import assert from "node:assert/strict";
import { InputProjections } from "../../../src/engine/input_projections.ts";
import { parseEventLine } from "../../../src/event/envelope.ts";
import { formatEventJson, stringifyJson } from "../../../src/event/json.ts";
import { tracee } from "../../_helpers/replay.ts";

const EVENT = stringifyJson(
  tracee("openat", [["pathname", "const char*", "/etc/passwd"]]),
);
const JSON_TEXT = formatEventJson(
  parseEventLine(EVENT) as Exclude<ReturnType<typeof parseEventLine>, string>,
);

Deno.test("InputProjections gives the union of what the signatures read, or all when one may read all", () => {
  const rego = ["eventName", "args"];
  const projections = new InputProjections([
    rego,
    rego,
    ["processName"],
    undefined,
  ]);
  const keys = (positions: number[]) =>
    Object.keys(JSON.parse(projections.project(JSON_TEXT, positions)));
  // matchedPolicies follows eventName in Tracee's line, and goes with it.
  assert.deepEqual(keys([0, 1]), ["eventName", "matchedPolicies", "args"]);
  assert.deepEqual(keys([1, 2]), [
    "processName",
    "eventName",
    "matchedPolicies",
    "args",
  ]);
  assert.equal(projections.project(JSON_TEXT, [0, 3]), JSON_TEXT);
  assert.equal(projections.project(JSON_TEXT, [3]), JSON_TEXT);
});
