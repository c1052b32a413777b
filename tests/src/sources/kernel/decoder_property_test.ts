/**
 * The kernel decoder on arbitrary record bytes: random bytes, truncated
 * records, valid headers followed by fields with hostile kinds, indexes,
 * lengths and counts, strings without NUL. Decoding never throws (and never
 * needs the decoder's own safety net), ends, produces output bounded by its
 * input, and every event it produces formats to a line JSON.parse accepts.
 * A record that still makes decoding throw costs that record alone.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  FieldKind,
  HeaderOffset,
  Limits,
  PathIndex,
  RingRecordFlag,
  RingRecordKind,
  Slot,
} from "../../../../ffi/ring_record_layout.ts";
import {
  parseArgumentFilter,
  valueMatches,
} from "../../../../src/model/selector.ts";
import { formatEventJson } from "../../../../src/event/json.ts";
import type { EventEnvelope } from "../../../../src/event/envelope.ts";
import { RingRecordDecoder } from "../../../../src/sources/kernel/decoder.ts";
import { ARGV_ENTRIES_MAX } from "../../../../src/sources/kernel/derived.ts";
import {
  KERNEL_EVENTS,
  SYSCALLS_BY_NUMBER,
} from "../../../../src/sources/kernel/plan.ts";
import { checkProperty } from "../../../_helpers/property.ts";

/** A decoder as the kernel source makes one, with a real argument gate. */
function newDecoder(): RingRecordDecoder {
  const etc = parseArgumentFilter("pathname", ["/etc/*"]);
  return new RingRecordDecoder({
    bootToEpochNs: 1_700_000_000_000_000_000n,
    containerOf: (cgroupId) =>
      cgroupId % 7n === 0n
        ? { id: "c".repeat(64), runtime: "docker", root: true }
        : undefined,
    gate: (name) =>
      name === "security_file_open"
        ? { name: "pathname", matches: (value) => valueMatches(etc, value) }
        : undefined,
  });
}

/**
 * Most JSON characters a record may turn into: each byte of it can appear in
 * a few arguments of a few events (a path in a syscall and in its derived
 * event), escaped (`\u0001` is six characters), plus fixed members and the
 * padded argv.
 */
function outputBound(length: number): number {
  return 64 * length + 128 * 1024;
}

/** Decodes each record with one decoder and checks every event it gives. */
function checkDecoded(
  records: readonly { bytes: Uint8Array; length: number }[],
): void {
  const decoder = newDecoder();
  for (const { bytes, length } of records) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let events: EventEnvelope[] = [];
    assert.doesNotThrow(() => {
      events = decoder.decode(bytes, view, 0, length);
    });
    let size = 0;
    for (const record of events) {
      assert.ok(KERNEL_EVENTS.has(record.eventName), record.eventName);
      const line = formatEventJson(record.event());
      assert.equal(record.json, line);
      const parsed = JSON.parse(line);
      assert.equal(parsed.eventName, record.eventName);
      assert.equal(parsed.argsNum, parsed.args.length);
      size += line.length;
    }
    assert.ok(
      size <= outputBound(bytes.length),
      `${size} characters of JSON from a ${bytes.length}-byte record`,
    );
  }
  assert.equal(decoder.failures, 0, decoder.lastFailure);
}

/** A record length as a reader could report it: exact, short or too long. */
function claimedLength(actual: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(actual) },
    fc.nat({ max: actual }),
    fc.integer({ min: actual, max: actual + 70_000 }),
  );
}

Deno.test("RingRecordDecoder.decode() survives random bytes of any claimed length", () => {
  checkProperty(
    fc.property(
      fc.array(
        fc.uint8Array({ maxLength: 600 }).chain((bytes) =>
          claimedLength(bytes.length).map((length) => ({ bytes, length }))
        ),
        { minLength: 1, maxLength: 8 },
      ),
      checkDecoded,
    ),
    { numRuns: 300 },
  );
});

const SYSCALL_NUMBERS = [...SYSCALLS_BY_NUMBER.keys()];
const FIELD_KINDS = Object.values(FieldKind) as number[];
const SLOTS = Object.values(Slot) as number[];
const U64_EDGES = [
  0n,
  1n,
  3n,
  255n,
  0x7fff_ffffn,
  0xffff_ffffn,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 64n - 1n,
];

/** A 64-bit value: small, on an edge, or anything. */
const u64 = fc.oneof(
  fc.constantFrom(...U64_EDGES),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

/** Bytes of a text field: ASCII paths, any bytes, NUL-free or not. */
const textBytes = fc.oneof(
  fc.constantFrom("x\0etc\0", "tmp\0", "/", "\0", "..\0.\0", "memfd:x")
    .map((text) => new TextEncoder().encode(text)),
  fc.string({ unit: "binary", maxLength: 80 })
    .map((text) => new TextEncoder().encode(text)),
  fc.uint8Array({ maxLength: 300 }),
  fc.uint8Array({ min: 1, maxLength: 300 }),
);

/** One field after the header, possibly lying about its length. */
const field = fc.record({
  kind: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...FIELD_KINDS) },
    fc.nat({ max: 255 }),
  ),
  index: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SLOTS) },
    fc.constantFrom(...SLOTS).map((slot) => slot | PathIndex.Bare),
    fc.nat({ max: 255 }),
  ),
  data: fc.oneof(
    textBytes,
    u64.map((value) => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, value, true);
      return bytes;
    }),
    fc.uint8Array({ minLength: 0, maxLength: 40 }),
  ),
  declared: fc.option(fc.nat({ max: 0xffff }), { freq: 4 }),
});

/** A header as the BPF programs write it, with hostile values in it. */
const header = fc.record({
  kind: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...Object.values(RingRecordKind)) },
    fc.nat({ max: 255 }),
  ),
  flags: fc.oneof(
    fc.constant(RingRecordFlag.EmitSyscall | RingRecordFlag.EmitDerived),
    fc.nat({ max: 255 }),
  ),
  syscall: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...SYSCALL_NUMBERS) },
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  ),
  args: fc.array(u64, { minLength: Limits.ARGS, maxLength: Limits.ARGS }),
  ret: u64,
  hostTid: fc.nat({ max: 4 }),
  context: fc.uint8Array({
    minLength: Limits.HEADER_SIZE,
    maxLength: Limits.HEADER_SIZE,
  }),
  comm: fc.uint8Array({
    minLength: Limits.COMM_LEN * 2,
    maxLength: Limits.COMM_LEN * 2,
  }),
});

type Header = typeof header extends fc.Arbitrary<infer T> ? T : never;
type Field = typeof field extends fc.Arbitrary<infer T> ? T : never;

/** Serialises a header and its fields as the kernel would (or not quite). */
function buildRecord(head: Header, fields: readonly Field[]): Uint8Array {
  const size = Limits.HEADER_SIZE +
    fields.reduce((sum, f) => sum + 4 + f.data.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  // Random context bytes (times, ids, namespaces), then the fields that
  // steer decoding; comm and hostname may lack their NUL.
  bytes.set(head.context);
  bytes.set(head.comm, HeaderOffset.comm);
  view.setUint8(HeaderOffset.kind, head.kind);
  view.setUint8(HeaderOffset.flags, head.flags);
  view.setInt32(HeaderOffset.syscallNr, head.syscall, true);
  view.setUint32(HeaderOffset.hostTid, head.hostTid, true);
  view.setBigUint64(HeaderOffset.ret, head.ret, true);
  head.args.forEach((value, i) =>
    view.setBigUint64(HeaderOffset.args + 8 * i, value, true)
  );
  let offset = Limits.HEADER_SIZE;
  for (const f of fields) {
    view.setUint8(offset, f.kind);
    view.setUint8(offset + 1, f.index);
    view.setUint16(offset + 2, f.declared ?? f.data.length, true);
    bytes.set(f.data, offset + 4);
    offset += 4 + f.data.length;
  }
  view.setUint32(HeaderOffset.size, size, true);
  return bytes;
}

const record = fc.tuple(header, fc.array(field, { maxLength: 24 })).map((
  [head, fields],
) => buildRecord(head, fields)).chain((bytes) =>
  claimedLength(bytes.length).map((length) => ({ bytes, length }))
);

Deno.test("RingRecordDecoder.decode() survives valid headers with hostile fields, lengths and counts", () => {
  checkProperty(
    fc.property(fc.array(record, { minLength: 1, maxLength: 6 }), checkDecoded),
    { numRuns: 1000 },
  );
});

Deno.test("RingRecordDecoder.decode() pads argv to a huge argc only up to its bound", () => {
  const bytes = buildRecord({
    kind: RingRecordKind.Exec,
    flags: RingRecordFlag.EmitSyscall | RingRecordFlag.EmitDerived,
    syscall: 59,
    args: Array(Limits.ARGS).fill(0n),
    ret: 0n,
    hostTid: 1,
    context: new Uint8Array(Limits.HEADER_SIZE),
    comm: new TextEncoder().encode("a".repeat(Limits.COMM_LEN * 2)),
  }, [{
    kind: FieldKind.U64,
    index: Slot.Argc,
    data: new Uint8Array(8).fill(0xff),
    declared: null,
  }]);
  const events = newDecoder().decode(
    bytes,
    new DataView(bytes.buffer),
    0,
    bytes.length,
  );
  assert.equal(events.length, 2);
  for (const event of events) {
    const argv = event.argument("argv") as string[];
    assert.ok(argv.length > 0 && argv.length <= ARGV_ENTRIES_MAX);
    assert.ok(argv.every((item) => item === "?"));
  }
});

Deno.test("RingRecordDecoder.decode() skips and counts a record it cannot decode, then decodes the next", () => {
  // The cgroup lookup reads /proc and may fail: it fails for cgroup 13 here.
  const decoder = new RingRecordDecoder({
    bootToEpochNs: 0n,
    containerOf: (cgroupId) => {
      if (cgroupId === 13n) throw new Error("Cannot read cgroup 13");
      return undefined;
    },
  });
  const exit = (cgroupId: bigint) => {
    const bytes = buildRecord({
      kind: RingRecordKind.Exit,
      flags: 0,
      syscall: 60,
      args: Array(Limits.ARGS).fill(0n),
      ret: 0n,
      hostTid: 1,
      context: new Uint8Array(Limits.HEADER_SIZE),
      comm: new Uint8Array(Limits.COMM_LEN * 2),
    }, []);
    new DataView(bytes.buffer).setBigUint64(
      HeaderOffset.cgroupId,
      cgroupId,
      true,
    );
    return decoder.decode(bytes, new DataView(bytes.buffer), 0, bytes.length);
  };
  assert.deepEqual(exit(13n), []);
  assert.equal(decoder.failures, 1);
  assert.equal(decoder.lastFailure, "Cannot read cgroup 13");
  const [event] = exit(12n);
  assert.equal(event?.eventName, "sched_process_exit");
  assert.equal(decoder.failures, 1);
});
