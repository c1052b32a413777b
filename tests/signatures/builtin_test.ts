import assert from "node:assert/strict";
import type { TraceeEvent } from "../../src/event/event.ts";
import { replay } from "../_helpers/replay.ts";
import {
  EXPECTED_COUNTS,
  EXPECTED_FINDINGS,
  type ExpectedFinding,
  fixtureLines,
  FIXTURES,
} from "./_fixtures.ts";

/** A finding as `{id, data}`, data rebuilt from its arguments. */
function describe(finding: TraceeEvent): ExpectedFinding {
  const id = String(finding.metadata?.Properties.signatureID);
  if (finding.args.length === 0) return { id, data: true };
  return {
    id,
    data: Object.fromEntries(finding.args.map((arg) => [arg.name, arg.value])),
  };
}

function counts(findings: ExpectedFinding[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const { id } of findings) result[id] = (result[id] ?? 0) + 1;
  return result;
}

function sorted(findings: ExpectedFinding[]): ExpectedFinding[] {
  const key = (finding: ExpectedFinding) => JSON.stringify(finding);
  return [...findings].sort((a, b) => key(a) < key(b) ? -1 : 1);
}

Deno.test("every fixture stream has an entry in both manifests, and they agree", async () => {
  const files: string[] = [];
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (entry.name.endsWith(".jsonl")) files.push(entry.name);
  }
  assert.deepEqual(Object.keys(EXPECTED_COUNTS).sort(), files.sort());
  assert.deepEqual(Object.keys(EXPECTED_FINDINGS).sort(), files.sort());
  for (const file of files) {
    assert.deepEqual(
      counts(EXPECTED_FINDINGS[file] ?? []),
      EXPECTED_COUNTS[file],
      file,
    );
  }
});

Deno.test("built-in signatures report exactly the expected findings for each fixture", async (t) => {
  for (const [file, expected] of Object.entries(EXPECTED_FINDINGS)) {
    const ids = Object.entries(EXPECTED_COUNTS[file] ?? {})
      .map(([id, count]) => `${id} x${count}`).join(", ") || "nothing";
    await t.step(`${file} triggers ${ids}`, async () => {
      const { findings, errors, malformed } = await replay({
        lines: await fixtureLines(file),
      });
      assert.deepEqual(errors, []);
      assert.equal(malformed, 0);
      const found = findings.map(describe);
      assert.deepEqual(counts(found), EXPECTED_COUNTS[file]);
      assert.deepEqual(sorted(found), sorted(expected));
    });
  }
});

Deno.test("benign workload (packages, shell, compile, git, python) produces no finding", async () => {
  const lines = await fixtureLines("benign_workload.jsonl");
  assert.ok(lines.length >= 300, `only ${lines.length} events`);
  const { findings, errors } = await replay({ lines });
  assert.deepEqual(errors, []);
  assert.deepEqual(findings.map(describe), []);
});

Deno.test("each finding carries the triggering event's context and the signature's properties", async () => {
  const { findings } = await replay({
    lines: await fixtureLines("dropped_executable_renamed.jsonl"),
  });
  const run = findings.find((f) =>
    f.eventName === "dropped_executable_executed"
  );
  assert.ok(run);
  // The start's first event naming the file's inode is security_bprm_check,
  // which the process emits before exec gives it the new program's name.
  assert.equal(run.processName, "sh");
  assert.equal(run.kubernetes.podName, "orders-7d9f8c6b5-x2kq4");
  assert.equal(run.contextFlags.containerStarted, true);
  assert.equal(
    run.metadata?.Properties["MITRE ATT&CK"],
    "T1105: Ingress Tool Transfer",
  );
  assert.equal(
    run.metadata?.Properties.signatureName,
    "Dropped executable run in a container",
  );
});
