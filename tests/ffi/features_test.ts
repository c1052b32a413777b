import assert from "node:assert/strict";
import { FEATURES, kernelAtLeast, probeFeatures } from "../../ffi/features.ts";
import { ignoreKernelTests } from "../_helpers/kernel.ts";

Deno.test("kernelAtLeast() compares release strings numerically", () => {
  assert.equal(kernelAtLeast("5.8", "6.18.44-fc-v595"), true);
  assert.equal(kernelAtLeast("5.17", "5.15.0-91-generic"), false);
  assert.equal(kernelAtLeast("5.15", "5.15.0-91-generic"), true);
  assert.equal(kernelAtLeast("4.17", "4.9.337"), false);
  assert.equal(kernelAtLeast("5.5", "5.10"), true);
});

Deno.test({
  name: "probeFeatures() finds every feature its minimum kernel promises",
  ignore: ignoreKernelTests(),
  fn() {
    for (const { feature, supported } of probeFeatures()) {
      if (kernelAtLeast(feature.minimumKernel)) {
        assert.equal(
          supported,
          true,
          `${feature.name} probed unsupported on Linux ${Deno.osRelease()}`,
        );
      }
    }
    assert.equal(probeFeatures().length, FEATURES.length);
  },
});
