import assert from "node:assert/strict";
import { Opa } from "../../../src/loader/_opa.ts";
import { NotSupportedError } from "../../../src/errors.ts";
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

Deno.test("Opa.version() records the version it ran, and answers it when opa cannot run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-opa-version-" });
  try {
    const versionFile = `${dir}/opa-version`;
    const ran = await new Opa(OPA, { versionFile }).version();
    assert.match(ran, /^Version: \d+\.\d+\.\d+/);
    assert.equal(await Deno.readTextFile(versionFile), ran);
    const missing = `${dir}/no-opa`;
    assert.equal(await new Opa(missing, { versionFile }).version(), ran);
    await Deno.remove(versionFile);
    await assert.rejects(
      () => new Opa(missing, { versionFile }).version(),
      NotSupportedError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
