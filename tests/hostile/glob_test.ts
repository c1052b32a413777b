/**
 * Hostile argument globs: selectors' patterns are matched on the host, for
 * every event, outside any signature's deadline. A glob built to make a
 * backtracking matcher take exponential time must cost no more than any
 * other, and a selector with too many or too long patterns is refused.
 */
import assert from "node:assert/strict";
import { argumentValue } from "../../src/event/event.ts";
import {
  MAX_GLOB_LENGTH,
  MAX_SELECTOR_GLOBS,
} from "../../src/model/selector.ts";
import { replay, ROOT, tracee } from "../_helpers/replay.ts";

const HOSTILE = `${ROOT}tests/hostile/signatures`;
const LIB = `${ROOT}signatures/lib`;

function open(pathname: string, processId: number) {
  return tracee("openat", [
    ["dirfd", "int", -100],
    ["pathname", "const char*", pathname],
    ["flags", "string", "O_RDONLY"],
    ["mode", "umode_t", 0],
  ], { processId });
}

/**
 * Opens under /etc and /tmp, and of 4096-character paths under /etc that a
 * backtracking matcher of the hostile globs chokes on (one of them matches).
 */
const LONG_HIT = `/etc/${"a".repeat(4090)}b`;
const ETC = [
  ...Array.from({ length: 10 }, (_, i) => `/etc/file${i}`),
  `/etc/${"a".repeat(4091)}`,
  `/etc/${"ab".repeat(2045)}a`,
  LONG_HIT,
];
const stream = [
  ...ETC.map((path, i) => open(path, 1000 + i)),
  ...Array.from({ length: 10 }, (_, i) => open(`/tmp/file${i}`, 2000 + i)),
];

/** A path as a short label: assertion messages stay readable. */
function label(path: unknown): string {
  const text = String(path);
  return text.length > 40 ? `${text.slice(0, 12)}…(${text.length})` : text;
}

Deno.test("a selector glob built to backtrack is matched in linear time: the run ends and every finding arrives", async () => {
  const result = await replay({
    signatureDirs: [
      `${HOSTILE}/benign`,
      `${HOSTILE}/glob_backtrack`,
      LIB,
    ],
    lines: stream,
    batchSize: 8,
  });
  assert.deepEqual(result.errors, []);
  for (const name of ["benign_rego", "benign_ts"]) {
    const paths = result.findings.filter((f) => f.eventName === name)
      .map((f) => argumentValue(f, "path"));
    assert.deepEqual(paths.map(label).sort(), ETC.map(label).sort(), name);
  }
  // The glob's own signature gets exactly the path its patterns match.
  const hostile = result.findings.filter((f) =>
    f.eventName === "glob_backtrack"
  );
  assert.deepEqual(
    hostile.map((f) => argumentValue(f, "path")).map(label),
    [label(LONG_HIT)],
  );
});

Deno.test("a selector with too many or too long argument globs is refused, naming the signature, and the others run", async () => {
  const result = await replay({
    signatureDirs: [`${HOSTILE}/benign`, `${HOSTILE}/glob_limits`, LIB],
    lines: stream,
  });
  assert.equal(result.errors.length, 2, result.errors.join("\n"));
  const [tooLong, tooMany] = [...result.errors].sort();
  assert.match(
    tooLong!,
    new RegExp(
      `too_long\\.ts.*1203 characters long, more than ${MAX_GLOB_LENGTH}`,
    ),
  );
  assert.match(
    tooMany!,
    new RegExp(`too_many\\.rego.*65 patterns, more than ${MAX_SELECTOR_GLOBS}`),
  );
  for (const error of result.errors) assert.ok(error.length < 600, error);
  assert.ok(!result.findings.some((f) => f.eventName.startsWith("glob_")));
  assert.equal(
    result.findings.filter((f) => f.eventName === "benign_rego").length,
    ETC.length,
  );
});
