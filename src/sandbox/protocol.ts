/**
 * The wire protocol between the engine and a sandbox process, over the
 * child's stdin and stdout: frames of `[u32 length][u8 type][payload]`,
 * little-endian, where `length` counts the type byte and the payload.
 *
 * Events are sent once per batch as UTF-8 JSON texts, with a routing table
 * saying which events each signature receives.
 *
 * @module
 */

/** Frame types. */
export const FrameType = {
  /**
   * Host → sandbox: load a Rego signature (`u32 index`, `u32 json length`,
   * json, wasm; the wasm is empty when the json names a bundle).
   */
  LoadRego: 1,
  /**
   * Host → sandbox: instantiate a bundle of Rego signatures compiled together
   * (`u32 bundle`, `u32 memory pages`, wasm); sent before their `LoadRego`.
   */
  LoadRegoBundle: 4,
  /** Host → sandbox: load a TypeScript signature (`u32 index`, json). */
  LoadTypeScript: 2,
  /** Host → sandbox: evaluate a batch (see `encodeBatch`). */
  Batch: 3,
  /**
   * Host → sandbox: the modules a TypeScript signature's worker runs (json,
   * see `WorkerModules`); sent before any `LoadTypeScript`.
   */
  WorkerModules: 5,
  /** Sandbox → host: a signature loaded or failed (`u32 index`, json). */
  Loaded: 10,
  /**
   * Sandbox → host: one signature's results for a batch (`u32 batch`,
   * `u32 index`, `u32 microseconds spent`, json).
   */
  Result: 11,
  /** Sandbox → host: a log line from a signature (`u32 index`, text). */
  Log: 12,
} as const;

/** One of {@linkcode FrameType}'s values. */
export type FrameType = typeof FrameType[keyof typeof FrameType];

/** A decoded frame. */
export interface Frame {
  type: number;
  payload: Uint8Array;
}

/** Largest frame accepted from a sandbox; a bigger one is an offence. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** WebAssembly memory pages (64 KiB) in a MiB. */
const WASM_PAGES_PER_MIB = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builds a frame from a type and payload parts (numbers are written as u32). */
export function encodeFrame(
  type: FrameType,
  parts: readonly (number | string | Uint8Array)[],
): Uint8Array {
  const chunks = parts.map((part) =>
    typeof part === "string" ? encoder.encode(part) : part
  );
  let size = 5;
  for (const chunk of chunks) {
    size += typeof chunk === "number" ? 4 : chunk.length;
  }
  const frame = new Uint8Array(size);
  const view = new DataView(frame.buffer);
  view.setUint32(0, size - 4, true);
  frame[4] = type;
  let offset = 5;
  for (const chunk of chunks) {
    if (typeof chunk === "number") {
      view.setUint32(offset, chunk, true);
      offset += 4;
    } else {
      frame.set(chunk, offset);
      offset += chunk.length;
    }
  }
  return frame;
}

/** Reads a u32 at `offset` of `bytes`. */
export function readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | bytes[offset + 1]! << 8 | bytes[offset + 2]! << 16) +
    bytes[offset + 3]! * 0x1000000;
}

/** Decodes UTF-8 text. */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * One signature's answer for a batch, the text of a `Result` frame:
 * `{"findings":[[event, data | true]…],"errors":[[event, "message"]…]}`,
 * where `event` indexes the batch's events (-1: the whole batch). The child
 * builds it by string concatenation from items already in JSON.
 */
export function resultText(findings: string, errors: string): string {
  return `{"findings":[${findings}],"errors":[${errors}]}`;
}

/** A frame from the sandbox, decoded. */
export type SandboxMessage =
  | { type: typeof FrameType.Loaded; index: number; text: string }
  | {
    type: typeof FrameType.Result;
    batch: number;
    index: number;
    micros: number;
    text: string;
  }
  | { type: typeof FrameType.Log; index: number; text: string };

/**
 * Decodes a frame written by the sandbox. Which signature a frame concerns
 * is in its header, written by the sandbox's main thread, never by a
 * signature.
 *
 * @throws {RangeError} When the frame is of an unknown type or too short.
 */
export function decodeSandboxFrame(frame: Frame): SandboxMessage {
  const { type, payload } = frame;
  const header = type === FrameType.Result ? 12 : 4;
  if (
    (type !== FrameType.Loaded && type !== FrameType.Result &&
      type !== FrameType.Log) || payload.length < header
  ) {
    throw new RangeError(
      `Cannot read frame: type ${type} with ${payload.length} bytes`,
    );
  }
  const index = readU32(payload, type === FrameType.Result ? 4 : 0);
  const text = decodeText(payload.subarray(header));
  if (type !== FrameType.Result) return { type, index, text };
  return {
    type,
    batch: readU32(payload, 0),
    index,
    micros: readU32(payload, 8),
    text,
  };
}

/**
 * Splits a byte stream into frames.
 *
 * @throws {RangeError} When a frame is longer than `MAX_FRAME_BYTES`.
 */
export async function* readFrames(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<Frame> {
  let buffer = new Uint8Array(64 * 1024);
  let start = 0;
  let end = 0;
  for await (const chunk of stream) {
    if (end + chunk.length > buffer.length) {
      const live = end - start;
      const size = Math.max(buffer.length, (live + chunk.length) * 2);
      const next = size > buffer.length ? new Uint8Array(size) : buffer;
      next.set(buffer.subarray(start, end), 0);
      buffer = next;
      start = 0;
      end = live;
    }
    buffer.set(chunk, end);
    end += chunk.length;
    while (end - start >= 4) {
      const length = readU32(buffer, start);
      if (length < 1 || length > MAX_FRAME_BYTES) {
        throw new RangeError(`Cannot read frame: bad length ${length}`);
      }
      if (end - start < 4 + length) break;
      yield {
        type: buffer[start + 4]!,
        payload: buffer.slice(start + 5, start + 4 + length),
      };
      start += 4 + length;
    }
    if (start === end) start = end = 0;
  }
}

/**
 * Encodes a batch frame: `u32 batch id`, `u32 isolated` (1: answer strictly
 * signature by signature), `u32 route count`, per route
 * `u32 signature`, `u32 count`, `u32 event index × count`; then `u32 event
 * count`, `u32 end offset × count`, and the events' UTF-8 JSON.
 */
export function encodeBatch(
  batchId: number,
  events: readonly string[],
  routes: ReadonlyMap<number, readonly number[]>,
  isolated = false,
): Uint8Array {
  let header = 5 + 12 + 4 + 4 * events.length;
  let room = 0;
  for (const indexes of routes.values()) header += 8 + 4 * indexes.length;
  // A UTF-16 code unit takes at most 3 bytes in UTF-8: the texts are
  // encoded straight into the frame, which is then cut to what they took.
  for (const event of events) room += 3 * event.length;
  const frame = new Uint8Array(header + room);
  const view = new DataView(frame.buffer);
  let offset = 5;
  const put = (value: number) => {
    view.setUint32(offset, value, true);
    offset += 4;
  };
  put(batchId);
  put(isolated ? 1 : 0);
  put(routes.size);
  for (const [signature, indexes] of routes) {
    put(signature);
    put(indexes.length);
    for (const index of indexes) put(index);
  }
  put(events.length);
  let end = header;
  for (const event of events) {
    end += encoder.encodeInto(event, frame.subarray(end)).written;
    put(end - header);
  }
  frame[4] = FrameType.Batch;
  view.setUint32(0, end - 4, true);
  return frame.subarray(0, end);
}

/** A batch as the sandbox reads it. */
export interface DecodedBatch {
  batchId: number;
  /** Answer strictly signature by signature (see `encodeBatch`). */
  isolated: boolean;
  /** Signature index → event indexes, in the order the host sent them. */
  routes: [number, Uint32Array][];
  /** All events' UTF-8 JSON, back to back. */
  bytes: Uint8Array;
  /** Event `i` is `bytes[starts[i], starts[i + 1])`. */
  starts: Uint32Array;
}

/** Decodes the payload of a batch frame. */
export function decodeBatch(payload: Uint8Array): DecodedBatch {
  const batchId = readU32(payload, 0);
  const isolated = readU32(payload, 4) === 1;
  const routeCount = readU32(payload, 8);
  let offset = 12;
  const routes: [number, Uint32Array][] = [];
  for (let r = 0; r < routeCount; r++) {
    const signature = readU32(payload, offset);
    const count = readU32(payload, offset + 4);
    offset += 8;
    const indexes = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      indexes[i] = readU32(payload, offset + 4 * i);
    }
    offset += 4 * count;
    routes.push([signature, indexes]);
  }
  const eventCount = readU32(payload, offset);
  offset += 4;
  const starts = new Uint32Array(eventCount + 1);
  for (let i = 0; i < eventCount; i++) {
    starts[i + 1] = readU32(payload, offset + 4 * i);
  }
  offset += 4 * eventCount;
  return { batchId, isolated, routes, bytes: payload.subarray(offset), starts };
}

/**
 * A frame telling the sandbox to instantiate Rego bundle `id` (`wasm`), with
 * at most `memoryMiB` of WebAssembly memory.
 */
export function encodeLoadRegoBundle(
  id: number,
  wasm: Uint8Array,
  memoryMiB: number,
): Uint8Array {
  return encodeFrame(FrameType.LoadRegoBundle, [
    id,
    memoryMiB * WASM_PAGES_PER_MIB,
    wasm,
  ]);
}

/** What a `LoadRego` frame's json says. */
export interface RegoLoadSpec {
  entrypoints: string[];
  /** WebAssembly memory pages the signature may use. */
  maxPages: number;
  /** The bundle it is part of; absent when the frame carries its own wasm. */
  bundle?: number;
}

/**
 * A frame telling the sandbox to load Rego signature `index`: its own
 * module `wasm`, or its part of the bundle `bundle` sent before.
 */
export function encodeLoadRego(
  index: number,
  signature:
    & { entrypoints: string[]; memoryMiB: number }
    & (
      | { wasm: Uint8Array }
      | { bundle: number }
    ),
): Uint8Array {
  const bundled = "bundle" in signature;
  const spec: RegoLoadSpec = {
    entrypoints: signature.entrypoints,
    maxPages: signature.memoryMiB * WASM_PAGES_PER_MIB,
    ...(bundled ? { bundle: signature.bundle } : {}),
  };
  const json = encoder.encode(JSON.stringify(spec));
  return encodeFrame(FrameType.LoadRego, [
    index,
    json.length,
    json,
    bundled ? new Uint8Array() : signature.wasm,
  ]);
}

/** A frame telling the sandbox to load TypeScript signature `index`. */
export function encodeLoadTypeScript(index: number, code: string): Uint8Array {
  return encodeFrame(FrameType.LoadTypeScript, [
    index,
    JSON.stringify({ code }),
  ]);
}

/**
 * The source texts of the modules a TypeScript signature's worker imports,
 * dependencies first. The sandbox process may not read files, so the host
 * sends them; each import of another of them names it as
 * `"@vigil/worker-module/<index>"`.
 */
export interface WorkerModules {
  /** TypeScript source texts. */
  sources: string[];
  /** Index of the worker's runtime (`child/ts_worker.ts`). */
  worker: number;
  /** Index of the SDK's runtime (`sdk/runtime.ts`). */
  sdk: number;
}

/** The specifier that stands for worker module `index` in its importers. */
export function workerModuleSpecifier(index: number): string {
  return `@vigil/worker-module/${index}`;
}

/** A frame carrying the worker's modules. */
export function encodeWorkerModules(modules: WorkerModules): Uint8Array {
  return encodeFrame(FrameType.WorkerModules, [JSON.stringify(modules)]);
}
