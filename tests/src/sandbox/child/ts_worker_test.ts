import assert from "node:assert/strict";
import { sdkModule } from "../../../../src/sandbox/child/ts_worker.ts";
import * as runtime from "../../../../src/sdk/runtime.ts";

Deno.test("sdkModule() hands a signature every export of runtime.ts, frozen, with no prototype", () => {
  const sdk = sdkModule({ ...runtime }) as typeof runtime & {
    __esModule: boolean;
  };
  assert.deepEqual(Object.keys(sdk), Object.keys(runtime));
  assert.equal(sdk.__esModule, true);
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
});
