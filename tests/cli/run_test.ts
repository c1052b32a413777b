import assert from "node:assert/strict";
import { EVENT_FIELD_ORDER } from "../../src/event/event.ts";
import { parseJsonExact, stringifyJson } from "../../src/event/json.ts";
import {
  ROOT,
  runVigil,
  SEED_COMMAND,
  seedArgs,
  seedDir,
  seedTree,
  tracee,
  type VigilRun,
} from "../_helpers/replay.ts";

const SEED_SAMPLE_EVENT =
  `${ROOT}tests/fixtures/signatures/seed_literal/sample_event.jsonl`;

/** The table rows (header excluded) of a run's stdout. */
function tableRows(stdout: string): string[][] {
  return stdout.trim().split("\n").slice(1).map((line) => line.split(/\s+/));
}

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

// The seed's sample event (the context of its sample finding: no
// containerId, executable or entity ids) and the seed's sample output line.
const SEED_EVENT =
  '{"timestamp":1680190419485136510,"threadStartTime":1680190419369780383,"processorId":4,"processId":320908,"cgroupId":16273,"threadId":320908,"parentProcessId":1635,"hostProcessId":320908,"hostThreadId":320908,"hostParentProcessId":1635,"userId":1000,"mountNamespace":4026531841,"pidNamespace":4026531836,"processName":"terminator","hostName":"hb","container":{},"kubernetes":{},"eventId":"257","eventName":"openat","argsNum":1,"returnValue":10,"syscall":"openat","stackAddresses":null,"contextFlags":{"containerStarted":false,"isCompat":false},"args":[{"name":"pathname","type":"const char*","value":"/etc/passwd"}]}';
const SEED_OUTPUT =
  '{"timestamp":1680190419485136510,"threadStartTime":1680190419369780383,"processorId":4,"processId":320908,"cgroupId":16273,"threadId":320908,"parentProcessId":1635,"hostProcessId":320908,"hostThreadId":320908,"hostParentProcessId":1635,"userId":1000,"mountNamespace":4026531841,"pidNamespace":4026531836,"processName":"terminator","hostName":"hb","container":{},"kubernetes":{},"eventId":"6000","eventName":"mine","matchedPolicies":[""],"argsNum":0,"returnValue":10,"syscall":"","stackAddresses":null,"contextFlags":{"containerStarted":false,"isCompat":false},"args":[],"metadata":{"Version":"0.1.0","Description":"My Own Signature Detects Stuff","Tags":null,"Properties":{"signatureID":"Mine-0.1.0","signatureName":"My Own Signature"}}}';

Deno.test("vigil reproduces the seed's sample output line from the seed's sample event", async () => {
  const run = await replaySeed(`${SEED_EVENT}\n`);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, 1, run.stdout);
  const finding = parseJsonExact(lines[0]!) as Record<string, unknown>;
  // Fields later Tracee versions added stand between the sample's, with
  // Tracee's zero values; without them the line is the sample, byte for byte.
  const added = {
    executable: { path: "" },
    containerId: "",
    threadEntityId: 0,
    processEntityId: 0,
    parentEntityId: 0,
  };
  for (const [field, zero] of Object.entries(added)) {
    assert.deepEqual(finding[field], zero, field);
    delete finding[field];
  }
  assert.equal(stringifyJson(finding), SEED_OUTPUT);
  assert.deepEqual(Object.keys(JSON.parse(lines[0]!)), [...EVENT_FIELD_ORDER]);
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
    '{"eventName":"openat","args":"/etc/passwd"}',
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
  assert.match(
    run.stderr,
    /line 5 of stdin: "args" is a string where Tracee has a list/,
  );
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

Deno.test("the seed's command line works as written: its example inside signatures/rego, --events mine, over the seed's sample event", async () => {
  await using tree = await seedTree();
  const run = await runVigil([...SEED_COMMAND, "--input", SEED_SAMPLE_EVENT], {
    cwd: tree.path,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /Cannot load/);
  const rows = tableRows(run.stdout);
  assert.equal(rows.length, 1, run.stdout);
  const [, uid, comm, pid, , ret, event] = rows[0]!;
  assert.deepEqual([uid, comm, pid, ret, event], [
    "1000",
    "terminator",
    "320908",
    "10",
    "mine",
  ]);
});

Deno.test("a directory holding only the seed's example gets data.tracee.helpers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-alone-" });
  try {
    await Deno.copyFile(
      `${ROOT}tests/fixtures/signatures/seed_literal/signature_example.rego`,
      `${dir}/signature_example.rego`,
    );
    const run = await runVigil([
      "--signatures-dir",
      dir,
      "--events",
      "mine",
      "--input",
      SEED_SAMPLE_EVENT,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(tableRows(run.stdout).map((row) => row[6]), ["mine"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vigil exits 1 when a signature fails to load, and the others still run", async () => {
  await using seed = await seedDir();
  const run = await runVigil([
    ...seedArgs(seed.path),
    "--signatures-dir",
    `${ROOT}tests/hostile/signatures/lookalike`,
    "--input",
    "-",
  ], { stdin: `${openat("/etc/passwd")}\n` });
  assert.equal(run.code, 1);
  // All but case.rego, whose id clashes only with the benign signature's.
  assert.equal(
    run.stderr.match(/Cannot load signature/g)?.length,
    4,
    run.stderr,
  );
  assert.deepEqual(run.events.map((e) => e.eventName), ["mine"]);
});

Deno.test("vigil says in one line when opa is missing", async () => {
  await using seed = await seedDir();
  const dir = seed.path;
  // Text no cache holds: a compiled copy would serve without OPA.
  await Deno.writeTextFile(
    `${dir}/mine.rego`,
    `\n# ${crypto.randomUUID()}\n`,
    { append: true },
  );
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
