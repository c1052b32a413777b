import assert from "node:assert/strict";
import type { EventSelector, SignatureMetadata } from "../../src/sdk/mod.ts";
import { parseSelector } from "../../src/model/selector.ts";
import { OPA, ROOT } from "../_helpers/replay.ts";

interface Entry {
  file: string;
  metadata: SignatureMetadata;
  selectors: EventSelector[];
}

const MITRE_REGEXP = /^T\d{4}(?:\.\d{3})?: \S.*$/;
const ID_REGEXP = /^VGL-(\d+)$/;
const ORIGINS = new Set(["*", "host", "container", "container-init"]);

async function regoEntries(): Promise<Entry[]> {
  const query =
    `{p: {"metadata": m, "selectors": s} | m := data.tracee[p].__rego_metadoc__; s := data.tracee[p].tracee_selected_events}`;
  const output = await new Deno.Command(OPA, {
    args: [
      "eval",
      "--v0-compatible",
      "--format=json",
      "-d",
      "signatures/lib",
      "-d",
      "signatures/rego",
      query,
    ],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  assert.equal(output.code, 0);
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  const packages = result.result[0].expressions[0].value as Record<
    string,
    Omit<Entry, "file">
  >;
  return Object.entries(packages).map(([name, entry]) => ({
    file: `package tracee.${name}`,
    ...entry,
  }));
}

async function typeScriptEntries(): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const file of Deno.readDir(`${ROOT}signatures/ts`)) {
    const module = await import(`${ROOT}signatures/ts/${file.name}`);
    entries.push({
      file: file.name,
      metadata: module.metadata,
      selectors: module.selectedEvents,
    });
  }
  return entries;
}

const ENTRIES = [...await regoEntries(), ...await typeScriptEntries()];

Deno.test("built-in signatures have ids VGL-1 to VGL-n, each used once", () => {
  const numbers = ENTRIES.map(({ metadata }) =>
    Number(ID_REGEXP.exec(metadata.id)?.[1])
  ).sort((a, b) => a - b);
  assert.deepEqual(numbers, numbers.map((_, index) => index + 1));
  assert.ok(numbers.length >= 18);
});

Deno.test("Rego signatures live in package tracee.VGL_<n> matching their id", () => {
  for (
    const { file, metadata } of ENTRIES.filter((e) =>
      e.file.startsWith("package")
    )
  ) {
    assert.equal(file, `package tracee.${metadata.id.replace("-", "_")}`);
  }
});

Deno.test("built-in signatures carry complete metadata", () => {
  for (const { file, metadata } of ENTRIES) {
    const where = `${file} (${metadata.id})`;
    assert.match(metadata.version, /^\d+\.\d+\.\d+$/, where);
    assert.ok(metadata.name.length > 0, where);
    assert.match(metadata.eventName, /^[a-z0-9]+(?:_[a-z0-9]+)*$/, where);
    assert.match(metadata.description, /Misses /, where);
    assert.match(metadata.description, /false positives/, where);
    assert.ok((metadata.tags ?? []).length > 0, where);
    const properties = metadata.properties ?? {};
    const severity = properties.Severity;
    assert.ok(Number.isInteger(severity), where);
    assert.ok((severity as number) >= 0 && (severity as number) <= 4, where);
    assert.equal(typeof properties.Category, "string", where);
    assert.match(String(properties["MITRE ATT&CK"]), MITRE_REGEXP, where);
  }
});

Deno.test("built-in signatures select named Tracee events with an explicit origin", () => {
  for (const { file, selectors } of ENTRIES) {
    assert.ok(selectors.length > 0, file);
    for (const selector of selectors) {
      assert.deepEqual(
        Object.keys(selector).filter((key) => key !== "args").sort(),
        ["name", "origin", "source"],
        file,
      );
      // Argument filters are valid ones (parseSelector throws otherwise).
      parseSelector(selector);
      assert.equal(selector.source, "tracee", file);
      assert.match(selector.name ?? "", /^[a-z0-9_]+$/, file);
      assert.ok(ORIGINS.has(selector.origin ?? ""), file);
    }
  }
});

Deno.test("docs/signatures.md lists every built-in signature as it is", async () => {
  const docs = await Deno.readTextFile(`${ROOT}docs/signatures.md`);
  const rows = new Map<string, string[]>();
  for (const line of docs.split("\n")) {
    const cells = line.split(" | ").map((cell) =>
      cell.replace(/^\|? *| *\|?$/g, "")
    );
    if (ID_REGEXP.test(cells[0] ?? "")) rows.set(cells[0]!, cells);
  }
  assert.deepEqual(
    [...rows.keys()].sort(),
    ENTRIES.map((e) => e.metadata.id).sort(),
  );
  for (const { metadata } of ENTRIES) {
    const [, name, eventName, , severity, mitre] = rows.get(metadata.id)!;
    assert.deepEqual(
      [name, eventName, Number(severity), mitre],
      [
        metadata.name,
        `\`${metadata.eventName}\``,
        metadata.properties?.Severity,
        metadata.properties?.["MITRE ATT&CK"],
      ],
      metadata.id,
    );
  }
});
