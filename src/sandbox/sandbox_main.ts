/**
 * The sandbox process: started by the engine with no permissions, a heap cap
 * and code generation from strings disabled. It loads signatures sent over
 * stdin, evaluates batches and writes results to stdout, one frame per
 * signature per batch, so that the engine always knows which signature is
 * running. Rego signatures run as WebAssembly instances here; each TypeScript
 * signature runs in a worker (an isolate) of its own.
 *
 * @module
 */

import {
  decodeBatch,
  type DecodedBatch,
  decodeText,
  encodeFrame,
  FrameType,
  readFrames,
  readU32,
} from "./protocol.ts";
import { RegoRunner } from "./rego_runner.ts";
import { workerSource } from "./ts_worker.ts";

/** Largest result text accepted from one signature for one batch. */
const MAX_RESULT_CHARS = 32 * 1024 * 1024;

interface TypeScriptRunner {
  worker: Worker;
  /** Resolves with the next `{batch, result}` message. */
  pending: ((result: string) => void) | undefined;
}

const runners = new Map<number, RegoRunner | TypeScriptRunner>();

function send(frame: Uint8Array): void {
  let written = 0;
  while (written < frame.length) {
    written += Deno.stdout.writeSync(frame.subarray(written));
  }
}

function sendJson(type: FrameType, index: number, value: unknown): void {
  send(encodeFrame(type, [index, JSON.stringify(value)]));
}

function message(error: unknown): string {
  const text = error instanceof Error
    ? error.message
    : typeof (error as { message?: unknown })?.message === "string"
    ? (error as { message: string }).message
    : String(error);
  return text.slice(0, 2048);
}

async function loadRego(payload: Uint8Array): Promise<void> {
  const index = readU32(payload, 0);
  const jsonLength = readU32(payload, 4);
  const spec = JSON.parse(decodeText(payload.subarray(8, 8 + jsonLength))) as {
    entrypoints: string[];
    maxPages: number;
  };
  try {
    const runner = await RegoRunner.create(
      payload.subarray(8 + jsonLength),
      spec.entrypoints,
      spec.maxPages,
    );
    const { metadata, selectors } = runner.describe();
    runners.set(index, runner);
    send(
      encodeFrame(FrameType.Loaded, [
        index,
        `{"ok":true,"metadata":${metadata ?? "null"},"selectors":${
          selectors ?? "null"
        }}`,
      ]),
    );
  } catch (error) {
    sendJson(FrameType.Loaded, index, { ok: false, error: message(error) });
  }
}

function loadTypeScript(payload: Uint8Array): Promise<void> {
  const index = readU32(payload, 0);
  const { code } = JSON.parse(decodeText(payload.subarray(4))) as {
    code: string;
  };
  const url = `data:text/javascript;base64,${
    btoa(String.fromCodePoint(...new TextEncoder().encode(workerSource(code))))
  }`;
  const worker = new Worker(url, { type: "module" });
  const runner: TypeScriptRunner = { worker, pending: undefined };
  return new Promise((resolve) => {
    let loaded = false;
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      if (!loaded) {
        loaded = true;
        sendJson(FrameType.Loaded, index, { ok: false, error: event.message });
        worker.terminate();
        resolve();
      } else {
        runner.pending?.(JSON.stringify({ f: [], e: [[-1, event.message]] }));
      }
    });
    worker.addEventListener("message", (event: MessageEvent) => {
      const data = event.data as Record<string, unknown>;
      if (typeof data?.log === "string") {
        sendJson(FrameType.Log, index, { message: data.log.slice(0, 4096) });
      } else if (!loaded && (data?.ready || typeof data?.error === "string")) {
        loaded = true;
        const ready = data.ready as {
          metadata?: unknown;
          selectedEvents?: unknown;
        };
        if (ready) runners.set(index, runner);
        else worker.terminate();
        sendJson(
          FrameType.Loaded,
          index,
          ready
            ? {
              ok: true,
              metadata: ready.metadata,
              selectors: ready.selectedEvents,
            }
            : { ok: false, error: data.error },
        );
        resolve();
      } else if (loaded && typeof data?.result === "string" && runner.pending) {
        const pending = runner.pending;
        runner.pending = undefined;
        pending(
          data.result.length > MAX_RESULT_CHARS
            ? JSON.stringify({ f: [], e: [[-1, "result too large"]] })
            : data.result,
        );
      }
    });
  });
}

function runRego(
  runner: RegoRunner,
  batch: DecodedBatch,
  events: Uint32Array,
): string {
  const found: string[] = [];
  const errors: string[] = [];
  for (const event of events) {
    try {
      const result = runner.match(
        batch.bytes,
        batch.starts[event]!,
        batch.starts[event + 1]!,
      );
      if (result !== null) found.push(`[${event},${result}]`);
    } catch (error) {
      errors.push(JSON.stringify([event, message(error)]));
    }
  }
  return `{"f":[${found.join(",")}],"e":[${errors.join(",")}]}`;
}

function runTypeScript(
  runner: TypeScriptRunner,
  batch: DecodedBatch,
  events: Uint32Array,
): Promise<string> {
  const texts = Array.from(
    events,
    (event) =>
      decodeText(
        batch.bytes.subarray(batch.starts[event]!, batch.starts[event + 1]!),
      ),
  );
  return new Promise((resolve) => {
    runner.pending = resolve;
    runner.worker.postMessage({
      batch: batch.batchId,
      indexes: Array.from(events),
      events: texts,
    });
  });
}

async function runBatch(payload: Uint8Array): Promise<void> {
  const batch = decodeBatch(payload);
  for (const [index, events] of batch.routes) {
    const started = performance.now();
    const runner = runners.get(index);
    const result = runner === undefined
      ? JSON.stringify({ f: [], e: [[-1, "signature not loaded"]] })
      : runner instanceof RegoRunner
      ? runRego(runner, batch, events)
      : await runTypeScript(runner, batch, events);
    const micros = Math.min(
      0xffffffff,
      Math.round((performance.now() - started) * 1000),
    );
    send(encodeFrame(FrameType.Result, [batch.batchId, index, micros, result]));
  }
}

async function main(): Promise<void> {
  for await (const frame of readFrames(Deno.stdin.readable)) {
    switch (frame.type) {
      case FrameType.LoadRego:
        await loadRego(frame.payload);
        break;
      case FrameType.LoadTypeScript:
        await loadTypeScript(frame.payload);
        break;
      case FrameType.Batch:
        await runBatch(frame.payload);
        break;
    }
  }
  for (const runner of runners.values()) {
    if (!(runner instanceof RegoRunner)) runner.worker.terminate();
  }
}

if (import.meta.main) await main();
