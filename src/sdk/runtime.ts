/**
 * The values of the signature SDK: what a signature's
 * `import { ... } from "@vigil/sensor/sdk"` gets in its sandbox.
 *
 * The sandbox rebuilds this module from its values' source text
 * (`_runtime_source.ts`), so the files exported here depend on nothing
 * outside them, keep no value that is not exported, and refer to one another's
 * exports by their exported names (no `as` renames).
 *
 * @module
 */

export * from "./arguments.ts";
export * from "./program_starts.ts";
export * from "./selectors.ts";
export * from "./shells.ts";
