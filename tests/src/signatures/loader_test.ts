import assert from "node:assert/strict";
import { replay, ROOT, tracee } from "../../_helpers/replay.ts";

const BROKEN = `${ROOT}tests/fixtures/signatures/broken`;

Deno.test("loadSignatures() reports each broken signature in one line and loads the good one", async () => {
  const { findings, errors } = await replay({
    signatureDirs: [BROKEN],
    lines: [tracee("openat", [["pathname", "const char*", "/tmp/x"]])],
  });
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.eventName, "good_one");
  const byFile = (name: string) =>
    errors.find((e) => e.includes(`/${name}"`)) ?? "";
  assert.match(
    byFile("parse_error.rego"),
    /parse_error\.rego:\d+: rego_parse_error/,
  );
  assert.match(
    byFile("no_match.rego"),
    /it defines __rego_metadoc__ and tracee_selected_events but not tracee_match/,
  );
  assert.match(byFile("no_id.rego"), /its metadata has no "id"/);
  assert.match(byFile("no_event_name.rego"), /its metadata has no "eventName"/);
  for (const error of errors) assert.ok(!error.includes("\n"), error);
  assert.equal(errors.length, 4);
});
