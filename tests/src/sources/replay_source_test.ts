import assert from "node:assert/strict";
import { argumentValue, Origin } from "../../../src/event/event.ts";
import type { EventEnvelope } from "../../../src/event/envelope.ts";
import { eventRouting, parseEventLine } from "../../../src/event/envelope.ts";
import { formatEventJson, stringifyJson } from "../../../src/event/json.ts";
import { ReplaySource } from "../../../src/sources/replay_source.ts";
import { generateEvents } from "../../../tools/gen_events.ts";
import { tracee } from "../../_helpers/replay.ts";

/** Replays `lines` through a temporary file; returns records and reports. */
async function replay(
  lines: string[],
  wants?: (name: string) => boolean,
): Promise<{ records: EventEnvelope[]; reports: [number, string][] }> {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const reports: [number, string][] = [];
    const source = new ReplaySource(await Deno.open(path), {
      path,
      onMalformed: (line, reason) => reports.push([line, reason]),
      ...(wants ? { wants } : {}),
    });
    const records: EventEnvelope[] = [];
    try {
      for await (const batch of source.batches(new AbortController().signal)) {
        records.push(...batch);
      }
    } finally {
      await source.close();
    }
    return { records, reports };
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("routing found by search equals routing read from the parsed line", async () => {
  const lines = [
    ...generateEvents({ seed: 7, count: 3000, maliciousShare: 0.3 }),
  ];
  const { records, reports } = await replay(lines);
  assert.deepEqual(reports, []);
  assert.equal(records.length, lines.length);
  const origins = new Set<Origin>();
  records.forEach((record, i) => {
    // Read by search before the line is parsed, as the engine's filters do.
    const early = ["pathname", "flags", "pid"].map((name) =>
      record.argument(name)
    );
    const event = parseEventLine(lines[i]!);
    assert.ok(typeof event !== "string", event as string);
    assert.deepEqual(
      early,
      ["pathname", "flags", "pid"].map((name) => argumentValue(event, name)),
      `line ${i + 1}`,
    );
    const expected = eventRouting(event);
    assert.equal(record.eventName, expected.eventName, `line ${i + 1}`);
    assert.equal(record.origin, expected.origin, `line ${i + 1}`);
    origins.add(record.origin);
    assert.equal(record.problem(), undefined);
    assert.deepEqual(record.event(), event);
  });
  // The mix holds host and container events, so both routes were compared.
  assert.ok(origins.has(Origin.Host) && origins.has(Origin.Container));
});

Deno.test("lines in another shape are parsed to be routed", async () => {
  const base = tracee("openat", [["pathname", "const char*", "/etc/passwd"]]);
  const { containerId: _, ...noContainerId } = base;
  const reordered = { args: base.args, ...noContainerId };
  const lines = [
    // The container's id only in `container`, keys in another order.
    stringifyJson({
      ...reordered,
      container: { id: "abc" },
      contextFlags: { containerStarted: true, isCompat: false },
    }),
    // An escaped name: the search does not unescape.
    stringifyJson(base).replace(
      '"eventName":"openat"',
      '"eventName":"open\\u0061t"',
    ),
    // A nested `eventName` after the real one.
    stringifyJson({
      ...base,
      args: [{ name: "eventName", type: "x", value: "no" }],
    })
      .replace(
        '"name":"eventName","type":"x","value":"no"',
        '"eventName":"no"',
      ),
  ];
  const { records, reports } = await replay(lines);
  assert.deepEqual(reports, []);
  assert.deepEqual(
    records.map((r) => [r.eventName, r.origin]),
    [["openat", Origin.Container], ["openat", Origin.Host], [
      "openat",
      Origin.Host,
    ]],
  );
});

Deno.test("a broken line in Tracee's shape is reported once, when first used", async () => {
  const good = stringifyJson(
    tracee("openat", [["pathname", "const char*", "/etc/passwd"]]),
  );
  const broken = good.replace('"hostName":"', '"hostName":');
  const unwanted = stringifyJson(tracee("close", [["fd", "int", 3]]))
    .replace('"hostName":"', '"hostName":');
  const { records, reports } = await replay(
    [good, broken, unwanted, "{not json"],
    (name) => name === "openat",
  );
  // Line 4 cannot be routed without parsing, so it is reported at once;
  // line 3 is dropped on its name, unchecked, as no one wants it.
  assert.deepEqual(reports.map(([line]) => line), [4]);
  assert.equal(records.length, 2);
  assert.equal(records[0]!.problem(), undefined);
  assert.match(records[1]!.problem() ?? "", /^not JSON/);
  assert.match(records[1]!.problem() ?? "", /^not JSON/);
  assert.deepEqual(reports.map(([line]) => line), [4, 2]);
  assert.throws(() => records[1]!.event(), /line 2 is not an event/);
});

Deno.test("a line lacking containerId, contextFlags or args (or with null args) is routed by search and given Tracee's zero values unparsed", async () => {
  const sparse = (name: string, extra = "") =>
    `{"timestamp":1,"processName":"x","hostName":"h"${extra},"eventName":"${name}","argsNum":0}`;
  const { records, reports } = await replay(
    [
      sparse("openat"),
      sparse("openat", ',"container":{"id":"abc","name":"n"}'),
      sparse("openat", ',"containerId":"","container":{"id":"abc"}'),
      // Go's null for a nil list.
      sparse("openat").replace(/\}$/, ',"args":null}'),
      // Broken, but no one wants it: dropped on its name, unparsed.
      sparse("close", ',"hostName":h'),
    ],
    (name) => name === "openat",
  );
  assert.deepEqual(reports, []);
  assert.deepEqual(records.map((r) => r.origin), [
    Origin.Host,
    Origin.ContainerInit,
    Origin.ContainerInit,
    Origin.Host,
  ]);
  for (const record of records) {
    const event = JSON.parse(record.json!) as Record<string, unknown>;
    assert.equal(event.containerId, "");
    assert.deepEqual(event.args, []);
    // Added to the text, not written from a parse: the values normalising
    // the line gives.
    assert.equal(record.formatted, false);
    assert.deepEqual(event, JSON.parse(formatEventJson(record.event())));
  }
});
