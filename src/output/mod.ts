/**
 * Where events go: printers in Tracee's formats (`json`, `table`) to stdout
 * or a file, a webhook, several at once, and the escaping that keeps a
 * hostile string on one line.
 *
 * @example Parse an `--output` value
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOutputSpec } from "./mod.ts";
 *
 * assert.deepEqual(parseOutputSpec("json:/tmp/events.jsonl"), {
 *   kind: "json",
 *   target: "/tmp/events.jsonl",
 *   text: "json:/tmp/events.jsonl",
 * });
 * ```
 *
 * @example Make a string safe for one line of a table or a log
 * ```ts
 * import assert from "node:assert/strict";
 * import { printable } from "./mod.ts";
 *
 * assert.equal(printable("a\nb"), "a\\nb");
 * ```
 *
 * @module
 */

export * from "./output.ts";
export * from "./outputs.ts";
export * from "./printer.ts";
export * from "./printable.ts";
export * from "./table.ts";
export * from "./webhook.ts";
