/**
 * Property: generated lines (any subset of Tracee's fields, wrong types,
 * huge integers, hostile characters, deep nesting, giant strings) through the
 * real replay source, engine, sandbox and signatures, and the command line
 * with both outputs: every line gives its findings in Tracee's JSON or is
 * skipped with its number; nothing crashes. A modest number of lines: the
 * pure path has many runs in tests/src/event/fidelity_property_test.ts.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { EVENT_FIELD_ORDER } from "../../src/event/event.ts";
import { formatEventJson } from "../../src/event/json.ts";
import {
  type EventEnvelope,
  eventRouting,
  parseEventLine,
} from "../../src/event/envelope.ts";
import { formatTableRow } from "../../src/output/table.ts";
import { ReplaySource } from "../../src/sources/replay_source.ts";
import { eventLine } from "../_helpers/event_arbitrary.ts";
import { checkAsyncProperty } from "../_helpers/property.ts";
import { replay, ROOT, runVigil } from "../_helpers/replay.ts";

const ECHO = `${ROOT}tests/fixtures/signatures/fidelity/echo`;
/**
 * Each event gives a finding from each of the two echo signatures, and each
 * finding, fed back once, one from each again.
 */
const FINDINGS_PER_EVENT = 6;

const REQUIRED = EVENT_FIELD_ORDER.filter((field) =>
  field !== "matchedPolicies" && field !== "metadata"
);

// deno-lint-ignore no-control-regex
const LINE_BREAK_REGEXP = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function assertTraceeJson(json: string): void {
  const value = JSON.parse(json) as Record<string, unknown>;
  const keys = Object.keys(value);
  assert.deepEqual(
    keys,
    EVENT_FIELD_ORDER.filter((field) => keys.includes(field)),
  );
  for (const field of REQUIRED) assert.ok(field in value, field);
}

/** Numbers (from 1) of the lines that are not blank and not events. */
function invalidLines(lines: string[]): number[] {
  return lines.flatMap((line, i) =>
    line.trim() !== "" && typeof parseEventLine(line) === "string"
      ? [i + 1]
      : []
  );
}

function validCount(lines: string[]): number {
  return lines.filter((line) =>
    line.trim() !== "" && typeof parseEventLine(line) !== "string"
  ).length;
}

const lines = (maxDepth: number, giantLength: number, maxLength: number) =>
  fc.array(eventLine({ maxDepth, giantLength }), { minLength: 1, maxLength });

Deno.test("the replay source routes and checks any line as parsing it would", async () => {
  await checkAsyncProperty(
    fc.asyncProperty(lines(12_000, 100_000, 30), async (input) => {
      const path = await Deno.makeTempFile({ suffix: ".jsonl" });
      try {
        await Deno.writeTextFile(path, input.join("\n") + "\n");
        const reports: number[] = [];
        const source = new ReplaySource(await Deno.open(path), {
          path,
          onMalformed: (line) => reports.push(line),
        });
        const records: EventEnvelope[] = [];
        for await (
          const batch of source.batches(new AbortController().signal)
        ) {
          records.push(...batch);
        }
        await source.close();
        const atRead = new Set(reports);
        const routed = input.flatMap((line, i) =>
          line.trim() === "" || atRead.has(i + 1) ? [] : [line]
        );
        assert.equal(records.length, routed.length);
        records.forEach((record, i) => {
          const expected = parseEventLine(routed[i]!);
          const json = record.json;
          if (typeof expected === "string") {
            assert.equal(record.problem(), expected);
            return;
          }
          assert.equal(record.problem(), undefined);
          assert.deepEqual(
            { eventName: record.eventName, origin: record.origin },
            eventRouting(expected),
          );
          assert.ok(json !== undefined);
          const value = JSON.parse(json) as Record<string, unknown>;
          for (const field of REQUIRED) assert.ok(field in value, field);
        });
        assert.deepEqual(
          reports.toSorted((a, b) => a - b),
          invalidLines(input),
        );
      } finally {
        await Deno.remove(path);
      }
    }),
    { numRuns: 25 },
  );
});

Deno.test("the engine gives every event its findings, in Tracee's JSON, and skips only bad lines", async () => {
  await checkAsyncProperty(
    fc.asyncProperty(lines(40, 5000, 25), async (input) => {
      const result = await replay({ signatureDirs: [ECHO], lines: input });
      assert.deepEqual(result.errors, []);
      assert.equal(result.malformed, invalidLines(input).length);
      assert.equal(
        result.findings.length,
        FINDINGS_PER_EVENT * validCount(input),
      );
      for (const finding of result.findings) {
        assertTraceeJson(formatEventJson(finding));
        assert.doesNotMatch(formatTableRow(finding), LINE_BREAK_REGEXP);
      }
    }),
    { numRuns: 6 },
  );
});

Deno.test("vigil prints any input's events and findings as JSON lines or table rows, and names each skipped line", async () => {
  await checkAsyncProperty(
    fc.asyncProperty(lines(20, 1000, 40), async (input) => {
      const stdin = input.join("\n") + "\n";
      const args = ["--signatures-dir", ECHO, "--input", "-", "--output"];
      const expected = FINDINGS_PER_EVENT * validCount(input);
      const invalid = invalidLines(input);
      // The base events of one name are printed too, normalised.
      const base = input.filter((line) => {
        const event = line.trim() === "" ? "" : parseEventLine(line);
        return typeof event !== "string" && event.eventName === "openat";
      }).length;
      const json = await runVigil(
        [...args, "json", "--events", "echo,echo_ts,openat"],
        { stdin },
      );
      assert.equal(json.code, 0, json.stderr);
      const printed = json.stdout.split("\n").filter((line) => line !== "");
      assert.equal(printed.length, expected + base);
      printed.forEach(assertTraceeJson);
      const log = json.stderr.trimEnd().split("\n");
      for (const line of log) assert.match(line, /^vigil (inf|wrn|err): /);
      const skipped = log.flatMap((line) =>
        /^vigil wrn: Skipping line (\d+) of stdin: ./.exec(line)?.[1] ?? []
      ).map(Number);
      // A line routed unparsed is reported when first used, so out of order;
      // the first ten reports are logged, then only counted.
      assert.deepEqual(
        skipped.toSorted((a, b) => a - b),
        invalid.length <= 10
          ? invalid
          : invalid.filter((line) => skipped.includes(line)),
      );
      assert.equal(skipped.length, Math.min(invalid.length, 10));
      if (invalid.length > 0) {
        assert.ok(
          log.includes(
            `vigil wrn: ${invalid.length} malformed line(s) of stdin skipped`,
          ),
          json.stderr,
        );
      }
      const table = await runVigil([...args, "table"], { stdin });
      assert.equal(table.code, 0, table.stderr);
      assert.equal(table.stdout.trimEnd().split("\n").length, 1 + expected);
    }),
    { numRuns: 2 },
  );
});
