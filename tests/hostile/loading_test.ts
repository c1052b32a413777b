/**
 * Hostile signatures and libraries that attack loading: taking over another
 * signature's namespace or name, blinding other signatures through the
 * helper library, and exhausting the host's memory with metadata or source.
 * Each is loaded beside the benign signatures (and, for the helper library,
 * the built-ins), which must produce every expected finding.
 */
import assert from "node:assert/strict";
import { argumentValue } from "../../src/event/event.ts";
import { stringifyJson } from "../../src/event/json.ts";
import { MAX_SOURCE_BYTES } from "../../src/loader/_source.ts";
import {
  BUILTIN_SIGNATURES,
  replay,
  type ReplayResult,
  ROOT,
  runVigil,
  tracee,
} from "../_helpers/replay.ts";

const HOSTILE = `${ROOT}tests/hostile/signatures`;
const EVENTS = 40;
const ETC_OPENS = EVENTS / 2;
const SHADOW_READS = 3;

/** Opens of /etc/fileN and /tmp/fileN, then /etc/shadow read by cat. */
const stream = [
  ...Array.from({ length: EVENTS }, (_, i) =>
    tracee("openat", [
      ["dirfd", "int", -100],
      ["pathname", "const char*", `/${i % 2 === 0 ? "etc" : "tmp"}/file${i}`],
      ["flags", "string", "O_RDONLY"],
      ["mode", "umode_t", 0],
    ], { processId: 1000 + i })),
  ...Array.from(
    { length: SHADOW_READS },
    (_, i) =>
      tracee("security_file_open", [
        ["pathname", "const char*", "/etc/shadow"],
        ["flags", "string", "O_RDONLY"],
        ["dev", "dev_t", 2049],
        ["inode", "unsigned long", 1234],
        ["ctime", "unsigned long", 0],
        ["syscall_pathname", "const char*", "/etc/shadow"],
      ], {
        processId: 2000 + i,
        processName: "cat",
        executable: { path: "/usr/bin/cat" },
      }),
  ),
];

/** Replays the stream through the benign signatures and the given dirs. */
function attack(dirs: string[]): Promise<ReplayResult> {
  return replay({
    signatureDirs: [`${HOSTILE}/benign`, ...dirs],
    lines: stream,
    batchSize: 8,
  });
}

/** The benign signatures found every open under /etc, exactly once. */
function assertBenignComplete(result: ReplayResult): void {
  for (const name of ["benign_rego", "benign_ts"]) {
    const paths = result.findings.filter((f) => f.eventName === name)
      .map((f) => String(argumentValue(f, "path")));
    assert.equal(
      paths.length,
      ETC_OPENS,
      `${name}: ${paths.length} findings; errors ${result.errors.join(" | ")}`,
    );
    assert.ok(paths.every((path) => /^\/etc\/file\d+$/.test(path)), name);
  }
}

/** The load error of the file `name`, which must exist. */
function errorOf(result: ReplayResult, name: string): string {
  const error = result.errors.find((e) => e.includes(`/${name}": `));
  assert.ok(error, `no error for ${name}: ${result.errors.join("\n")}`);
  return error;
}

Deno.test("modules that write into another signature's package are refused, each named, and forge nothing", async () => {
  const result = await attack([`${HOSTILE}/impersonate_rego`]);
  assertBenignComplete(result);
  assert.match(
    errorOf(result, "outer.rego"),
    /its package vigil\.hostile contains the package of .*benign\.rego \(vigil\.hostile\.benign\)/,
  );
  assert.match(
    errorOf(result, "inner.rego"),
    /its package vigil\.hostile\.benign\.inner lies inside the package of .*benign\.rego/,
  );
  assert.match(
    errorOf(result, "twin.rego"),
    /its package vigil\.hostile\.benign is already the package of .*benign\.rego/,
  );
  assert.match(
    errorOf(result, "fallback.rego"),
    /it defines tracee_match but not __rego_metadoc__ or tracee_selected_events/,
  );
  assert.match(
    errorOf(result, "squat.rego"),
    /its package tracee\.VGL_12\.shadow is under tracee, where only signatures and tracee\.helpers may be/,
  );
  assert.match(
    errorOf(result, "slash.rego"),
    /its package vigil\.hostile\/benign is not a path of plain names/,
  );
  assert.equal(result.errors.length, 6, result.errors.join("\n"));
  assert.deepEqual(
    result.findings.map((f) => f.eventName).filter((n) =>
      !n.startsWith("benign")
    ),
    [],
  );
});

Deno.test("look-alike, case-folded and base-event names, and control characters in names, are refused", async () => {
  const result = await attack([`${HOSTILE}/lookalike`]);
  assertBenignComplete(result);
  assert.match(
    errorOf(result, "cyrillic.rego"),
    /its metadata "id" "\\u0412ENIGN-REGO" is not 1 to 64 ASCII letters/,
  );
  assert.match(
    errorOf(result, "nbsp.ts"),
    /its metadata "eventName" "benign_ts\\u00a0" is not 1 to 64 ASCII/,
  );
  assert.match(
    errorOf(result, "case.rego"),
    /its id "benign-rego" is already used by .*benign\.rego/,
  );
  assert.match(
    errorOf(result, "base_event.ts"),
    /its eventName "Security_File_Open" is already used by a base event/,
  );
  assert.match(
    errorOf(result, "bidi_name.ts"),
    /its metadata "name" holds a control or format character/,
  );
  assert.equal(result.errors.length, 5, result.errors.join("\n"));
  for (const error of result.errors) assert.ok(!error.includes("\n"), error);
  assert.equal(result.findings.length, ETC_OPENS * 2);
});

Deno.test("a directory's helper library, broken, redefined or rewritten, blinds neither the built-ins nor other directories", async () => {
  const result = await attack([
    BUILTIN_SIGNATURES,
    `${HOSTILE}/helpers_conflict`,
    `${HOSTILE}/helpers_broken`,
    `${HOSTILE}/helpers_syntax`,
    `${HOSTILE}/helpers_rewrite`,
  ]);
  assertBenignComplete(result);
  const count = (eventName: string) =>
    result.findings.filter((f) => f.eventName === eventName).length;
  // The built-ins see the built-in helpers: VGL-12 fires on the real reads
  // of /etc/shadow only, not on every event as the rewritten library would.
  assert.equal(count("shadow_file_read"), SHADOW_READS);
  // The rewritten library serves its own directory's signature only.
  assert.equal(count("rewrite_user"), EVENTS);
  // A second default or a second body of a helper in another file of the
  // library is refused; the library's first file serves its signature.
  assert.match(
    errorOf(result, "second_default.rego"),
    /its rule tracee\.helpers\.is_file_read is already defined by .*helpers_conflict\/helpers\.rego/,
  );
  assert.match(
    errorOf(result, "redefine.rego"),
    /its rule tracee\.helpers\.get_tracee_argument is already defined by .*helpers_conflict\/helpers\.rego/,
  );
  assert.equal(count("conflict_user"), EVENTS);
  // A library that does not compile is reported, and the signature using it
  // refused.
  assert.match(
    errorOf(result, "helpers_broken/helpers.rego"),
    /it does not compile: .*helpers_broken\/helpers\.rego:\d+: rego_type_error: multiple default rules data\.tracee\.helpers\.mode/,
  );
  assert.match(
    errorOf(result, "helpers_broken/user.rego"),
    /it uses the library .*helpers_broken\/helpers\.rego, which does not compile/,
  );
  assert.equal(count("broken_user"), 0);
  // The unparsable library is reported; its directory gets the built-ins.
  assert.match(
    errorOf(result, "helpers_syntax/helpers.rego"),
    /rego_parse_error/,
  );
  assert.equal(count("syntax_user"), ETC_OPENS);
  assert.equal(result.errors.length, 5, result.errors.join("\n"));
});

Deno.test("oversized metadata (description, properties, tags, depth) and selections are refused before any finding copies them", async () => {
  const result = await attack([`${HOSTILE}/oversize`]);
  assertBenignComplete(result);
  assert.match(
    errorOf(result, "huge_description.ts"),
    /its metadata is larger than 16384 characters/,
  );
  assert.match(
    errorOf(result, "many_properties.rego"),
    /its metadata is larger than 16384 characters/,
  );
  assert.match(
    errorOf(result, "deep_properties.ts"),
    /deeper than 8 levels/,
  );
  assert.match(errorOf(result, "many_tags.ts"), /larger than 16384/);
  assert.match(
    errorOf(result, "many_selectors.ts"),
    /its selected events are more than 256 selectors/,
  );
  assert.equal(result.errors.length, 5, result.errors.join("\n"));
  assert.equal(result.findings.length, ETC_OPENS * 2);
});

Deno.test("source files over the size limit are refused from their size, unread, and the run exits 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-oversize-" });
  try {
    // Sparse files: 60 MB that were never written, so reading them whole
    // would be the only way to spend the memory.
    for (const name of ["huge.ts", "huge.rego"]) {
      using file = await Deno.open(`${dir}/${name}`, {
        create: true,
        write: true,
      });
      await file.truncate(60_000_000);
    }
    await Deno.writeTextFile(
      `${dir}/just_over.ts`,
      `// ${"x".repeat(MAX_SOURCE_BYTES)}\n`,
    );
    const run = await runVigil([
      "--signatures-dir",
      `${HOSTILE}/benign`,
      "--signatures-dir",
      dir,
      "--output",
      "json",
      "--input",
      "-",
    ], { stdin: stream.map((e) => stringifyJson(e)).join("\n") });
    assert.equal(run.code, 1, run.stderr);
    for (const name of ["huge.ts", "huge.rego", "just_over.ts"]) {
      assert.match(
        run.stderr,
        new RegExp(
          `${name}": it holds \\d+ bytes or more, over the ${MAX_SOURCE_BYTES}-byte limit`,
        ),
      );
    }
    assert.equal(
      run.events.filter((e) => e.eventName.startsWith("benign")).length,
      ETC_OPENS * 2,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
