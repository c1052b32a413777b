import assert from "node:assert/strict";
import { startSignatures } from "../../../src/cli/start.ts";
import { OPA, ROOT } from "../../_helpers/replay.ts";

Deno.test("startSignatures() compiles v0 and v1 Rego and their bundle once and takes the second start from the cache", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "vigil-cache-" });
  try {
    const dirs = [
      `${ROOT}tests/fixtures/signatures/seed`,
      `${ROOT}tests/fixtures/signatures/engine`,
      `${ROOT}signatures/lib`,
    ];
    const first = await startSignatures({ dirs, cacheDir, opa: OPA });
    await first.sandbox.close();
    assert.deepEqual(first.errors, []);
    // Five Rego signatures alone, the four v1 ones again as one bundle, and
    // one TypeScript signature.
    assert.equal(first.compiled, 7);
    const second = await startSignatures({ dirs, cacheDir, opa: OPA });
    await second.sandbox.close();
    assert.equal(second.compiled, 0);
    assert.deepEqual(
      second.signatures.map((s) => [s.metadata.id, s.eventId]),
      first.signatures.map((s) => [s.metadata.id, s.eventId]),
    );
    assert.deepEqual(second.signatures.map((s) => s.eventId), [
      6000,
      6001,
      6002,
      6003,
      6004,
      6005,
    ]);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
