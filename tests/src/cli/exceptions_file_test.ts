import assert from "node:assert/strict";
import { readExceptionsFile } from "../../../src/cli/exceptions_file.ts";
import { UsageError } from "../../../src/cli/program.ts";
import { MAX_SETTINGS_BYTES } from "../../../src/cli/settings_file.ts";
import { ROOT, runVigil } from "../../_helpers/replay.ts";

async function withFile(
  text: string | Uint8Array,
  fn: (path: string) => Promise<void>,
  name = "exceptions.yaml",
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vigil-exceptions-" });
  try {
    const path = `${dir}/${name}`;
    if (typeof text === "string") await Deno.writeTextFile(path, text);
    else await Deno.writeFile(path, text);
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function refused(text: string | Uint8Array, pattern: RegExp) {
  await withFile(text, async (path) => {
    await assert.rejects(
      () => readExceptionsFile(path),
      (error: Error) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, pattern);
        assert.ok(error.message.includes(path));
        return true;
      },
    );
  });
}

Deno.test("readExceptionsFile() reads YAML and JSON exceptions alike", async () => {
  const expected = [{
    name: "backups",
    signature: "VGL-12",
    conditions: {
      "process.name": ["rsync", "borg"],
      "args.pathname": ["/etc/shadow"],
      "args.flags": ["0"],
    },
  }];
  await withFile(
    `exceptions:
  - name: backups
    signature: VGL-12
    match:
      process.name: [rsync, borg]
      args.pathname: /etc/shadow
      args.flags: 0
`,
    async (path) => assert.deepEqual(await readExceptionsFile(path), expected),
  );
  await withFile(
    JSON.stringify({
      exceptions: [{
        name: "backups",
        signature: "VGL-12",
        match: {
          "process.name": ["rsync", "borg"],
          "args.pathname": "/etc/shadow",
          "args.flags": 0,
        },
      }],
    }),
    async (path) => assert.deepEqual(await readExceptionsFile(path), expected),
    "exceptions.json",
  );
});

Deno.test("readExceptionsFile() names the entry and key it refuses", async () => {
  const entry = (match: string, extra = "") =>
    `exceptions:\n  - name: a\n    signature: S\n${extra}    match: ${match}\n`;
  await refused(
    entry("{process.nam: x}"),
    /exception 1: unknown field "process.nam"/,
  );
  await refused(
    entry("{process.name: x}", "    when: 1\n"),
    /exception 1: unknown key "when"/,
  );
  await refused(entry("{}"), /exception 1: "match" must hold 1 to 32 fields/);
  await refused(entry("{process.name: []}"), /"process.name" must hold 1 to/);
  await refused(
    entry("{process.name: {a: 1}}"),
    /"process.name" must be a text/,
  );
  await refused(entry('{"args.__proto__ x": a}'), /unknown field/);
  await refused("rules: []\n", /the key "exceptions"/);
  await refused("exceptions: []\nmore: 1\n", /unknown key "more"/);
  await refused("exceptions: {a: 1}\n", /must be a list/);
  await refused("- 1\n", /the key "exceptions"/);
});

Deno.test("readExceptionsFile() refuses hostile files at once, with one clear error", async () => {
  await refused(
    "x".repeat(MAX_SETTINGS_BYTES + 1),
    /larger than 1048576 bytes/,
  );
  await refused("[".repeat(200_000), /Cannot parse exceptions file/);
  await refused(
    "- ".repeat(100_000) + "x\n",
    /Cannot (parse|use) exceptions file/,
  );
  await refused(
    "a: &a [1, 2]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n",
    /Cannot parse exceptions file/,
  );
  await refused(new Uint8Array([0x65, 0x3a, 0x20, 0xff, 0xfe]), /not UTF-8/);
  await refused("exceptions: [\n", /Cannot parse/);
  await refused("a: 1\na: 2\n", /Cannot parse/);
  await assert.rejects(
    () => readExceptionsFile("/dev/zero"),
    /not a regular file/,
  );
  await assert.rejects(
    () => readExceptionsFile("/nonexistent/x.yaml"),
    /Cannot read exceptions file/,
  );
});

Deno.test("vigil --exceptions silences the matching finding, counts it, and exits 2 on a bad file", async () => {
  const input = `${ROOT}tests/fixtures/events/shadow_file_read.jsonl`;
  const plain = await runVigil(["-i", input, "-o", "json"]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(plain.events.map((e) => e.eventName), ["shadow_file_read"]);
  await withFile(
    `exceptions:
  - name: cat may read it
    signature: VGL-12
    match: {process.name: cat, executable.path: /usr/bin/*, args.pathname: /etc/shadow}
  - name: another program
    signature: VGL-12
    match: {process.name: rsync}
  - name: a typo
    signature: VGL-121
    match: {process.name: cat}
`,
    async (path) => {
      const run = await runVigil([
        "-i",
        input,
        "-o",
        "json",
        "--exceptions",
        path,
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.events, []);
      assert.match(run.stderr, /1 finding\(s\) suppressed by exceptions/);
      assert.match(
        run.stderr,
        /Exceptions name signatures that are not loaded: VGL-121$/m,
      );
    },
  );
  await withFile("exceptions: [{name: a}]\n", async (path) => {
    const run = await runVigil(["-i", input, "--exceptions", path]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /vigil error: Cannot use exceptions file .*exception 1: "signature" must be a text/,
    );
  });
});
