import assert from "node:assert/strict";
import { Opa } from "../../../src/loader/_opa.ts";
import {
  discoverSignatures,
  MAX_SOURCE_FILES,
} from "../../../src/loader/discover.ts";
import { OPA, TEST_CACHE_DIR } from "../../_helpers/replay.ts";

const OPTIONS = { opa: new Opa(OPA), cacheDir: TEST_CACHE_DIR };

Deno.test("discoverSignatures() reads at most MAX_SOURCE_FILES source files in all, and says where it stopped", async () => {
  const dirs = [
    await Deno.makeTempDir({ prefix: "vigil-many-" }),
    await Deno.makeTempDir({ prefix: "vigil-many-" }),
  ];
  try {
    // Not UTF-8: each is refused as soon as it is read, without OPA.
    const bytes = new Uint8Array([0xff, 0xfe]);
    for (let i = 0; i < MAX_SOURCE_FILES; i++) {
      await Deno.writeFile(`${dirs[0]}/s${i}.rego`, bytes);
    }
    await Deno.writeFile(`${dirs[1]}/one_more.rego`, bytes);
    await Deno.writeFile(`${dirs[1]}/not_a_source.txt`, bytes);
    const found = await discoverSignatures(dirs, OPTIONS);
    const messages = found.errors.map((e) => e.message);
    assert.equal(
      messages.filter((m) => m.endsWith("it is not UTF-8 text")).length,
      MAX_SOURCE_FILES,
    );
    assert.deepEqual(messages.filter((m) => !m.endsWith("UTF-8 text")), [
      `Cannot load signature "${
        dirs[1]
      }": the signature directories hold more than ${MAX_SOURCE_FILES} source files; the rest are left out`,
    ]);
  } finally {
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("discoverSignatures() does not open a FIFO or follow a symlink named like a signature", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-special-" });
  try {
    const made = await new Deno.Command("mkfifo", {
      args: [`${dir}/fifo.rego`],
    })
      .output();
    assert.ok(made.success);
    await Deno.symlink("/dev/zero", `${dir}/zero.ts`);
    const found = await discoverSignatures([dir], OPTIONS);
    assert.deepEqual(found.signatures, []);
    assert.deepEqual(found.errors, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("discoverSignatures() refuses a file whose name holds a newline, naming it escaped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-names-" });
  try {
    await Deno.writeTextFile(
      `${dir}/x\nvigil inf: 0 event(s) processed.rego`,
      "package x\n",
    );
    const found = await discoverSignatures([dir], OPTIONS);
    assert.deepEqual(found.errors.map((e) => e.message), [
      `Cannot load signature "${dir}/x\\u000avigil inf: 0 event(s) processed.rego": its path holds control or format characters`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
