import assert from "node:assert/strict";
import { compileTypeScript } from "../../../src/loader/ts_compiler.ts";
import { SignatureError } from "../../../src/errors.ts";

const COMPILER = new URL(
  "../../../src/loader/ts_compiler.ts",
  import.meta.url,
).href;

const SIGNATURE = `import type { OnEvent } from "../src/sdk/mod.ts";
export const metadata = { id: "T-1", eventName: "t_one" };
export const selectedEvents = [{ source: "tracee", name: "openat" }];
export const onEvent: OnEvent = (event, report) => {
  if ((event.processName as string) === "x") report();
};
`;

/** A directory with a signature file and an empty cache directory. */
async function scratch(): Promise<
  AsyncDisposable & { path: string; cacheDir: string }
> {
  const dir = await Deno.makeTempDir({ prefix: "vigil-ts-cache-" });
  const path = `${dir}/sig.ts`;
  await Deno.writeTextFile(path, SIGNATURE);
  return {
    path,
    cacheDir: `${dir}/cache`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

async function cacheEntries(cacheDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(cacheDir)) names.push(entry.name);
  return names;
}

/** Compiles `path` in a process that cannot load npm packages (the compiler). */
async function compileWithoutNpm(
  path: string,
  cacheDir: string,
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const script = `import { compileTypeScript } from "${COMPILER}";
const compiled = await compileTypeScript(${JSON.stringify(path)}, {
  cacheDir: ${JSON.stringify(cacheDir)},
});
console.log(JSON.stringify(compiled));`;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-npm", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    ok: output.success,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("compileTypeScript() takes a second compile from the cache, the same code", async () => {
  await using dir = await scratch();
  const first = await compileTypeScript(dir.path, { cacheDir: dir.cacheDir });
  const second = await compileTypeScript(dir.path, { cacheDir: dir.cacheDir });
  assert.equal(first.cached, false);
  assert.equal(second.cached, true);
  assert.equal(second.code, first.code);
  assert.match(first.code, /exports\.onEvent = onEvent/);
  assert.equal((await cacheEntries(dir.cacheDir)).length, 1);
});

Deno.test("compileTypeScript() does not load the compiler on a cache hit", async () => {
  await using dir = await scratch();
  const cold = await compileWithoutNpm(dir.path, dir.cacheDir);
  assert.equal(cold.ok, false, "a cache miss needs sucrase and acorn");
  assert.match(cold.stderr, /_ts_transpile\.ts/);
  const compiled = await compileTypeScript(dir.path, {
    cacheDir: dir.cacheDir,
  });
  const warm = await compileWithoutNpm(dir.path, dir.cacheDir);
  assert.ok(warm.ok, warm.stderr);
  assert.deepEqual(JSON.parse(warm.stdout), { ...compiled, cached: true });
});

Deno.test("compileTypeScript() compiles again when the cache entry is damaged", async () => {
  await using dir = await scratch();
  const first = await compileTypeScript(dir.path, { cacheDir: dir.cacheDir });
  const [name] = await cacheEntries(dir.cacheDir);
  const entry = `${dir.cacheDir}/${name}`;
  const text = await Deno.readTextFile(entry);
  for (
    const damaged of [
      text.slice(0, -10),
      text.replace("exports.onEvent", "exports.onEvenT"),
      "",
    ]
  ) {
    await Deno.writeTextFile(entry, damaged);
    const again = await compileTypeScript(dir.path, {
      cacheDir: dir.cacheDir,
    });
    assert.equal(again.cached, false);
    assert.equal(again.code, first.code);
    assert.equal(await Deno.readTextFile(entry), text, "the entry is repaired");
  }
});

Deno.test("compileTypeScript() compiles a changed source anew", async () => {
  await using dir = await scratch();
  await compileTypeScript(dir.path, { cacheDir: dir.cacheDir });
  await Deno.writeTextFile(dir.path, SIGNATURE.replace('"x"', '"y"'));
  const changed = await compileTypeScript(dir.path, {
    cacheDir: dir.cacheDir,
  });
  assert.equal(changed.cached, false);
  assert.match(changed.code, /=== "y"/);
  assert.equal((await cacheEntries(dir.cacheDir)).length, 2);
});

Deno.test("compileTypeScript() refuses a signature that imports at run time every time, caching nothing", async () => {
  await using dir = await scratch();
  await Deno.writeTextFile(
    dir.path,
    `${SIGNATURE}const leak = () => import("file:///etc/passwd");\n`,
  );
  for (let i = 0; i < 2; i++) {
    await assert.rejects(
      compileTypeScript(dir.path, { cacheDir: dir.cacheDir }),
      (error) =>
        error instanceof SignatureError &&
        /is not allowed/.test(error.message),
    );
  }
  await assert.rejects(Deno.stat(dir.cacheDir), Deno.errors.NotFound);
});
