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
 * Freezes `root` and every object and function reachable from it through
 * own data properties (a class's `prototype` and statics, an array's items),
 * so that nothing the SDK hands a signature can be changed.
 */
function deepFreeze<T>(root: T): T {
  const pending: unknown[] = [root];
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const value = pending.pop();
    const isObject = (typeof value === "object" && value !== null) ||
      typeof value === "function";
    if (!isObject || seen.has(value)) continue;
    seen.add(value);
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && "value" in descriptor) {
        pending.push(descriptor.value);
      }
    }
  }
  return root;
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
  return `(${deepFreeze.toString()})((() => {\n` +
    entries.map(([name, value]) => declaration(name, value)).join("") +
    `return Object.defineProperty({ __proto__: null, ${names} }, ` +
    `"__esModule", { value: true });\n})())`;
}

/**
 * A JavaScript expression whose value is the SDK's runtime module: a frozen
 * object with no prototype and each export of `runtime.ts`, marked
 * `__esModule` so that CommonJS interop hands it over as it is.
 */
export const SDK_RUNTIME_SOURCE: string = buildSource();
