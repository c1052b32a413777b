/**
 * The engine: routes each event to the signatures whose selectors match it,
 * sends them to the sandbox in batches, turns findings into events (fed back
 * to signatures that select findings), counts each signature's health and
 * prints what was asked for. It receives signatures already loaded and a
 * sandbox already started; it never loads anything itself.
 *
 * @example Run a source through the engine (what `src/cli/main.ts` does)
 * ```ts ignore
 * import { Engine } from "./mod.ts";
 *
 * const { signatures, sandbox } = await startSignatures(options);
 * const engine = new Engine({ signatures, sandbox, output, print: new Set(["openat"]) });
 * await engine.run(source, signal);
 * console.log(engine.health.format());
 * ```
 *
 * @example Index selectors to route events in O(1)
 * ```ts
 * import assert from "node:assert/strict";
 * import { SelectorIndex } from "./mod.ts";
 * import { parseSelector } from "../model/mod.ts";
 *
 * const index = new SelectorIndex([[parseSelector({ source: "tracee", name: "openat" })]]);
 * const event = { eventName: "openat", origin: "host" as const, argument: () => undefined };
 * assert.deepEqual(index.match(event), [0]);
 * ```
 *
 * @module
 */

export * from "./engine.ts";
export * from "./error_event.ts";
export * from "./exceptions.ts";
export * from "./finding_event.ts";
export * from "./health.ts";
export * from "./selector_index.ts";
