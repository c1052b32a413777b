import assert from "node:assert/strict";
import { OPA, replay, ROOT, tracee } from "../../_helpers/replay.ts";
import { startSignatures } from "../../../src/cli/start.ts";
import { validateSignatures } from "../../../src/loader/mod.ts";

const BROKEN = `${ROOT}tests/fixtures/signatures/broken`;

Deno.test("startSignatures() reports each broken signature in one line and loads the good one", async () => {
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

/** A signature matching `openat` of `/etc/bundle-test`, in `syntax`. */
function mixedSignature(
  name: string,
  syntax: "v0" | "v1 importing rego.v1" | "v1",
): string {
  const head = `package tracee.${name}

import data.tracee.helpers
${syntax === "v1 importing rego.v1" ? "import rego.v1\n" : ""}
__rego_metadoc__ := {"id": "${name}", "version": "1", "name": "${name}", "eventName": "${name}", "description": "${syntax}"}
`;
  return syntax === "v0"
    ? `${head}
tracee_selected_events[s] { s := {"source": "tracee", "name": "openat"} }

tracee_match { helpers.get_tracee_argument("pathname") == "/etc/bundle-test" }
`
    : `${head}
tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match if helpers.get_tracee_argument("pathname") == "/etc/bundle-test"
`;
}

Deno.test("startSignatures() bundles v0 signatures with v1 ones that import rego.v1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-mixed-" });
  const cacheDir = await Deno.makeTempDir({ prefix: "vigil-mixed-cache-" });
  try {
    await Deno.copyFile(`${ROOT}signatures/lib/helpers.rego`, `${dir}/h.rego`);
    const syntaxes = [
      "v0",
      "v0",
      "v1 importing rego.v1",
      "v1 importing rego.v1",
      "v1",
    ] as const;
    for (const [i, syntax] of syntaxes.entries()) {
      await Deno.writeTextFile(
        `${dir}/s${i}.rego`,
        mixedSignature(`MIX_${i}`, syntax),
      );
    }
    const set = await startSignatures({ dirs: [dir], cacheDir, opa: OPA });
    await set.sandbox.close();
    assert.deepEqual(set.errors, []);
    // Five signature modules and one bundle of the four that read the same
    // in v0-compatible mode; per syntax it would be two bundles. The plain
    // v1 signature keeps its own module.
    assert.equal(set.compiled, 6);
    const { findings, errors } = await replay({
      signatureDirs: [dir],
      lines: [
        tracee("openat", [["pathname", "const char*", "/etc/bundle-test"]]),
      ],
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(
      findings.map((f) => f.eventName).toSorted(),
      syntaxes.map((_, i) => `MIX_${i}`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("validateSignatures() refuses what breaks the contract, by sandbox index, and numbers the others' events in order", () => {
  const signature = (path: string) => ({
    kind: "typescript" as const,
    path,
    code: "",
  });
  const metadata = (id: string) => ({
    id,
    version: "1",
    name: id,
    eventName: id,
    description: `${id} watches openat`,
    tags: null,
    properties: {},
  });
  const selectors = [{ source: "tracee", name: "openat" }];
  const valid = validateSignatures(
    { signatures: ["a", "b", "c", "d", "e"].map(signature) },
    [
      { ok: true, metadata: metadata("first"), selectors },
      { ok: false, error: "it threw while loading" },
      { ok: true, metadata: metadata("FIRST"), selectors },
      { ok: true, metadata: metadata("second"), selectors: [{ name: "x" }] },
      { ok: true, metadata: metadata("third"), selectors },
    ],
  );
  assert.deepEqual(
    valid.signatures.map((s) => [s.index, s.path, s.metadata.id, s.eventId]),
    [[0, "a", "first", 6000], [4, "e", "third", 6001]],
  );
  assert.deepEqual(valid.refused, [1, 2, 3]);
  assert.deepEqual(valid.errors.map((error) => error.path), ["b", "c", "d"]);
  assert.match(valid.errors[0]!.message, /it threw while loading/);
  assert.match(valid.errors[2]!.message, /"source" must be given/);
});

/** A v1 signature `name` selecting openat whose match is `body`. */
function readingSignature(name: string, body: string): string {
  return `package tracee.${name}

import data.tracee.helpers

__rego_metadoc__ := {"id": "${name}", "version": "1", "name": "${name}", "eventName": "${name}", "description": "reads"}

tracee_selected_events contains {"source": "tracee", "name": "openat"}

tracee_match if {
	${body}
}
`;
}

Deno.test("startSignatures() tells which members of an event Rego signatures read, from OPA's parse", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-reads-" });
  const cacheDir = await Deno.makeTempDir({ prefix: "vigil-reads-cache-" });
  const fieldsOf = async (bodies: string[]) => {
    await Deno.remove(dir, { recursive: true });
    await Deno.mkdir(dir);
    await Deno.copyFile(`${ROOT}signatures/lib/helpers.rego`, `${dir}/h.rego`);
    for (const [i, body] of bodies.entries()) {
      await Deno.writeTextFile(
        `${dir}/s${i}.rego`,
        readingSignature(`READS_${i}`, body),
      );
    }
    const set = await startSignatures({ dirs: [dir], cacheDir, opa: OPA });
    await set.sandbox.close();
    assert.deepEqual(set.errors, []);
    return set.signatures.map((s) => s.inputFields?.toSorted());
  };
  try {
    // The helpers read input.args; a comment or a string naming a member
    // is no read.
    const read = ["args", "eventName", "processName", "userId"];
    assert.deepEqual(
      await fieldsOf([
        'input.eventName == "openat" # input.hostName',
        'input["processName"] == "input.cgroupId"\n\tinput.userId == 0',
      ]),
      [read, read],
    );
    for (
      const whole of [
        "x := input\n\tx.eventName == 1",
        "some k\n\tinput[k] == 1",
        'object.get(input, "eventName", "") == "openat"',
      ]
    ) {
      assert.deepEqual(
        await fieldsOf(['input.eventName == "openat"', whole]),
        [undefined, undefined],
        whole,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});

/** A TypeScript signature `name` exporting `inputFields` as `declared`. */
function declaringSignature(name: string, declared: string): string {
  return `export const metadata = { id: "${name}", version: "1", name: "${name}", eventName: "${name}", description: "declares" };
export const selectedEvents = [{ source: "tracee", name: "openat" }];
${declared}
export const onEvent = (event: { processName: string }, report: (data?: unknown) => void) => {
  if (event.processName === "bash") report({ name: event.processName });
};
`;
}

Deno.test("startSignatures() takes the members a TypeScript signature declares it reads, and refuses a bad declaration", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-declares-" });
  const cacheDir = await Deno.makeTempDir({ prefix: "vigil-declares-cache-" });
  try {
    const declarations = {
      TS_ONE: 'export const inputFields = ["processName", "eventName"];',
      TS_NONE: "",
      TS_BAD: 'export const inputFields = ["processName", "a.b"];',
      TS_WORSE: 'export const inputFields = "processName";',
    };
    for (const [name, declared] of Object.entries(declarations)) {
      await Deno.writeTextFile(
        `${dir}/${name}.ts`,
        declaringSignature(name, declared),
      );
    }
    const set = await startSignatures({ dirs: [dir], cacheDir, opa: OPA });
    await set.sandbox.close();
    const loaded = Object.fromEntries(
      set.signatures.map((s) => [s.metadata.id, s.inputFields]),
    );
    assert.deepEqual(loaded, {
      TS_ONE: ["processName", "eventName"],
      TS_NONE: undefined,
    });
    assert.deepEqual(
      set.errors.map((e) => e.message.replace(/^.*\//, "")).toSorted(),
      ["TS_BAD", "TS_WORSE"].map((name) =>
        `${name}.ts": its inputFields is not a list of at most 64 member names`
      ),
    );
    // Given only what it declared, it still finds what it looks for.
    const { findings } = await replay({
      signatureDirs: [dir],
      lines: [tracee("openat", [["pathname", "const char*", "/tmp/x"]])],
    });
    assert.deepEqual(findings.map((f) => f.eventName).toSorted(), [
      "TS_NONE",
      "TS_ONE",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});
