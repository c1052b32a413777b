import assert from "node:assert/strict";
import { Opa } from "../../../src/loader/_opa.ts";
import { discoverSignatures } from "../../../src/loader/discover.ts";
import { OPA, ROOT } from "../../_helpers/replay.ts";

Deno.test("a run of opa past its timeout is killed, and the module it was reading is reported", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "vigil-opa-timeout-" });
  try {
    const opa = new Opa(OPA, { timeoutMs: 1 });
    const found = await discoverSignatures(
      [`${ROOT}tests/fixtures/signatures/seed_literal`],
      { opa, cacheDir },
    );
    assert.deepEqual(found.signatures, []);
    assert.ok(
      found.errors.some((e) =>
        e.message.includes("signature_example.rego") &&
        e.message.includes("opa parse did not finish within 1 ms")
      ),
      found.errors.map((e) => e.message).join("\n"),
    );
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
