/**
 * The inside of a TypeScript signature's isolate. `workerSource()` builds the
 * worker module: this bootstrap, then the signature's checked CommonJS code
 * wrapped in a function. The bootstrap removes `Deno` and `Worker` before the
 * signature runs (with code generation from strings disabled process-wide,
 * the signature can then neither import files nor reach the sandbox's stdout),
 * removes the Web APIs that store data on disk (the Cache API writes under
 * Deno's cache directory, with no permission check), routes `console` to the
 * host's log, and catches the signature's uncaught errors (which would
 * otherwise end the whole sandbox process).
 *
 * Messages in: `{batch: number, indexes: Uint32Array, bytes: Uint8Array,
 * starts: Uint32Array}`: event `i`, the batch's event `indexes[i]`, is the
 * JSON text `bytes[starts[i], starts[i + 1])` (bytes, not strings, because
 * copying bytes to a worker is far cheaper than cloning strings). Messages out:
 * `{ready: {metadata, selectedEvents}}` or `{error: string}` once, then per
 * batch `{batch, result: string, micros: number}` where `result` is the JSON
 * text `{"f":[[i, data|true]...],"e":[[i,"message"]...]}` and `micros` the
 * time the batch took in the worker; and `{log: string}`.
 *
 * @module
 */

import { parseJsonExact } from "../event/json.ts";
import { SDK_SPECIFIER, sdkSourceFor } from "../sdk/_runtime_source.ts";

/**
 * Runs first in the worker; returns the hooks the wrapped signature uses.
 * It keeps its own references to what it needs (`JSON`, `postMessage`) and
 * builds results by string concatenation, so a signature that pollutes its
 * isolate's prototypes cannot corrupt its results' framing.
 */
function bootstrap(
  parseJsonExact: (text: string) => unknown,
  removedGlobals: readonly string[],
) {
  const scope = globalThis as unknown as {
    postMessage(message: unknown): void;
    addEventListener(
      type: "message" | "error" | "unhandledrejection",
      listener: (
        event: MessageEvent & PromiseRejectionEvent & ErrorEvent,
      ) => void,
    ): void;
  };
  const post = scope.postMessage.bind(scope);
  const now = performance.now.bind(performance);
  const { parse, stringify } = JSON;
  const textDecoder = new TextDecoder();
  const decode = textDecoder.decode.bind(textDecoder);
  // deno-lint-ignore no-explicit-any
  const rawJson = (JSON as any).rawJSON as (text: string) => unknown;
  const toJson = (value: unknown): string =>
    stringify(
      value,
      (_key, item) =>
        typeof item === "bigint" ? rawJson(item.toString()) : item,
    );
  const log = (...args: unknown[]) => {
    let text = "";
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      text += (i > 0 ? " " : "") +
        (typeof arg === "string" ? arg : toJson(arg));
    }
    post({ log: text.slice(0, 4096) });
  };
  const global = globalThis as Record<string, unknown>;
  for (const name of removedGlobals) delete global[name];
  global.console = { log, info: log, warn: log, error: log, debug: log };
  // A signature's uncaught error or rejected promise (e.g. in a timer) must
  // not end the sandbox.
  // Before it is ready, one fails the load (a throw at the top level of a
  // module is a rejected promise).
  let ready = false;
  const uncaught = (what: string) => {
    if (ready) log(what);
    else post({ error: what });
  };
  scope.addEventListener("error", (event) => {
    event.preventDefault();
    uncaught(`uncaught error: ${String(event.message)}`);
  });
  scope.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    uncaught(`unhandled rejection: ${String(event.reason)}`);
  });
  const exports: Record<string, unknown> = {};
  /**
   * Makes the signature's `require`: `sdk`, the SDK's module (given when the
   * signature imports it), for `specifier`, and a throw for any other name.
   */
  const requireFor =
    (specifier: string, sdk: object | undefined) => (name: string) => {
      if (name === specifier && sdk !== undefined) return sdk;
      throw new Error(
        `Cannot import "${name}": signatures may import only "${specifier}" and types`,
      );
    };
  const start = () => {
    const { metadata, selectedEvents, onEvent } = exports;
    if (typeof onEvent !== "function") {
      post({ error: "it does not export an onEvent function" });
      return;
    }
    try {
      post({ ready: parse(toJson({ metadata, selectedEvents })) });
      ready = true;
    } catch (error) {
      post({ error: `its metadata is not plain data: ${error}` });
      return;
    }
    scope.addEventListener("message", (message) => {
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
        result: `{"f":[${found}],"e":[${errors}]}`,
        micros: (now() - began) * 1000,
      });
    });
  };
  return { exports, requireFor, start };
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

/** The worker module for a signature whose checked CommonJS code is `code`. */
export function workerSource(code: string): string {
  return `const __vigil = (${bootstrap.toString()})(${parseJsonExact.toString()}, ${
    JSON.stringify(REMOVED_GLOBALS)
  });\n` +
    `(function (exports, require, module) {"use strict";\n${code}\n})` +
    `(__vigil.exports, __vigil.requireFor(${JSON.stringify(SDK_SPECIFIER)}, ${
      sdkSourceFor(code)
    }), { exports: __vigil.exports });\n` +
    `__vigil.start();\n`;
}
