import assert from "node:assert/strict";
import {
  BASE_EVENT_IDS,
  eventDefinition,
  EVENTS,
  EVENTS_BY_NAME,
  FIRST_SIGNATURE_EVENT_ID,
  SIGNATURE_ERROR_EVENT,
  syscallName,
} from "../../../src/event/catalog.ts";

Deno.test("EVENTS gives each base event one id and one name, below Vigil's own", () => {
  assert.equal(new Set(EVENTS.map((event) => event.id)).size, EVENTS.length);
  assert.equal(EVENTS_BY_NAME.size, EVENTS.length);
  assert.equal(BASE_EVENT_IDS.size, EVENTS.length);
  for (const event of EVENTS) {
    assert.ok(event.id < SIGNATURE_ERROR_EVENT.id, event.name);
    assert.ok(event.id < FIRST_SIGNATURE_EVENT_ID, event.name);
    assert.equal(
      new Set(event.params.map(([, name]) => name)).size,
      event.params.length,
      event.name,
    );
  }
});

Deno.test("EVENTS splits each parameter into Tracee's type and name", () => {
  assert.deepEqual(eventDefinition("openat").params, [
    ["int", "dirfd"],
    ["const char*", "pathname"],
    ["int", "flags"],
    ["umode_t", "mode"],
  ]);
  assert.deepEqual(eventDefinition("execve").params[1], [
    "const char*const*",
    "argv",
  ]);
  assert.deepEqual(eventDefinition("fork").params, []);
});

Deno.test("EVENTS derives events only from syscall events it has", () => {
  for (const event of EVENTS) {
    if (!event.derivedFrom) continue;
    assert.equal(event.kind, "common", event.name);
    for (const name of event.derivedFrom.syscalls ?? []) {
      assert.equal(eventDefinition(name).kind, "syscall", name);
    }
  }
  assert.deepEqual(eventDefinition("security_file_open").derivedFrom, {
    syscalls: ["open", "openat", "openat2"],
  });
});

Deno.test("eventDefinition() throws a RangeError for a name it does not have", () => {
  assert.throws(
    () => eventDefinition("no_such_event"),
    (error: unknown) =>
      error instanceof RangeError && error.message.includes("no_such_event"),
  );
});

Deno.test("syscallName() names x86_64 syscalls and nothing else", () => {
  assert.equal(syscallName(257), "openat");
  assert.equal(syscallName(435), "clone3");
  assert.equal(syscallName(715), "");
  assert.equal(syscallName(9999), "");
});
