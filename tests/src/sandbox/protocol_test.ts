import assert from "node:assert/strict";
import {
  decodeBatch,
  encodeBatch,
  FrameType,
  readFrames,
} from "../../../src/sandbox/protocol.ts";

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
