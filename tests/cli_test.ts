import assert from "node:assert/strict";
import { EVENT_FIELD_ORDER } from "../src/event/event.ts";
import { stringifyJson } from "../src/event/json.ts";
import {
  ROOT,
  runVigil,
  seedArgs,
  seedDir,
  tracee,
  type VigilRun,
} from "./_helpers/replay.ts";

/** Replays `stdin` against the seed's example, printing its findings as JSON. */
async function replaySeed(stdin: string): Promise<VigilRun> {
  await using seed = await seedDir();
  return await runVigil([...seedArgs(seed.path), "--input", "-"], { stdin });
}

function openat(path: string, extra: Record<string, unknown> = {}): string {
  return stringifyJson(
    tracee("openat", [
      ["dirfd", "int", -100],
      ["pathname", "const char*", path],
      ["flags", "string", "O_RDONLY|O_CLOEXEC"],
      ["mode", "umode_t", 0],
    ], {
      processName: "terminator",
      returnValue: 10,
      eventId: "257",
      ...extra,
    }),
  );
}

// The finding of the seed's sample output, field by field (its order).
const SAMPLE_FIELDS = [
  "timestamp",
  "threadStartTime",
  "processorId",
  "processId",
  "cgroupId",
  "threadId",
  "parentProcessId",
  "hostProcessId",
  "hostThreadId",
  "hostParentProcessId",
  "userId",
  "mountNamespace",
  "pidNamespace",
  "processName",
  "hostName",
  "container",
  "kubernetes",
  "eventId",
  "eventName",
  "matchedPolicies",
  "argsNum",
  "returnValue",
  "syscall",
  "stackAddresses",
  "contextFlags",
  "args",
  "metadata",
];

Deno.test("vigil prints one mine finding for the seed's example on an openat of /etc/passwd", async () => {
  const run = await replaySeed(
    `${openat("/etc/passwd")}\n${openat("/etc/hosts")}\n`,
  );
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  const line = lines[0]!;
  const keys = Object.keys(JSON.parse(line));
  assert.deepEqual(keys, [...EVENT_FIELD_ORDER]);
  assert.deepEqual(
    keys.filter((key) => SAMPLE_FIELDS.includes(key)),
    SAMPLE_FIELDS,
  );
  // 64-bit values pass digit for digit.
  assert.match(
    line,
    /^\{"timestamp":1680190419485136510,"threadStartTime":1680190419369780383,/,
  );
  assert.match(
    line,
    /"eventId":"6000","eventName":"mine","matchedPolicies":\[""\],"argsNum":0,"returnValue":10,"syscall":"","stackAddresses":null,/,
  );
  assert.match(
    line,
    /"args":\[\],"metadata":\{"Version":"0\.1\.0","Description":"My Own Signature Detects Stuff","Tags":null,"Properties":\{"signatureID":"Mine-0\.1\.0","signatureName":"My Own Signature"\}\}\}$/,
  );
  assert.equal(run.events[0]!.processName, "terminator");
});

Deno.test("vigil prints nothing for an openat of /etc/hosts", async () => {
  const run = await replaySeed(`${openat("/etc/hosts")}\n`);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "");
});

Deno.test("vigil reports malformed lines with their numbers and goes on", async () => {
  await using seed = await seedDir();
  const dir = seed.path;
  const input = [
    "not json",
    openat("/etc/passwd"),
    "[1,2]",
    "",
    '{"eventName":"openat"}',
    openat("/etc/passwd"),
  ]
    .join("\n");
  const run = await runVigil(
    ["--signatures-dir", dir, "--output", "json", "--input", "-"],
    { stdin: input },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.events.length, 2);
  assert.match(run.stderr, /line 1 of stdin: not JSON/);
  assert.match(run.stderr, /line 3 of stdin: not a JSON object/);
  assert.match(run.stderr, /line 5 of stdin: it has no args list/);
  assert.match(run.stderr, /3 malformed line\(s\) of stdin skipped/);
});

Deno.test("vigil reports a broken line routed unparsed once, as the line's fault", async () => {
  await using seed = await seedDir();
  await Deno.copyFile(
    `${ROOT}tests/fixtures/signatures/engine/exact_data.ts`,
    `${seed.path}/exact_data.ts`,
  );
  // Lines in Tracee's shape are routed on fields found by search; these two
  // are broken between those fields, so only their use can find it out.
  const broken = (line: string) =>
    line.replace('"processName":"', '"processName":');
  const memfd = stringifyJson(
    tracee("memfd_create", [["name", "const char*", "x"], ["flags", "u32", 0]]),
  );
  const input = [
    openat("/etc/passwd"),
    broken(openat("/etc/passwd")),
    broken(memfd),
    memfd,
    openat("/etc/passwd"),
  ].join("\n");
  const run = await runVigil(
    [
      "--signatures-dir",
      seed.path,
      "--events",
      "mine,exact_timestamp,openat",
      "--output",
      "json",
      "--input",
      "-",
    ],
    { stdin: input },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    run.events.map((event) => event.eventName),
    ["openat", "mine", "exact_timestamp", "openat", "mine"],
  );
  assert.equal(run.stderr.match(/line 2 of stdin: not JSON/g)?.length, 1);
  assert.equal(run.stderr.match(/line 3 of stdin: not JSON/g)?.length, 1);
  assert.doesNotMatch(run.stderr, /failed/);
  assert.match(run.stderr, /2 malformed line\(s\) of stdin skipped/);
});

Deno.test("vigil logs messages verbatim, braces included, and names a bad args filter", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-args-" });
  try {
    await Deno.writeTextFile(
      `${dir}/bad.rego`,
      `package tracee.BAD_ARGS

import rego.v1

__rego_metadoc__ := {"id": "BAD-1", "version": "1", "name": "b", "eventName": "bad_args", "description": "x"}

tracee_selected_events contains {"source": "tracee", "name": "openat", "args": {"pathname": "/etc/shadow"}}

tracee_match if input.eventName == "openat"
`,
    );
    const run = await runVigil(["list", "--signatures-dir", dir]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(
      run.stderr.trim(),
      `vigil err: Cannot load signature "${dir}/bad.rego": Cannot use selector {"name":"openat","args":{"pathname":"/etc/shadow"},"source":"tracee"}: "args" must map argument names to non-empty lists of patterns`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vigil rejects an unknown --events name in one line", async () => {
  await using seed = await seedDir();
  const dir = seed.path;
  const run = await runVigil([
    "--signatures-dir",
    dir,
    "--events",
    "mine,nosuch",
    "--input",
    "-",
  ], {
    stdin: "",
  });
  assert.equal(run.code, 2);
  assert.equal(run.stderr.trim().split("\n").length, 1);
  assert.match(run.stderr, /Unknown event "nosuch" in --events/);
});

Deno.test("vigil names an unreadable signatures directory and still loads the others", async () => {
  await using seed = await seedDir();
  const dir = seed.path;
  const run = await runVigil(
    [
      "--signatures-dir",
      "/nonexistent/sigs",
      "--signatures-dir",
      dir,
      "--output",
      "json",
      "--input",
      "-",
    ],
    { stdin: `${openat("/etc/passwd")}\n` },
  );
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /Cannot load signature "\/nonexistent\/sigs": cannot read directory: no such file or directory/,
  );
  assert.equal(run.events.length, 1);
});

Deno.test("vigil says in one line when opa is missing", async () => {
  await using seed = await seedDir();
  const dir = seed.path;
  const run = await runVigil(
    ["--signatures-dir", dir, "--opa", "/nonexistent/opa", "--input", "-"],
    { stdin: "" },
  );
  assert.notEqual(run.code, 0);
  assert.match(
    run.stderr,
    /Cannot run OPA \("\/nonexistent\/opa"\): no such file or directory; run tools\/setup\.sh/,
  );
  assert.equal(run.stderr.trim().split("\n").length, 1);
});

Deno.test("vigil list shows each signature's id, name, event, version and selected events", async () => {
  await using seed = await seedDir();
  const dir = seed.path;
  const run = await runVigil(["list", "--signatures-dir", dir]);
  assert.equal(run.code, 0, run.stderr);
  const [header, row] = run.stdout.trim().split("\n");
  assert.match(
    header!,
    /^ID +NAME +EVENT +VERSION +SEVERITY +MITRE ATT&CK +SELECTS$/,
  );
  assert.match(
    row!,
    /^Mine-0\.1\.0 +My Own Signature +mine +0\.1\.0 .*execve,openat$/,
  );
});

Deno.test("vigil --help explains the options", async () => {
  const run = await runVigil(["--help"]);
  assert.equal(run.code, 0);
  for (
    const option of [
      "--signatures-dir",
      "--events",
      "--output",
      "--input",
      "list",
    ]
  ) {
    assert.ok(run.stdout.includes(option), option);
  }
});

Deno.test("vigil writes the table format to a file", async () => {
  await using seed = await seedDir();
  const dir = seed.path;
  const out = `${dir}/out.txt`;
  const run = await runVigil(
    ["--signatures-dir", dir, "--output", `table:${out}`, "--input", "-"],
    { stdin: `${openat("/etc/passwd")}\n` },
  );
  assert.equal(run.code, 0, run.stderr);
  const [header, row] = (await Deno.readTextFile(out)).trim().split("\n");
  assert.match(header!, /^TIME +UID +COMM +PID +TID +RET +EVENT +ARGS$/);
  assert.match(
    row!,
    /^\d\d:\d\d:\d\d\.\d{6} +1000 +terminator +320908 +320908 +10 +mine/,
  );
});
