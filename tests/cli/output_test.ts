import assert from "node:assert/strict";
import { stringifyJson } from "../../src/event/json.ts";
import { ROOT, runVigil, tracee } from "../_helpers/replay.ts";

// deno-lint-ignore no-control-regex
const FORGED_REGEXP = /[\r\u001b]/;

const FORGER = `${ROOT}tests/fixtures/signatures/fidelity/forger.ts`;

function openat(path: string): string {
  return stringifyJson(tracee("openat", [["pathname", "const char*", path]]));
}

Deno.test("vigil's table and log lines cannot be forged by a signature's data, console output or errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-forger-" });
  try {
    await Deno.copyFile(FORGER, `${dir}/forger.ts`);
    const run = await runVigil(
      ["--signatures-dir", dir, "--output", "table", "--input", "-"],
      {
        stdin: [
          openat("/etc/a"),
          openat("/etc/throw"),
          openat("/etc/b\n"),
        ].join("\n") + "\n",
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.trimEnd().split("\n");
    // The header and one row per finding: the fake rows stay inside them.
    assert.equal(rows.length, 3, run.stdout);
    assert.match(rows[0]!, /^TIME +UID/);
    for (const row of rows.slice(1)) {
      assert.match(row, /^\d\d:\d\d:\d\d\.\d{6} +1000 +bash +320908 .*forger/);
      assert.ok(row.includes("\\n12:00:00.000000"), row);
      assert.ok(row.includes("\\u001b[1A"), row);
      assert.doesNotMatch(row, FORGED_REGEXP);
    }
    const logLines = run.stderr.trimEnd().split("\n");
    for (const line of logLines) {
      assert.match(line, /^vigil (inf|wrn|err|dbg): /, line);
      assert.doesNotMatch(line, FORGED_REGEXP, line);
    }
    // Each forged line is inside a real one, never a line of its own.
    assert.ok(!logLines.some((line) => line.startsWith("vigil wrn: forged")));
    assert.ok(!logLines.some((line) => line.startsWith("vigil err: forged")));
    assert.equal(
      logLines.filter((line) =>
        /^vigil inf: \d+ event\(s\) processed/.test(line)
      )
        .length,
      1,
    );
    assert.ok(
      logLines.some((line) =>
        line.includes("failed\\nvigil err: forged error")
      ),
      run.stderr,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vigil list cannot be forged by a signature's free-form properties", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-forger-list-" });
  try {
    const source = await Deno.readTextFile(FORGER);
    await Deno.writeTextFile(
      `${dir}/forger.ts`,
      source.replace(
        'description: "Prints fake rows and fake log lines",',
        'description: "Prints fake rows and fake log lines",\n  properties: { "MITRE ATT&CK": "T0\\nVGL-1  Forged row\\r\\u001b[2K" },',
      ),
    );
    const run = await runVigil(["list", "--signatures-dir", dir]);
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.trimEnd().split("\n");
    assert.equal(rows.length, 2, run.stdout);
    assert.match(
      rows[1]!,
      /^FID-FORGER .*T0\\nVGL-1 {2}Forged row\\r\\u001b\[2K/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
