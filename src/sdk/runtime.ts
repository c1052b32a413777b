/**
 * The values of the signature SDK: what a signature's
 * `import { ... } from "@vigil/sensor/sdk"` gets in its sandbox.
 *
 * A signature's worker imports this module (`sandbox/child/ts_worker.ts`
 * freezes it), so the files exported here, and what they import, must not
 * import `npm:` or `jsr:` packages: the sandbox process loads them from
 * source texts the host sends.
 *
 * @module
 */

export * from "./arguments.ts";
export * from "./elf.ts";
export * from "./program_starts.ts";
export * from "./selectors.ts";
export * from "./shells.ts";
