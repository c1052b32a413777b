import assert from "node:assert/strict";
import {
  planReexec,
  REEXEC_MARKER,
  splitNulTerminated,
} from "../../../src/cli/reexec.ts";

const EXE = "/usr/local/bin/deno";
const ENV = ["HOME=/root", "PATH=/usr/bin"];

function plan(cmdline: string[], args: string[], environ = ENV) {
  return planReexec({ exe: EXE, cmdline, environ, args });
}

Deno.test("planReexec() runs the same deno, script and arguments with -A and the young-generation cap", () => {
  const reexec = plan(
    ["deno", "run", "--allow-ffi", "mod.ts", "--events", "mine"],
    ["--events", "mine"],
  );
  assert.deepEqual(reexec, {
    path: EXE,
    argv: [
      "deno",
      "run",
      "-A",
      "--v8-flags=--max-semi-space-size=4,--heap-growing-percent=30",
      "mod.ts",
      "--events",
      "mine",
    ],
    env: [...ENV, `${REEXEC_MARKER}=1`],
  });
});

Deno.test("planReexec() keeps deno's other options and a given --v8-flags, and drops permission grants deno refuses beside -A", () => {
  const reexec = plan(
    [
      "/opt/deno",
      "run",
      "--quiet",
      "-R",
      "--allow-ffi=/usr/lib",
      "--allow-scripts",
      "--deny-net",
      "--v8-flags=--max-old-space-size=512",
      "./mod.ts",
      "list",
      "--allow-ffi",
    ],
    ["list", "--allow-ffi"],
  );
  assert.deepEqual(reexec.argv, [
    "/opt/deno",
    "run",
    "-A",
    "--quiet",
    "--allow-scripts",
    "--deny-net",
    "--v8-flags=--max-old-space-size=512",
    "./mod.ts",
    "list",
    "--allow-ffi",
  ]);
});

Deno.test("planReexec() puts -A after `run` wherever it is, or first without it, and sets the marker once", () => {
  const reexec = plan(
    ["deno", "--allow-ffi", "mod.ts"],
    [],
    [...ENV, `${REEXEC_MARKER}=stale`],
  );
  assert.deepEqual(reexec.argv, [
    "deno",
    "-A",
    "--v8-flags=--max-semi-space-size=4,--heap-growing-percent=30",
    "mod.ts",
  ]);
  assert.deepEqual(reexec.env, [...ENV, `${REEXEC_MARKER}=1`]);
  assert.deepEqual(
    plan(["deno", "--quiet", "run", "--allow-ffi", "mod.ts"], []).argv,
    [
      "deno",
      "--quiet",
      "run",
      "-A",
      "--v8-flags=--max-semi-space-size=4,--heap-growing-percent=30",
      "mod.ts",
    ],
  );
});

Deno.test("planReexec() refuses a command line that does not end with the script's arguments", () => {
  assert.throws(
    () => plan(["deno", "run", "mod.ts", "--events", "x"], ["--events", "y"]),
    RangeError,
  );
  assert.throws(() => plan(["deno"], ["a"]), RangeError);
});

Deno.test("splitNulTerminated() reads /proc's NUL-terminated lists, empty strings included", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  assert.deepEqual(splitNulTerminated(encode("deno\0run\0\0x\0")), [
    "deno",
    "run",
    "",
    "x",
  ]);
  assert.deepEqual(splitNulTerminated(new Uint8Array(0)), []);
});
