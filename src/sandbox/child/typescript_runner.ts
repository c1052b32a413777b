/**
 * TypeScript signatures in the sandbox process: each runs in a worker (an
 * isolate) of its own, whose entry module is a `blob:` URL of a few lines:
 * it imports the worker's runtime (`ts_worker.ts`) and, when the signature
 * names it, the SDK, then runs the signature's checked CommonJS code wrapped
 * in a function. This process may not read files, so the runtime's modules
 * come from the host (`installWorkerModules`) and are imported by their
 * `blob:` URLs, which need no permission.
 *
 * @module
 */

import {
  type DecodedBatch,
  resultText,
  type WorkerModules,
} from "../protocol.ts";
import { SDK_SPECIFIER } from "../../sdk/_specifier.ts";

/** Largest result text accepted from one signature for one batch. */
const MAX_RESULT_CHARS = 32 * 1024 * 1024;

const WORKER_MODULE_REGEXP = /"@vigil\/worker-module\/(\d+)"/g;

/** A TypeScript signature's worker and the batches it owes. */
export interface TypeScriptRunner {
  worker: Worker;
  /**
   * Resolve the answers of the batches posted, by batch id, with the time
   * the worker says the batch took, when it says so.
   */
  pending: Map<number, (result: string, micros?: number) => void>;
  /** When the worker last answered: a batch's time starts no earlier. */
  answeredAt: number;
}

/** The `blob:` URLs of the worker's runtime and of the SDK's. */
let runtimeUrls: { worker: string; sdk: string } | undefined;

/**
 * Makes a `blob:` URL of each of the worker's modules, dependencies first,
 * each import of another naming that one's URL.
 */
export function installWorkerModules(modules: WorkerModules): void {
  const urls: string[] = [];
  for (const source of modules.sources) {
    const linked = source.replace(
      WORKER_MODULE_REGEXP,
      (_, index: string) => JSON.stringify(urls[Number(index)]),
    );
    urls.push(
      URL.createObjectURL(
        new Blob([linked], { type: "application/typescript" }),
      ),
    );
  }
  runtimeUrls = { worker: urls[modules.worker]!, sdk: urls[modules.sdk]! };
}

/**
 * The entry module of the worker of a signature whose checked CommonJS code
 * is `code`: the SDK is imported only when the code names it (the
 * transpiler writes each import of it as `require('@vigil/sensor/sdk')`).
 */
function entrySource(code: string): string {
  if (!runtimeUrls) throw new Error("the worker's modules were not sent");
  const { worker, sdk } = runtimeUrls;
  const imports = code.includes(SDK_SPECIFIER);
  return `import { startWorker } from ${JSON.stringify(worker)};\n` +
    (imports ? `import * as sdk from ${JSON.stringify(sdk)};\n` : "") +
    `const __vigil = startWorker(${imports ? "sdk" : "undefined"});\n` +
    `(function (exports, require, module) {"use strict";\n${code}\n})` +
    `(__vigil.exports, __vigil.require, { exports: __vigil.exports });\n` +
    `__vigil.start();\n`;
}

/** What loading a TypeScript signature gave. */
export interface TypeScriptStart {
  /** Its worker, when it loaded. */
  runner: TypeScriptRunner | undefined;
  /** The `Loaded` frame's json. */
  outcome:
    | {
      ok: true;
      metadata: unknown;
      selectors: unknown;
      inputFields?: unknown;
    }
    | { ok: false; error: string };
}

/**
 * Starts the worker of a signature whose checked CommonJS code is `code`;
 * resolves when it is ready or has failed. `onLog` gets its log lines.
 */
export function startTypeScript(
  code: string,
  options: { onLog: (text: string) => void },
): Promise<TypeScriptStart> {
  let entry: string;
  try {
    entry = URL.createObjectURL(
      new Blob([entrySource(code)], { type: "text/javascript" }),
    );
  } catch (error) {
    return Promise.resolve({
      runner: undefined,
      outcome: { ok: false, error: String(error) },
    });
  }
  const worker = new Worker(entry, { type: "module" });
  const runner: TypeScriptRunner = {
    worker,
    pending: new Map(),
    answeredAt: 0,
  };
  return new Promise((resolve) => {
    let loaded = false;
    const settle = (start: TypeScriptStart) => {
      loaded = true;
      URL.revokeObjectURL(entry);
      if (!start.runner) worker.terminate();
      resolve(start);
    };
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      if (loaded) {
        options.onLog(`uncaught error: ${event.message}`);
        return;
      }
      settle({
        runner: undefined,
        outcome: { ok: false, error: event.message },
      });
    });
    worker.addEventListener("message", (event: MessageEvent) => {
      const data = event.data as Record<string, unknown>;
      if (typeof data?.log === "string") options.onLog(data.log);
      else if (loaded) answerBatch(runner, data);
      else if (data?.ready || typeof data?.error === "string") {
        settle(readyOrNot(runner, data));
      }
    });
  });
}

/** What a worker's first message (`ready` or `error`) says. */
function readyOrNot(
  runner: TypeScriptRunner,
  data: Record<string, unknown>,
): TypeScriptStart {
  const ready = data.ready as
    | { metadata?: unknown; selectedEvents?: unknown; inputFields?: unknown }
    | undefined;
  if (!ready) {
    return {
      runner: undefined,
      outcome: { ok: false, error: `${data.error}` },
    };
  }
  const { metadata, selectedEvents: selectors, inputFields } = ready;
  return {
    runner,
    outcome: inputFields === undefined
      ? { ok: true, metadata, selectors }
      : { ok: true, metadata, selectors, inputFields },
  };
}

/** Resolves the batch a worker's result message answers, if it owes one. */
function answerBatch(
  runner: TypeScriptRunner,
  data: Record<string, unknown>,
): void {
  if (typeof data?.result !== "string") return;
  // Only an answer naming a batch the worker still owes counts.
  const answer = runner.pending.get(data.batch as number);
  runner.pending.delete(data.batch as number);
  answer?.(
    data.result.length > MAX_RESULT_CHARS
      ? resultText("", '[-1,"result too large"]')
      : data.result,
    typeof data.micros === "number" ? data.micros : undefined,
  );
}

/** A TypeScript signature's answer and the microseconds it took. */
export interface Timed {
  result: string;
  micros: number;
}

/** Posts a batch's events to a worker; resolves with its answer. */
export function runTypeScript(
  runner: TypeScriptRunner,
  batch: DecodedBatch,
  events: Uint32Array,
): Promise<Timed> {
  const starts = new Uint32Array(events.length + 1);
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    starts[i + 1] = starts[i]! + batch.starts[event + 1]! -
      batch.starts[event]!;
  }
  const bytes = new Uint8Array(starts[events.length]!);
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    bytes.set(
      batch.bytes.subarray(batch.starts[event]!, batch.starts[event + 1]!),
      starts[i],
    );
  }
  const indexes = events.slice();
  const started = performance.now();
  return new Promise((resolve) => {
    runner.pending.set(batch.batchId, (result, workerMicros) => {
      const now = performance.now();
      const micros = (now - Math.max(started, runner.answeredAt)) * 1000;
      runner.answeredAt = now;
      // The worker's own figure leaves out the time its answer waited for
      // this thread; it is trusted no further than the time seen here.
      resolve({
        result,
        micros: workerMicros !== undefined && workerMicros >= 0
          ? Math.min(workerMicros, micros)
          : micros,
      });
    });
    runner.worker.postMessage(
      { batch: batch.batchId, indexes, bytes, starts },
      [indexes.buffer, bytes.buffer, starts.buffer],
    );
  });
}
