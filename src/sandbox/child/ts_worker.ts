/**
 * The runtime of a TypeScript signature's worker (an isolate of its own in
 * the sandbox process). The worker's entry module (`typescript_runner.ts`)
 * imports this module, calls {@linkcode startWorker}, runs the signature's
 * checked CommonJS code wrapped in a function, then calls `start()`.
 * `startWorker` removes `Deno` and `Worker` before the signature runs (with
 * code generation from strings disabled process-wide, the signature can then
 * neither import files nor reach the sandbox's stdout), removes the Web APIs
 * that store data on disk (the Cache API writes under Deno's cache
 * directory, with no permission check), routes `console` to the host's log,
 * and catches the signature's uncaught errors (which would otherwise end the
 * whole sandbox process).
 *
 * Messages in: `{batch: number, indexes: Uint32Array, bytes: Uint8Array,
 * starts: Uint32Array}`: event `i`, the batch's event `indexes[i]`, is the
 * JSON text `bytes[starts[i], starts[i + 1])` (bytes, not strings, because
 * copying bytes to a worker is far cheaper than cloning strings). Messages out:
 * `{ready: {metadata, selectedEvents, inputFields}}` or `{error: string}`
 * once (`inputFields` as the signature exports it, if it does), then per
 * batch `{batch, result: string, micros: number}` where `result` is the
 * result text of `protocol.ts`'s `resultText` and `micros` the time the batch
 * took in the worker; and `{log: string}`.
 *
 * This module runs inside the worker only; the sandbox process loads it from
 * source texts the host sends (`host/worker_modules.ts`), so it and what it
 * imports must not import `npm:` or `jsr:` packages.
 *
 * @module
 */

import { parseJsonExact } from "../../event/json_parse.ts";
import { SDK_SPECIFIER } from "../../sdk/_specifier.ts";
import { resultText } from "../protocol.ts";

/** What the worker's entry module hands the signature's code. */
export interface WorkerHooks {
  /** The signature's `exports` (and `module.exports`). */
  exports: Record<string, unknown>;
  /** The signature's `require`: the SDK, or a throw. */
  require: (name: string) => object;
  /** Reports the signature ready and starts answering batches. */
  start: () => void;
}

/** The worker's global scope, as this module uses it. */
const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  addEventListener(
    type: "message" | "error" | "unhandledrejection",
    listener: (
      event: MessageEvent & PromiseRejectionEvent & ErrorEvent,
    ) => void,
  ): void;
};

// Own references to what the worker needs, taken when this module is
// evaluated, before the signature runs: a signature that pollutes its
// isolate's globals or prototypes cannot corrupt its results' framing
// (which is built by string concatenation for the same reason).
const post = scope.postMessage?.bind(scope);
const listen = scope.addEventListener.bind(scope);
const now = performance.now.bind(performance);
const { parse, stringify } = JSON;
const textDecoder = new TextDecoder();
const decode = textDecoder.decode.bind(textDecoder);
// deno-lint-ignore no-explicit-any
const rawJson = (JSON as any).rawJSON as (text: string) => unknown;

function toJson(value: unknown): string {
  return stringify(
    value,
    (_key, item) => typeof item === "bigint" ? rawJson(item.toString()) : item,
  );
}

/** The signature's `console.log` (and `info`, `warn`, …): to the host's log. */
function log(...args: unknown[]): void {
  let text = "";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    text += (i > 0 ? " " : "") + (typeof arg === "string" ? arg : toJson(arg));
  }
  post({ log: text.slice(0, 4096) });
}

/**
 * Keeps a signature's uncaught error or rejected promise (e.g. in a timer)
 * from ending the sandbox: logged once it is ready; before, one fails the
 * load (a throw at the top level of a module is a rejected promise).
 */
function catchUncaught(isReady: () => boolean): void {
  const uncaught = (what: string) => {
    if (isReady()) log(what);
    else post({ error: what });
  };
  listen("error", (event) => {
    event.preventDefault();
    uncaught(`uncaught error: ${String(event.message)}`);
  });
  listen("unhandledrejection", (event) => {
    event.preventDefault();
    uncaught(`unhandled rejection: ${String(event.reason)}`);
  });
}

/** Answers each batch posted with `onEvent`'s findings and failures. */
function answerBatches(onEvent: OnEvent): void {
  listen("message", (message) => {
    const began = now();
    const { batch, indexes, bytes, starts } = message.data as {
      batch: number;
      indexes: Uint32Array;
      bytes: Uint8Array;
      starts: Uint32Array;
    };
    let found = "";
    let errors = "";
    for (let index = 0; index < indexes.length; index++) {
      try {
        const event = parseJsonExact(
          decode(bytes.subarray(starts[index], starts[index + 1])),
        );
        onEvent(event, (data?: unknown) => {
          found += `${found ? "," : ""}[${indexes[index]},${
            data === undefined ? "true" : toJson(data)
          }]`;
        });
      } catch (error) {
        errors += (errors ? "," : "") +
          toJson([indexes[index], String(error).slice(0, 1024)]);
      }
    }
    post({
      batch,
      result: resultText(found, errors),
      micros: (now() - began) * 1000,
    });
  });
}

/** A signature's `onEvent`, as the worker calls it. */
type OnEvent = (event: unknown, report: (data?: unknown) => void) => void;

/**
 * Runs first in the worker, before the signature's code; returns the hooks
 * that code uses. `runtime` is the SDK's runtime module, given when the
 * signature imports it.
 */
export function startWorker(runtime: object | undefined): WorkerHooks {
  const global = globalThis as Record<string, unknown>;
  for (const name of REMOVED_GLOBALS) delete global[name];
  global.console = { log, info: log, warn: log, error: log, debug: log };
  let ready = false;
  catchUncaught(() => ready);
  const exports: Record<string, unknown> = {};
  const sdk = runtime === undefined ? undefined : sdkModule(runtime);
  const require = (name: string): object => {
    if (name === SDK_SPECIFIER && sdk !== undefined) return sdk;
    throw new Error(
      `Cannot import "${name}": signatures may import only "${SDK_SPECIFIER}" and types`,
    );
  };
  const start = () => {
    const { metadata, selectedEvents, inputFields, onEvent } = exports;
    if (typeof onEvent !== "function") {
      post({ error: "it does not export an onEvent function" });
      return;
    }
    try {
      post({
        ready: parse(toJson({ metadata, selectedEvents, inputFields })),
      });
      ready = true;
    } catch (error) {
      post({ error: `its metadata is not plain data: ${error}` });
      return;
    }
    answerBatches(onEvent as OnEvent);
  };
  return { exports, require, start };
}

/**
 * Globals a signature must not reach: the runtime and worker APIs, and every
 * Web API that keeps data on disk (in a worker, Deno 2.9.6 defines only the
 * Cache API of these; the others are listed in case a version adds them).
 */
const REMOVED_GLOBALS = [
  "Deno",
  "process",
  "Worker",
  "SharedWorker",
  "importScripts",
  "caches",
  "CacheStorage",
  "Cache",
  "localStorage",
  "sessionStorage",
  "Storage",
  "indexedDB",
  "IDBFactory",
];

/**
 * The SDK as a signature gets it: a frozen object with no prototype holding
 * each export of `runtime` (each export, an array's items with it, and each
 * exported class's prototype frozen), marked `__esModule` so that CommonJS
 * interop hands it over as it is.
 */
export function sdkModule(runtime: object): object {
  const module: Record<string, unknown> = Object.defineProperty(
    { __proto__: null, ...runtime },
    "__esModule",
    { value: true },
  );
  for (const value of Object.values(module)) {
    Object.freeze(value);
    if (typeof value === "function") Object.freeze(value.prototype);
  }
  return Object.freeze(module);
}
