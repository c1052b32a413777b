/**
 * The modules a TypeScript signature's worker runs, read here because the
 * sandbox process may not read files: the worker's runtime
 * (`child/ts_worker.ts`) and the SDK's (`sdk/runtime.ts`), with every module
 * they import by a relative path, as TypeScript source texts that the
 * sandbox turns into `blob:` URLs (see `protocol.ts`'s `WorkerModules`).
 * Type-only imports are left out: Deno's transpiler erases them.
 *
 * @module
 */

import { type WorkerModules, workerModuleSpecifier } from "../protocol.ts";

const WORKER_RUNTIME = new URL("../child/ts_worker.ts", import.meta.url);
const SDK_RUNTIME = new URL("../../sdk/runtime.ts", import.meta.url);

/**
 * An `import` or `export … from` of a relative path, not type-only; group 1
 * is the quoted specifier.
 */
const RELATIVE_IMPORT_REGEXP =
  /^(?:import|export)(?!\s+type\s)(?:[^;"]*?\bfrom)?\s*("\.{1,2}\/[^"]+")/gm;

let cached: WorkerModules | undefined;

/** Reads the worker's modules (once: they are part of this program). */
export function workerModules(): WorkerModules {
  if (cached) return cached;
  const sources: string[] = [];
  const indexes = new Map<string, number>();
  const visit = (url: URL, trail: readonly string[]): number => {
    const known = indexes.get(url.href);
    if (known !== undefined) return known;
    if (trail.includes(url.href)) {
      throw new Error(
        `Cannot ship the worker's modules: ${url} imports itself`,
      );
    }
    const source = Deno.readTextFileSync(url).replace(
      RELATIVE_IMPORT_REGEXP,
      (statement, quoted: string) => {
        const dependency = new URL(JSON.parse(quoted), url);
        const index = visit(dependency, [...trail, url.href]);
        return statement.replace(
          quoted,
          JSON.stringify(workerModuleSpecifier(index)),
        );
      },
    );
    indexes.set(url.href, sources.length);
    sources.push(source);
    return sources.length - 1;
  };
  const worker = visit(WORKER_RUNTIME, []);
  const sdk = visit(SDK_RUNTIME, []);
  cached = { sources, worker, sdk };
  return cached;
}
