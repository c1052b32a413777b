import assert from "node:assert/strict";
import { workerModules } from "../../../../src/sandbox/host/worker_modules.ts";

const PLACEHOLDER_REGEXP = /"@vigil\/worker-module\/(\d+)"/g;

Deno.test("workerModules() ships the worker's and the SDK's runtimes, dependencies first", () => {
  const { sources, worker, sdk } = workerModules();
  assert.match(sources[worker]!, /export function startWorker\(/);
  assert.match(sources[sdk]!, /export \* from "@vigil\/worker-module\/\d+"/);
  sources.forEach((source, index) => {
    for (const [, dependency] of source.matchAll(PLACEHOLDER_REGEXP)) {
      assert.ok(
        Number(dependency) < index,
        `module ${index} imports a later one`,
      );
    }
  });
});

Deno.test("workerModules() leaves no relative or package import a permission-less worker would have to read", () => {
  for (const source of workerModules().sources) {
    const imports = source.match(
      /^(?:import|export)(?!\s+type\s)(?:[^;"]*?\bfrom)?\s*"[^"]+"/gm,
    ) ?? [];
    for (const statement of imports) {
      assert.match(statement, /"@vigil\/worker-module\/\d+"$/, statement);
    }
  }
});
