import assert from "node:assert/strict";
import { argumentValue } from "../../../src/event/event.ts";
import { replay, ROOT, tracee } from "../../_helpers/replay.ts";

const ENGINE = `${ROOT}tests/fixtures/signatures/engine`;
const SEED = `${ROOT}tests/fixtures/signatures/seed`;
const LIB = `${ROOT}signatures/lib`;

function openat(
  path: string,
  flags: string,
  context: Record<string, unknown> = {},
) {
  return tracee("openat", [
    ["dirfd", "int", -100],
    ["pathname", "const char*", path],
    ["flags", "string", flags],
    ["mode", "umode_t", 0],
  ], context);
}

const IN_CONTAINER = {
  containerId: "7f3c2a",
  container: { id: "7f3c2a" },
  contextFlags: { containerStarted: true, isCompat: false },
};

Deno.test("Engine gives a document result's keys as the finding's arguments, sorted", async () => {
  const { findings, errors } = await replay({
    signatureDirs: [ENGINE, LIB],
    lines: [
      openat("/etc/shadow", "O_WRONLY|O_TRUNC"),
      openat("/etc/shadow", "O_RDONLY"),
    ],
    events: ["write_open"],
  });
  assert.deepEqual(errors, []);
  const finding = findings.find((f) => f.eventName === "write_open");
  assert.ok(finding);
  assert.deepEqual(finding.args, [
    { name: "flags", type: "string", value: "O_WRONLY|O_TRUNC" },
    { name: "path", type: "string", value: "/etc/shadow" },
  ]);
  assert.equal(finding.argsNum, 2);
  assert.deepEqual(finding.metadata, {
    Version: "1.0.0",
    Description: "Opens for writing under /etc",
    Tags: ["test"],
    Properties: {
      "MITRE ATT&CK": "T0000: Test",
      Severity: 2,
      signatureID: "T-WRITE",
      signatureName: "Write open",
    },
  });
  assert.equal(findings.filter((f) => f.eventName === "write_open").length, 1);
});

Deno.test("Engine gives a true result a finding without data (v0 syntax)", async () => {
  const { findings, errors } = await replay({
    signatureDirs: [SEED, LIB],
    lines: [
      openat("/etc/passwd", "O_RDONLY"),
      tracee("execve", [["pathname", "const char*", "/bin/ls"]]),
    ],
  });
  assert.deepEqual(errors, []);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.eventName, "mine");
  assert.deepEqual(findings[0]!.args, []);
  assert.equal(findings[0]!.eventId, 6000);
});

Deno.test("Engine routes by origin: container selectors skip host events and host selectors skip containers", async () => {
  const exec = (context: Record<string, unknown>) =>
    tracee(
      "sched_process_exec",
      [["pathname", "const char*", "/bin/sh"]],
      context,
    );
  const ptrace = (context: Record<string, unknown>) =>
    tracee("ptrace", [["request", "string", "PTRACE_ATTACH"], [
      "pid",
      "pid_t",
      1,
    ]], context);
  const { findings, errors } = await replay({
    signatureDirs: [ENGINE, LIB],
    lines: [
      exec({}),
      exec(IN_CONTAINER),
      exec({
        containerId: "7f3c2a",
        contextFlags: { containerStarted: false, isCompat: false },
      }),
      ptrace({}),
      ptrace(IN_CONTAINER),
    ],
  });
  assert.deepEqual(errors, []);
  const names = findings.map((f) => `${f.eventName}:${f.containerId}`);
  assert.deepEqual(names.toSorted(), ["container_exec:7f3c2a", "host_ptrace:"]);
});

Deno.test("Engine feeds a finding back once so another signature can select it", async () => {
  const { findings, errors } = await replay({
    signatureDirs: [ENGINE, LIB],
    lines: [openat("/etc/shadow", "O_RDWR"), openat("/etc/motd", "O_RDWR")],
  });
  assert.deepEqual(errors, []);
  const chained = findings.filter((f) => f.eventName === "chained_write");
  assert.equal(chained.length, 1);
  assert.deepEqual(chained[0]!.args, [{
    name: "original",
    type: "string",
    value: "T-WRITE",
  }]);
  assert.equal(findings.filter((f) => f.eventName === "write_open").length, 2);
  // The wildcard signature sees base events and findings, but only matches ptrace.
  assert.equal(findings.filter((f) => f.eventName === "host_ptrace").length, 0);
});

Deno.test("Engine keeps 64-bit values exact through a TypeScript signature and back", async () => {
  const { findings, errors } = await replay({
    signatureDirs: [ENGINE, LIB],
    lines: [
      tracee("memfd_create", [["name", "const char*", "x"], [
        "flags",
        "unsigned int",
        0,
      ]], {
        timestamp: 1700000000123456789n,
      }),
    ],
  });
  assert.deepEqual(errors, []);
  const finding = findings.find((f) => f.eventName === "exact_timestamp");
  assert.ok(finding);
  assert.equal(argumentValue(finding, "seen"), 1700000000123456789n);
  assert.equal(finding.timestamp, 1700000000123456789n);
});

Deno.test("Engine prints selected base events next to findings", async () => {
  const { printed } = await replay({
    signatureDirs: [SEED, LIB],
    lines: [
      openat("/etc/passwd", "O_RDONLY"),
      openat("/etc/hosts", "O_RDONLY"),
    ],
    events: ["openat", "mine"],
  });
  assert.deepEqual(printed.map((e) => e.eventName), [
    "openat",
    "openat",
    "mine",
  ]);
});

Deno.test("Engine gives a Rego signature Tracee's zero values for fields a line lacks", async () => {
  const sparse = {
    timestamp: 1680190419485136510n,
    processName: "terminator",
    eventId: "257",
    eventName: "openat",
    argsNum: 0,
  };
  const { findings, errors, malformed } = await replay({
    signatureDirs: [
      `${ROOT}tests/fixtures/signatures/fidelity/zero`,
    ],
    lines: [
      sparse,
      // Present and not zero: no finding.
      { ...sparse, containerId: "7f3c2a" },
      {
        ...sparse,
        args: [{ name: "pathname", type: "const char*", value: "/x" }],
      },
      // Present and zero, in Tracee's full shape: the same finding.
      {
        ...openat("/x", "O_RDONLY", { executable: { path: "" } }),
        args: [],
        argsNum: 0,
      },
    ],
    events: ["zero_values"],
  });
  assert.deepEqual(errors, []);
  assert.equal(malformed, 0);
  assert.deepEqual(findings.map((f) => f.timestamp), [
    1680190419485136510n,
    1680190419485136510n,
  ]);
  assert.deepEqual(findings[0]!.matchedPolicies, [""]);
});
