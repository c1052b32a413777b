import assert from "node:assert/strict";
import {
  generateEvents,
  isMalicious,
  mulberry32,
} from "../../tools/gen_events.ts";
import { EVENT_FIELD_ORDER, type TraceeEvent } from "../../src/event/event.ts";
import { parseJsonExact } from "../../src/event/json.ts";
import { BASE_EVENT_IDS } from "../../src/event/catalog.ts";

Deno.test("mulberry32() gives the same sequence for the same seed", () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const first = Array.from({ length: 5 }, a);
  assert.deepEqual(first, Array.from({ length: 5 }, b));
  assert.notDeepEqual(first, Array.from({ length: 5 }, c));
  assert.ok(first.every((x) => x >= 0 && x < 1));
});

Deno.test("generateEvents() gives the same lines for the same seed", () => {
  const a = [...generateEvents({ seed: 7, count: 2000 })];
  const b = [...generateEvents({ seed: 7, count: 2000 })];
  const c = [...generateEvents({ seed: 8, count: 2000 })];
  assert.equal(a.length, 2000);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("generateEvents() yields Tracee events in Tracee's field order", () => {
  let previous = 0n;
  for (const line of generateEvents({ seed: 1, count: 3000 })) {
    const event = parseJsonExact(line) as TraceeEvent;
    const expected = EVENT_FIELD_ORDER.filter((field) =>
      field !== "metadata" && field in event
    );
    assert.deepEqual(Object.keys(event), expected);
    assert.equal(expected.length, EVENT_FIELD_ORDER.length - 1, line);
    assert.equal(typeof event.timestamp, "bigint");
    assert.match(String(event.timestamp), /^\d{19}$/);
    assert.ok((event.timestamp as bigint) > previous, "timestamps increase");
    previous = event.timestamp as bigint;
    assert.match(String(event.threadStartTime), /^\d{19}$/);
    assert.equal(event.eventId, String(BASE_EVENT_IDS.get(event.eventName)));
    assert.equal(event.argsNum, event.args.length);
    assert.ok(event.processName.length > 0 && event.processName.length <= 15);
    assert.equal(
      event.contextFlags.containerStarted,
      event.containerId !== "",
    );
    for (const arg of event.args) {
      assert.deepEqual(Object.keys(arg), ["name", "type", "value"]);
    }
  }
});

Deno.test("generateEvents() parses arguments as Tracee does", () => {
  const seen = new Map<string, Set<string>>();
  for (const line of generateEvents({ seed: 3, count: 5000 })) {
    const event = JSON.parse(line) as TraceeEvent;
    for (const arg of event.args) {
      if (["flags", "request", "prot"].includes(arg.name)) {
        const key = `${event.eventName}.${arg.name}`;
        if (!seen.has(key)) seen.set(key, new Set());
        seen.get(key)!.add(String(arg.value));
      }
    }
  }
  assert.ok(seen.get("openat.flags")?.has("O_RDONLY|O_CLOEXEC"));
  assert.ok(
    [...seen.get("security_file_open.flags")!].every((f) =>
      f.includes("O_LARGEFILE")
    ),
  );
  assert.ok(seen.get("ptrace.request")?.has("PTRACE_ATTACH"));
  assert.ok(seen.get("mprotect.prot")?.has("PROT_READ"));
});

Deno.test("generateEvents() makes about maliciousShare of the events malicious", () => {
  const count = 20000;
  for (const share of [0.01, 0.1]) {
    let malicious = 0;
    for (
      const line of generateEvents({ seed: 5, count, maliciousShare: share })
    ) {
      if (isMalicious(line)) malicious++;
    }
    const expected = count * share;
    const sigma = Math.sqrt(count * share * (1 - share));
    assert.ok(
      Math.abs(malicious - expected) < 5 * sigma,
      `${malicious} malicious of ${count}, expected about ${expected}`,
    );
  }
  const none = [...generateEvents({ seed: 5, count, maliciousShare: 0 })];
  assert.equal(none.filter(isMalicious).length, 0);
});

Deno.test("generateEvents() rejects a bad count or share", () => {
  assert.throws(() => [...generateEvents({ count: -1 })], RangeError);
  assert.throws(
    () => [...generateEvents({ count: 1, maliciousShare: 2 })],
    RangeError,
  );
});

Deno.test("gen_events.ts explains itself and rejects bad options in one line", async () => {
  const run = async (...args: string[]) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../tools/gen_events.ts", import.meta.url).pathname,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    return {
      code: output.code,
      stdout: new TextDecoder().decode(output.stdout),
      stderr: new TextDecoder().decode(output.stderr),
    };
  };
  const help = await run("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--malicious-share F/);
  for (
    const [args, message] of [
      [
        ["--count", "many"],
        /^gen_events: --count must be a number, not "many"\n$/,
      ],
      [
        ["--count=-1"],
        /^gen_events: Cannot generate events: bad count -1\n$/,
      ],
      [["--count", "-1"], /^gen_events: Option '--count' argument is ambig/],
      [["--bogus"], /^gen_events: Unknown option '--bogus'/],
    ] as const
  ) {
    const bad = await run(...args);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, message);
    assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  }
  const few = await run("--count", "3", "--seed", "2");
  assert.equal(few.code, 0);
  assert.equal(few.stdout.trim().split("\n").length, 3);
});
