import assert from "node:assert/strict";
import { Opa } from "../../src/loader/_opa.ts";
import { discoverSignatures } from "../../src/loader/discover.ts";
import { RegoCompiler } from "../../src/loader/rego_compiler.ts";
import { OPA, ROOT, TEST_CACHE_DIR } from "../_helpers/replay.ts";

const REGO = `${ROOT}signatures/rego`;

interface OpaTestResult {
  location: { file: string };
  package: string;
  name: string;
  fail?: boolean;
  error?: unknown;
  skip?: boolean;
}

/** Runs `opa <args>` in the project root. */
async function opa(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(OPA, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function regoSignatureFiles(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(REGO)) {
    if (entry.name.endsWith(".rego") && !entry.name.endsWith("_test.rego")) {
      names.push(entry.name.slice(0, -".rego".length));
    }
  }
  return names.sort();
}

// The v0-syntax example (anti_debugging.rego) needs --v0-compatible; the
// v1 modules import rego.v1, which keeps them strict in that mode too.
Deno.test("opa test passes for every built-in Rego signature and the helpers", async () => {
  const { code, stdout, stderr } = await opa([
    "test",
    "--v0-compatible",
    "--format=json",
    "signatures/lib",
    "signatures/rego",
  ]);
  assert.equal(stderr, "");
  const results = JSON.parse(stdout) as OpaTestResult[];
  const failed = results.filter((r) => r.fail || r.error || r.skip)
    .map((r) => `${r.package}.${r.name}`);
  assert.deepEqual(failed, []);
  assert.equal(code, 0);
  for (const name of await regoSignatureFiles()) {
    const tests = results.filter((r) =>
      r.location.file.endsWith(`signatures/rego/${name}_test.rego`)
    );
    assert.ok(tests.length >= 3, `${name}_test.rego has ${tests.length} tests`);
  }
});

Deno.test("opa test passes in v1 mode without the v0-syntax example", async () => {
  const { code, stdout, stderr } = await opa([
    "test",
    "signatures/lib",
    "signatures/rego",
    "--ignore",
    "anti_debugging*",
  ]);
  assert.equal(stderr, "");
  assert.match(stdout, /^PASS: (\d+)\/\1$/m);
  assert.equal(code, 0);
});

Deno.test("built-in Rego signatures are formatted with opa fmt", async () => {
  const v0 = `${REGO}/anti_debugging.rego`;
  const v1 = [
    `${ROOT}signatures/lib`,
    ...(await regoSignatureFiles())
      .map((name) => `${REGO}/${name}.rego`)
      .filter((path) => path !== v0),
  ];
  const tests = [];
  for await (const entry of Deno.readDir(REGO)) {
    if (entry.name.endsWith("_test.rego")) tests.push(`${REGO}/${entry.name}`);
  }
  const strict = await opa(["fmt", "--list", ...v1, ...tests]);
  assert.equal(strict.stdout + strict.stderr, "");
  const legacy = await opa(["fmt", "--v0-compatible", "--list", v0]);
  assert.equal(legacy.stdout + legacy.stderr, "");
});

/** The host builtins a compiled policy asks for, from its `builtins` export. */
function hostBuiltins(wasm: Uint8Array): Record<string, number> {
  const memory = new WebAssembly.Memory({ initial: 5 });
  const stub = () => 0;
  const instance = new WebAssembly.Instance(
    new WebAssembly.Module(wasm as BufferSource),
    {
      env: {
        memory,
        opa_abort: stub,
        opa_println: stub,
        opa_builtin0: stub,
        opa_builtin1: stub,
        opa_builtin2: stub,
        opa_builtin3: stub,
        opa_builtin4: stub,
      },
    },
  );
  const exports = instance.exports as Record<
    string,
    (value?: number) => number
  >;
  const text = exports.opa_json_dump!(exports.builtins!());
  const bytes = new Uint8Array(memory.buffer, text);
  return JSON.parse(
    new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0))),
  );
}

Deno.test("built-in Rego signatures use only builtins compiled into WebAssembly", async () => {
  const opa = new Opa(OPA);
  const found = await discoverSignatures([`${ROOT}signatures`], {
    opa,
    cacheDir: TEST_CACHE_DIR,
  });
  assert.deepEqual(found.errors, []);
  const compiler = new RegoCompiler({ cacheDir: TEST_CACHE_DIR, opa });
  let checked = 0;
  for (const signature of found.signatures) {
    if (signature.kind !== "rego") continue;
    const { wasm } = await compiler.compile(
      signature.module,
      signature.libraries,
    );
    assert.deepEqual(hostBuiltins(wasm), {}, signature.path);
    checked++;
  }
  assert.equal(checked, (await regoSignatureFiles()).length);
});
