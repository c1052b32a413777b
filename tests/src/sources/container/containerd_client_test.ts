/**
 * The containerd client against a real containerd (the test's own, see
 * tests/_helpers/containerd.ts): a container is found in whichever
 * namespace it is in, with its image's digest; an unknown one is not; an
 * absent socket is an unavailable runtime.
 *
 * Skipped without containerd (tools/setup.sh installs it), except under
 * CI=true or VIGIL_REQUIRE_KERNEL=1, where it fails instead.
 */
import assert from "node:assert/strict";
import {
  ContainerdClient,
  RuntimeUnavailableError,
} from "../../../../src/sources/container/mod.ts";
import {
  containerdInstalled,
  IMAGE,
  randomHex,
  startContainerd,
} from "../../../_helpers/containerd.ts";

const REQUIRED = Deno.env.get("CI") === "true" ||
  Deno.env.get("VIGIL_REQUIRE_KERNEL") === "1";
const IS_ROOT = Deno.uid() === 0;

Deno.test({
  name:
    "ContainerdClient finds a container in any namespace with its image and digest, and not an unknown one",
  ignore: !REQUIRED && !(IS_ROOT && containerdInstalled()),
  async fn() {
    await using containerd = await startContainerd();
    const client = new ContainerdClient({ socket: containerd.socket });
    try {
      for (const namespace of ["default", "team-a"]) {
        const id = randomHex(32);
        await containerd.createContainer(namespace, id);
        const found = await client.lookup(id);
        assert.equal(found?.id, id, namespace);
        assert.equal(found.image, IMAGE);
        assert.match(found.imageDigest, /^sha256:[0-9a-f]{64}$/);
        assert.equal(found.runtime, "io.containerd.runc.v2");
      }
      assert.equal(await client.lookup(randomHex(32)), undefined);
    } finally {
      client.close();
    }
  },
});

Deno.test("ContainerdClient says the runtime is unavailable when its socket is absent", async () => {
  const dir = await Deno.makeTempDir();
  const client = new ContainerdClient({ socket: `${dir}/absent.sock` });
  try {
    await assert.rejects(() => client.lookup("x"), RuntimeUnavailableError);
  } finally {
    client.close();
    await Deno.remove(dir, { recursive: true });
  }
});
