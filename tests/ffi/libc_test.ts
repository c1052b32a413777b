import assert from "node:assert/strict";
import { BpfError } from "../../ffi/errors.ts";
import { execve, getEnv, readFileBytes, readLink } from "../../ffi/libc.ts";

Deno.test("readFileBytes() reads a /proc file whole, as Deno's own API does", () => {
  assert.deepEqual(
    readFileBytes("/proc/self/cmdline"),
    Deno.readFileSync("/proc/self/cmdline"),
  );
  assert.throws(
    () => readFileBytes("/nonexistent/file"),
    (error: BpfError) =>
      error instanceof BpfError && error.code === "ENOENT" &&
      error.message ===
        'Cannot open "/nonexistent/file": no such file or directory',
  );
});

Deno.test("readLink() gives the executable /proc/self/exe points at", () => {
  assert.equal(readLink("/proc/self/exe"), Deno.execPath());
  assert.throws(() => readLink("/proc/self/cmdline"), BpfError);
});

Deno.test("getEnv() reads this process's environment through libc", () => {
  assert.equal(getEnv("PATH"), Deno.env.get("PATH"));
  assert.equal(getEnv("VIGIL_SURELY_UNSET_VARIABLE"), undefined);
});

Deno.test("execve() throws, and this process goes on, when the program does not exist", () => {
  assert.throws(
    () => execve("/nonexistent/program", ["program"], []),
    (error: BpfError) => error instanceof BpfError && error.code === "ENOENT",
  );
});
