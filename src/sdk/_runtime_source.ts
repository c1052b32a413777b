/**
 * The SDK's runtime as source text for a signature's worker. The worker is
 * built from text and has no permission to read files, so it cannot import
 * `runtime.ts`; instead each of its exports is written out under its own name
 * in one scope: a function or class by its source text
 * (`Function.prototype.toString`, which gives the JavaScript Deno runs), any
 * other value as JSON.
 *
 * @module
 */

import * as runtime from "./runtime.ts";

/** The one module specifier a signature may import values from. */
export const SDK_SPECIFIER = "@vigil/sensor/sdk";

/**
 * Freezes the module object, each export (an array's items with it) and each
 * exported class's prototype: all the SDK hands a signature.
 */
function freezeModule<T extends object>(module: T): T {
  for (const value of Object.values(module)) {
    Object.freeze(value);
    if (typeof value === "function") Object.freeze(value.prototype);
  }
  return Object.freeze(module);
}

/** `const name = value;` in JavaScript, for one export of the runtime. */
function declaration(name: string, value: unknown): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) {
    throw new Error(`SDK export "${name}" is not an identifier`);
  }
  const source = typeof value === "function"
    ? value.toString()
    : JSON.stringify(value);
  if (source === undefined || source.includes("[native code]")) {
    throw new Error(`SDK export "${name}" cannot be written as source`);
  }
  return `const ${name} = ${source};\n`;
}

function buildSource(): string {
  const entries = Object.entries(runtime);
  const names = entries.map(([name]) => name).join(", ");
  return `(${freezeModule.toString()})((() => {\n` +
    entries.map(([name, value]) => declaration(name, value)).join("") +
    `return Object.defineProperty({ __proto__: null, ${names} }, ` +
    `"__esModule", { value: true });\n})())`;
}

/**
 * A JavaScript expression whose value is the SDK's runtime module: a frozen
 * object with no prototype and each export of `runtime.ts`, marked
 * `__esModule` so that CommonJS interop hands it over as it is.
 */
const SDK_RUNTIME_SOURCE: string = buildSource();

/**
 * The SDK's runtime module as a JavaScript expression for a worker running
 * the compiled signature `code`: `undefined` unless the code names the SDK
 * (the transpiler writes each import of it as `require('@vigil/sensor/sdk')`),
 * since each byte of a worker's source costs its isolate memory.
 */
export function sdkSourceFor(code: string): string {
  return code.includes(SDK_SPECIFIER) ? SDK_RUNTIME_SOURCE : "undefined";
}
