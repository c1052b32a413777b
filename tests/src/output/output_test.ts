import assert from "node:assert/strict";
import type { TraceeEvent } from "../../../src/event/event.ts";
import { formatEventJson, parseJsonExact } from "../../../src/event/json.ts";
import { openOutput, parseOutputSpec } from "../../../src/output/output.ts";
import {
  formatTableHeader,
  formatTableRow,
} from "../../../src/output/table.ts";
import { tracee } from "../../_helpers/replay.ts";

function event(name: string, pid: number): TraceeEvent {
  return tracee(name, [["pathname", "const char*", `/tmp/${name}`]], {
    hostProcessId: pid,
  }) as unknown as TraceeEvent;
}

Deno.test("parseOutputSpec() reads KIND and KIND:TARGET, and refuses other kinds, empty paths and webhooks without an http URL", () => {
  assert.deepEqual(parseOutputSpec("json"), { kind: "json", text: "json" });
  assert.deepEqual(parseOutputSpec("table:/tmp/a:b"), {
    kind: "table",
    target: "/tmp/a:b",
    text: "table:/tmp/a:b",
  });
  assert.deepEqual(parseOutputSpec("webhook:https://siem.example/in?a=1"), {
    kind: "webhook",
    target: "https://siem.example/in?a=1",
    text: "webhook:https://siem.example/in?a=1",
  });
  assert.throws(() => parseOutputSpec("yaml"), RangeError);
  assert.throws(() => parseOutputSpec("json:"), RangeError);
  assert.throws(() => parseOutputSpec("webhook"), RangeError);
  assert.throws(() => parseOutputSpec("webhook:/tmp/x"), RangeError);
  assert.throws(
    () => parseOutputSpec("webhook:file:///etc/passwd"),
    RangeError,
  );
  assert.throws(() => parseOutputSpec("constructor"), RangeError);
  assert.throws(() => parseOutputSpec("__proto__:x"), RangeError);
});

Deno.test("a json output writes one Tracee JSON line per event to its file, only when flushed", async () => {
  using dir = tempDir();
  const path = `${dir.path}/out.json`;
  const output = await openOutput(parseOutputSpec(`json:${path}`));
  const events = [event("openat", 1), event("execve", 2)];
  output.write(events[0]!);
  output.write(events[1]!, "PRE-FORMATTED");
  assert.equal(Deno.readTextFileSync(path), "");
  await output.flush();
  const lines = Deno.readTextFileSync(path).split("\n");
  assert.deepEqual(lines, [formatEventJson(events[0]!), "PRE-FORMATTED", ""]);
  const parsed = parseJsonExact(lines[0]!) as Record<string, unknown>;
  assert.equal(parsed.eventName, "openat");
  await output.close();
  await output.close();
});

Deno.test("a table output starts with the header and writes one row per event", async () => {
  using dir = tempDir();
  const path = `${dir.path}/out.txt`;
  const output = await openOutput(parseOutputSpec(`table:${path}`));
  const events = [event("openat", 11), event("execve", 12)];
  for (const e of events) output.write(e);
  await output.close();
  assert.equal(
    Deno.readTextFileSync(path),
    [formatTableHeader(), ...events.map(formatTableRow), ""].join("\n"),
  );
});

Deno.test("an output file is truncated when opened", async () => {
  using dir = tempDir();
  const path = `${dir.path}/out.json`;
  Deno.writeTextFileSync(path, "old content that is longer\n".repeat(10));
  const output = await openOutput(parseOutputSpec(`json:${path}`));
  output.write(event("openat", 1));
  await output.close();
  assert.equal(Deno.readTextFileSync(path).split("\n").length, 2);
});

Deno.test("formatTableRow() puts time, ids, name and arguments in Tracee's columns", () => {
  const row = formatTableRow(event("openat", 4321));
  const header = formatTableHeader();
  assert.match(header, /^TIME\s+UID\s+COMM\s+PID\s+TID\s+RET\s+EVENT\s+ARGS$/);
  assert.equal(row.slice(0, 15), "15:33:39.485136");
  assert.equal(
    row.slice(header.indexOf("PID"), header.indexOf("TID")).trim(),
    "4321",
  );
  assert.equal(
    row.slice(header.indexOf("EVENT"), header.indexOf("ARGS")).trim(),
    "openat",
  );
  assert.equal(row.slice(header.indexOf("ARGS")), "pathname: /tmp/openat");
});

function tempDir(): Disposable & { path: string } {
  const path = Deno.makeTempDirSync({ prefix: "vigil-output-" });
  return {
    path,
    [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }),
  };
}
