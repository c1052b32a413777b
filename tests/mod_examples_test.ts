/**
 * The `@example`s of each folder's `mod.ts` type-check and run (those not
 * marked `ignore`, which need root, a kernel or signature directories), so
 * that the documented surface cannot drift from the code.
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

/** Every `mod.ts` of src/ and ffi/, relative to the project root. */
async function modFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && !entry.name.startsWith(".")) {
      found.push(...await modFiles(path));
    } else if (entry.name === "mod.ts") found.push(path);
  }
  return found;
}

Deno.test("the examples of every mod.ts in src/ and ffi/ run", async () => {
  const files = [...await modFiles("src"), ...await modFiles("ffi")].sort();
  assert.ok(files.includes("src/event/mod.ts"), files.join(", "));
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-prompt", "--doc", ...files],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  const output = decoder.decode(stdout) + decoder.decode(stderr);
  assert.equal(code, 0, output);
  assert.match(output, /ok \| [1-9]\d* passed \| 0 failed/);
});
