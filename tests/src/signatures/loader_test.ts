import assert from "node:assert/strict";
import { replay, ROOT, tracee } from "../../_helpers/replay.ts";

const BROKEN = `${ROOT}tests/fixtures/signatures/broken`;
const ESCAPE = `${ROOT}tests/fixtures/signatures/escape`;

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

Deno.test("a sandboxed signature cannot read files, the environment or system information", async () => {
  const { findings, errors } = await replay({
    signatureDirs: [ESCAPE],
    lines: [tracee("openat", [["pathname", "const char*", "/tmp/x"]])],
  });
  const probe = findings.find((f) => f.eventName === "escape_probe");
  assert.ok(probe, errors.join("\n"));
  assert.equal(probe.args.length, 6);
  for (const arg of probe.args) {
    assert.match(String(arg.value), /^denied: /, `${arg.name}: ${arg.value}`);
  }
});

Deno.test("a signature that imports a file is refused at load, naming the line", async () => {
  const { findings, errors } = await replay({
    signatureDirs: [ESCAPE],
    lines: [tracee("openat", [["pathname", "const char*", "/tmp/x"]])],
  });
  assert.ok(
    !findings.some((f) =>
      f.eventName === "dynamic_import" || f.eventName === "static_import"
    ),
  );
  assert.ok(
    errors.some((e) =>
      /dynamic_import\.ts": line 15: import of "file:\/\/\/etc\/hostname" is not allowed/
        .test(e)
    ),
    errors.join("\n"),
  );
  assert.ok(
    errors.some((e) =>
      /static_import\.ts": line 2: import of "file:\/\/\/etc\/hostname" is not allowed/
        .test(e)
    ),
    errors.join("\n"),
  );
});
