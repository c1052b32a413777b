/**
 * Hostile signatures and the SDK: a signature may import the SDK's values by
 * the package's name, and through that door nothing else. Each case runs
 * beside the benign TypeScript signature through the real loader and
 * sandbox.
 */
import assert from "node:assert/strict";
import { argumentValue } from "../../src/event/event.ts";
import { replay, ROOT, tracee } from "../_helpers/replay.ts";

const HOSTILE = `${ROOT}tests/hostile/signatures`;
const OPENS = 6;

const stream = Array.from({ length: OPENS }, (_, i) =>
  tracee("openat", [
    ["dirfd", "int", -100],
    ["pathname", "const char*", `/etc/file${i}`],
    ["flags", "string", "O_RDONLY"],
    ["mode", "umode_t", 0],
  ], { processId: 1000 + i }));

function run(signatureDirs: string[]) {
  return replay({
    signatureDirs: [
      `${HOSTILE}/benign`,
      ...signatureDirs,
      `${ROOT}signatures/lib`,
    ],
    lines: stream,
    sandbox: { deadlineMs: 2000, memoryMiB: 64, quarantineAfter: 2 },
  });
}

Deno.test("a signature that imports the SDK gets it frozen, and no other module through require", async () => {
  const result = await run([`${HOSTILE}/sdk_user`]);
  assert.deepEqual(result.errors, []);
  const reports = result.findings.filter((f) => f.eventName === "sdk_user");
  assert.equal(reports.length, OPENS);
  const last = reports.at(-1)!;
  assert.equal(argumentValue(last, "path"), `/etc/file${OPENS - 1}`);
  assert.equal(argumentValue(last, "sameModule"), true);
  const attempts = last.args.filter((arg) =>
    !["path", "sameModule"].includes(arg.name)
  );
  assert.equal(attempts.length, 8);
  for (const arg of attempts) {
    assert.match(String(arg.value), /^denied: /, `${arg.name}: ${arg.value}`);
  }
  assert.equal(
    result.findings.filter((f) => f.eventName === "benign_ts").length,
    OPENS,
  );
});

Deno.test("a signature that imports a file by a path beneath the SDK's name, the SDK by a relative path, or by require() or import() is refused at load", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-sdk-escape-" });
  try {
    // Deno cannot resolve this import, so the file cannot live in tests/.
    await Deno.writeTextFile(
      `${dir}/traversal.ts`,
      `import passwd from "@vigil/sensor/sdk/../../../etc/passwd";
export const metadata = { id: "H-SDK-TRAVERSAL", version: "1.0.0",
  name: "t", eventName: "sdk_escape", description: "t" };
export const selectedEvents = [{ source: "tracee", name: "openat" }];
export const onEvent = (_event, report) => report({ passwd });
`,
    );
    const result = await run([`${HOSTILE}/sdk_escape`, dir]);
    for (
      const file of [
        "traversal.ts",
        "relative_value.ts",
        "direct_require.ts",
        "dynamic_sdk.ts",
      ]
    ) {
      assert.ok(
        result.errors.some((e) =>
          e.includes(`${file}": line `) && e.includes("is not allowed")
        ),
        `${file}: ${result.errors.join("\n")}`,
      );
    }
    assert.equal(result.errors.length, 4, result.errors.join("\n"));
    assert.ok(!result.findings.some((f) => f.eventName === "sdk_escape"));
    assert.equal(
      result.findings.filter((f) => f.eventName === "benign_ts").length,
      OPENS,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
