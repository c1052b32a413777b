/**
 * `deno task compile` where Deno cannot download its `denort` runtime: the
 * download is made to fail on any machine (a Deno cache without it, a proxy
 * that refuses connections), and the message must say what to do.
 */
import assert from "node:assert/strict";
import { ROOT } from "../_helpers/replay.ts";

/** Deno's cache of npm packages and modules, without downloaded runtimes. */
async function cacheWithoutRuntimes(dir: string): Promise<void> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
  }).output();
  const { npmCache, modulesCache } = JSON.parse(
    new TextDecoder().decode(info.stdout),
  ) as { npmCache: string; modulesCache: string };
  await Deno.symlink(npmCache, `${dir}/npm`);
  await Deno.symlink(modulesCache, `${dir}/remote`);
}

Deno.test("deno task compile says how to point DENORT_BIN at a denort when it cannot download one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-compile-" });
  try {
    await Deno.mkdir(`${dir}/deno`);
    await cacheWithoutRuntimes(`${dir}/deno`);
    const env = { ...Deno.env.toObject() };
    delete env.DENORT_BIN;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}tools/compile.ts`, "--out", `${dir}/vigil`],
      clearEnv: true,
      env: {
        ...env,
        DENO_DIR: `${dir}/deno`,
        HTTPS_PROXY: "http://127.0.0.1:9",
        HTTP_PROXY: "http://127.0.0.1:9",
        NO_PROXY: "",
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 1, stderr);
    assert.match(
      stderr,
      /^Cannot build the single binary: deno compile could not get its runtime, denort \d+\.\d+\.\d+, from dl\.deno\.land \(.+\)\.$/m,
    );
    assert.match(
      stderr,
      /^ {2}DENORT_BIN=\/path\/to\/denort deno task compile$/m,
    );
    assert.doesNotMatch(stderr, /Stack backtrace/);
    await assert.rejects(() => Deno.stat(`${dir}/vigil`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
