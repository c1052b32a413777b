import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeBatch,
  decodeSandboxFrame,
  encodeBatch,
  encodeFrame,
  type Frame,
  FrameType,
  readFrames,
  type SandboxMessage,
} from "../../../src/sandbox/protocol.ts";
import { checkAsyncProperty, checkProperty } from "../../_helpers/property.ts";

Deno.test("encodeBatch() and decodeBatch() round-trip events and routes", () => {
  const events = ['{"a":1}', '{"b":"é"}', "{}"];
  const routes = new Map([[3, [0, 2]], [0, [1]]]);
  const frame = encodeBatch(7, events, routes);
  assert.equal(frame[4], FrameType.Batch);
  const batch = decodeBatch(frame.subarray(5));
  assert.equal(batch.batchId, 7);
  assert.deepEqual(batch.routes.map(([s, e]) => [s, [...e]]), [[3, [0, 2]], [
    0,
    [1],
  ]]);
  const text = (i: number) =>
    new TextDecoder().decode(
      batch.bytes.subarray(batch.starts[i], batch.starts[i + 1]),
    );
  assert.deepEqual([0, 1, 2].map(text), events);
});

Deno.test("encodeBatch() writes any text as its UTF-8, lone surrogates as U+FFFD, framed to its exact length", () => {
  checkProperty(
    fc.property(
      // Any UTF-16 code units: lone surrogates included.
      fc.array(
        fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)) }),
        { maxLength: 20 },
      ),
      fc.nat(0xffffffff),
      fc.boolean(),
      (events, batchId, isolated) => {
        const routes = new Map([[0, events.map((_, i) => i)], [9, [0]]]);
        const frame = encodeBatch(batchId, events, routes, isolated);
        assert.equal(
          new DataView(frame.buffer, frame.byteOffset).getUint32(0, true),
          frame.length - 4,
        );
        const batch = decodeBatch(frame.subarray(5));
        assert.equal(batch.batchId, batchId);
        assert.equal(batch.isolated, isolated);
        const encoder = new TextEncoder();
        events.forEach((event, i) =>
          assert.deepEqual(
            batch.bytes.subarray(batch.starts[i], batch.starts[i + 1]),
            encoder.encode(event),
          )
        );
        assert.equal(batch.starts[events.length], batch.bytes.length);
      },
    ),
  );
});

Deno.test("readFrames() reassembles frames split across chunks and rejects a bad length", async () => {
  const frame = encodeBatch(1, ["x".repeat(100_000)], new Map([[0, [0]]]));
  const chunks = [
    frame.subarray(0, 3),
    frame.subarray(3, 70_000),
    frame.subarray(70_000),
    frame,
  ];
  const frames = [];
  for await (const f of readFrames(ReadableStream.from(chunks))) frames.push(f);
  assert.equal(frames.length, 2);
  assert.equal(frames[1]!.payload.length, frame.length - 5);
  const bad = new Uint8Array([0, 0, 0, 0, 1]);
  await assert.rejects(async () => {
    for await (const _ of readFrames(ReadableStream.from([bad]))) {
      /* drain */
    }
  }, /bad length 0/);
});

/** A frame the sandbox may write, for some signature. */
const sandboxFrame = fc.oneof(
  fc.record({
    type: fc.constant(FrameType.Log),
    index: fc.nat(5),
    text: fc.string({ unit: "binary", maxLength: 300 }),
  }),
  fc.record({
    type: fc.constant(FrameType.Loaded),
    index: fc.nat(5),
    text: fc.string({ unit: "binary", maxLength: 300 }),
  }),
  fc.record({
    type: fc.constant(FrameType.Result),
    batch: fc.nat(),
    index: fc.nat(5),
    micros: fc.nat(),
    text: fc.string({ unit: "binary", maxLength: 300 }),
  }),
) as fc.Arbitrary<SandboxMessage>;

function encodeMessage(message: SandboxMessage): Uint8Array {
  return message.type === FrameType.Result
    ? encodeFrame(message.type, [
      message.batch,
      message.index,
      message.micros,
      message.text,
    ])
    : encodeFrame(message.type, [message.index, message.text]);
}

/** Splits `bytes` at the given cut points. */
function chunks(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))]
    .sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    parts.push(bytes.slice(start, point));
    start = point;
  }
  return parts;
}

async function collect(parts: Uint8Array[]): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of readFrames(ReadableStream.from(parts))) {
    frames.push(frame);
  }
  return frames;
}

Deno.test("frames from any signatures, interleaved in any order and split anywhere, are read back each with its own signature", async () => {
  await checkAsyncProperty(
    fc.asyncProperty(
      fc.array(sandboxFrame, { maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      async (messages, cuts) => {
        const stream = new Uint8Array(
          messages.flatMap((message) => [...encodeMessage(message)]),
        );
        const frames = await collect(chunks(stream, cuts));
        const decoded = frames.map(decodeSandboxFrame);
        // Lone surrogates become U+FFFD in UTF-8; everything else is exact.
        const expected = messages.map((message) => ({
          ...message,
          text: new TextDecoder().decode(
            new TextEncoder().encode(message.text),
          ),
        }));
        assert.deepEqual(decoded, expected);
      },
    ),
  );
});

Deno.test("hostile bytes from a sandbox give frames or a RangeError, nothing else", async () => {
  await checkAsyncProperty(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(fc.nat(), { maxLength: 5 }),
      async (bytes, cuts) => {
        try {
          for (const frame of await collect(chunks(bytes, cuts))) {
            decodeSandboxFrame(frame);
          }
        } catch (error) {
          assert.ok(error instanceof RangeError, String(error));
        }
      },
    ),
  );
});
