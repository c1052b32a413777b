/**
 * The inside of a TypeScript signature's isolate. `workerSource()` builds the
 * worker module: this bootstrap, then the signature's checked CommonJS code
 * wrapped in a function. The bootstrap removes `Deno` and `Worker` before the
 * signature runs (with code generation from strings disabled process-wide,
 * the signature can then neither import files nor reach the sandbox's stdout),
 * and routes `console` to the host's log.
 *
 * Messages in: `{batch: number, indexes: number[], events: string[]}`, where
 * `indexes[i]` is the batch index of `events[i]`. Messages out:
 * `{ready: {metadata, selectedEvents}}` or `{error: string}` once, then per
 * batch `{batch, result: string}` where `result` is the JSON text
 * `{"f":[[i, data|true]...],"e":[[i,"message"]...]}`; and `{log: string}`.
 *
 * @module
 */

/** Runs first in the worker; returns the hooks the wrapped signature uses. */
function bootstrap() {
  const scope = globalThis as unknown as {
    postMessage(message: unknown): void;
    addEventListener(
      type: "message",
      listener: (event: MessageEvent) => void,
    ): void;
  };
  const post = scope.postMessage.bind(scope);
  const exact = (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && !Number.isSafeInteger(value) &&
      context?.source !== undefined && /^-?\d+$/.test(context.source)
      ? BigInt(context.source)
      : value;
  // deno-lint-ignore no-explicit-any
  const rawJson = (JSON as any).rawJSON as (text: string) => unknown;
  const toJson = (value: unknown) =>
    JSON.stringify(
      value,
      (_key, item) =>
        typeof item === "bigint" ? rawJson(item.toString()) : item,
    );
  const text = (args: unknown[]) =>
    args.map((a) => typeof a === "string" ? a : toJson(a)).join(" ");
  const log = (...args: unknown[]) => post({ log: text(args).slice(0, 4096) });
  const global = globalThis as Record<string, unknown>;
  for (const name of ["Deno", "Worker", "SharedWorker", "importScripts"]) {
    delete global[name];
  }
  global.console = { log, info: log, warn: log, error: log, debug: log };
  const exports: Record<string, unknown> = {};
  const require = (name: string) => {
    throw new Error(
      `Cannot import "${name}": signatures may only use import type`,
    );
  };
  const start = () => {
    const { metadata, selectedEvents, onEvent } = exports;
    if (typeof onEvent !== "function") {
      post({ error: "it does not export an onEvent function" });
      return;
    }
    try {
      post({ ready: JSON.parse(toJson({ metadata, selectedEvents })) });
    } catch (error) {
      post({ error: `its metadata is not plain data: ${error}` });
      return;
    }
    scope.addEventListener("message", (message) => {
      const { batch, indexes, events } = message.data as {
        batch: number;
        indexes: number[];
        events: string[];
      };
      const found: string[] = [];
      const errors: string[] = [];
      events.forEach((json, index) => {
        try {
          const event = JSON.parse(
            json,
            exact as (k: string, v: unknown) => unknown,
          );
          onEvent(event, (data?: unknown) => {
            found.push(
              `[${indexes[index]},${
                data === undefined ? "true" : toJson(data)
              }]`,
            );
          });
        } catch (error) {
          errors.push(toJson([indexes[index], String(error).slice(0, 1024)]));
        }
      });
      post({
        batch,
        result: `{"f":[${found.join(",")}],"e":[${errors.join(",")}]}`,
      });
    });
  };
  return { exports, require, start };
}

/** The worker module for a signature whose checked CommonJS code is `code`. */
export function workerSource(code: string): string {
  return `const __vigil = (${bootstrap.toString()})();\n` +
    `(function (exports, require, module) {"use strict";\n${code}\n})` +
    `(__vigil.exports, __vigil.require, { exports: __vigil.exports });\n` +
    `__vigil.start();\n`;
}
