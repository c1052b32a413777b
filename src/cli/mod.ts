/**
 * The command line, the only place that wires Vigil's parts together:
 * loader → sandbox ({@linkcode startSignatures}), then source → engine →
 * output ({@linkcode main}).
 *
 * @example Run the command line as `vigil` would
 * ```ts ignore
 * import { main } from "./mod.ts";
 *
 * Deno.exit(await main(["--input", "events.jsonl", "--output", "table"]));
 * ```
 *
 * @example Start signatures in a sandbox (the tests' replay helper does)
 * ```ts ignore
 * import { startSignatures } from "./mod.ts";
 *
 * const set = await startSignatures({ dirs: ["signatures"], cacheDir: "/tmp/vigil" });
 * for (const error of set.errors) console.error(error.message);
 * await set.sandbox.close();
 * ```
 *
 * @module
 */

export { main } from "./main.ts";
export {
  type SignatureSet,
  type StartOptions,
  startSignatures,
} from "./start.ts";
