import assert from "node:assert/strict";
import fc from "fast-check";
import type { TraceeEvent } from "../../../src/event/event.ts";
import { formatTableRow } from "../../../src/output/table.ts";
import { printable } from "../../../src/output/printable.ts";
import { checkProperty } from "../../_helpers/property.ts";
import { tracee } from "../../_helpers/replay.ts";

/** What a terminal could take as the end of a line or a control sequence. */
const LINE_BREAKING_REGEXP =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Strings rich in what a hostile input would use to forge a line. */
const hostileString = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.array(
    fc.constantFrom(
      "\n",
      "\r",
      "\r\n",
      "\u001b[2K",
      "\u001b]0;title\u0007",
      "\u009b31m",
      "\u2028",
      "\u202e",
      "\u0000",
      "\t",
      "\\n",
      "vigil wrn: forged",
      "12:00:00.000000    0     bash",
      "\ud800",
      "é",
    ),
  ).map((parts) => parts.join("")),
);

Deno.test("printable() escapes newlines, escape sequences and bidi controls, and keeps other text", () => {
  assert.equal(
    printable("a\nvigil wrn: b\r\u001b[2J\t\u202e\u0085é"),
    "a\\nvigil wrn: b\\r\\u001b[2J\\t\\u202e\\u0085é",
  );
  assert.equal(printable("/usr/bin/héllo 🐧"), "/usr/bin/héllo 🐧");
  checkProperty(
    fc.property(hostileString, (text) => {
      const escaped = printable(text);
      assert.doesNotMatch(escaped, LINE_BREAKING_REGEXP);
      // Text without such characters is left alone.
      if (!LINE_BREAKING_REGEXP.test(text)) assert.equal(escaped, text);
    }),
    { numRuns: 500 },
  );
});

Deno.test("formatTableRow() prints any event on exactly one line", () => {
  checkProperty(
    fc.property(
      hostileString,
      hostileString,
      hostileString,
      fc.jsonValue(),
      (name, argName, value, data) => {
        const event = tracee(name, [
          [argName, "const char*", value],
          ["data", "object", data],
        ], { processName: value }) as unknown as TraceeEvent;
        const row = formatTableRow(event);
        assert.doesNotMatch(row, LINE_BREAKING_REGEXP);
        assert.match(row, /^\d\d:\d\d:\d\d\.\d{6} /);
      },
    ),
    { numRuns: 300 },
  );
});
