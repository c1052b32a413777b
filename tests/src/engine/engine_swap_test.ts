/**
 * Engine.swap() with real sandboxes: batches routed before a swap are
 * answered by the signatures they were routed to, later ones by the new
 * set, each event exactly once, and a signature that stays keeps its
 * counters.
 */
import assert from "node:assert/strict";
import { startSignatures } from "../../../src/cli/start.ts";
import { Engine } from "../../../src/engine/mod.ts";
import { envelopeFromEvent, type TraceeEvent } from "../../../src/event/mod.ts";
import type { EventOutput } from "../../../src/output/mod.ts";
import type { EventSource } from "../../../src/sources/mod.ts";
import { OPA, TEST_CACHE_DIR, tracee } from "../../_helpers/replay.ts";

/** A TypeScript signature reporting each `openat` with its generation. */
function signature(generation: string): string {
  return `export const metadata = {
  id: "T-GEN", version: "1", name: "Generation", eventName: "generation",
  description: "Each openat, with the generation that saw it",
};
export const selectedEvents = [{ source: "tracee", name: "openat" }];
export const onEvent = (event: { args: { value: unknown }[] }, report: (d: unknown) => void) => {
  report({ generation: "${generation}", path: event.args[0]?.value });
};
`;
}

async function start(dir: string, generation: string) {
  await Deno.writeTextFile(`${dir}/gen.ts`, signature(generation));
  return await startSignatures({
    dirs: [dir],
    cacheDir: TEST_CACHE_DIR,
    opa: OPA,
  });
}

Deno.test("Engine.swap() routes each event once, old batches to the old set, later ones to the new", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-swap-" });
  const first = await start(dir, "first");
  const second = await start(dir, "second");
  const printed: TraceeEvent[] = [];
  const output: EventOutput = {
    write: (event) => void printed.push(event),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  assert.deepEqual([...first.errors, ...second.errors].map(String), []);
  const print = new Set(["generation"]);
  const engine = new Engine({ ...first, output, print });
  const BATCHES = 12;
  const SWAP_AFTER = 5;
  let swapped: Promise<unknown> | undefined;
  const source: EventSource = {
    name: "test",
    unwanted: 0,
    summary: () => [],
    losses: () => ({ lost: 0, dropped: {} }),
    close: () => Promise.resolve(),
    async *batches() {
      for (let b = 0; b < BATCHES; b++) {
        yield Array.from({ length: 50 }, (_, i) =>
          envelopeFromEvent(
            tracee("openat", [[
              "pathname",
              "const char*",
              `/b${b}/e${i}`,
            ]]) as unknown as TraceeEvent,
          ));
        // While batches up to this one may still be in flight.
        if (b === SWAP_AFTER) {
          swapped = engine.swap({ ...second, print }).then((old) =>
            old.close()
          );
        }
      }
    },
  };
  try {
    await engine.run(source, new AbortController().signal);
    await swapped;
    const byPath = new Map<string, string[]>();
    for (const event of printed) {
      const data = Object.fromEntries(event.args.map((a) => [a.name, a.value]));
      byPath.set(String(data.path), [
        ...byPath.get(String(data.path)) ?? [],
        String(data.generation),
      ]);
    }
    assert.equal(byPath.size, BATCHES * 50);
    for (const [path, generations] of byPath) {
      const batch = Number(path.split("/")[1]!.slice(1));
      assert.deepEqual(
        generations,
        [batch <= SWAP_AFTER ? "first" : "second"],
        path,
      );
    }
    const entries = engine.health.entries();
    assert.equal(entries.length, 1);
    const [, health] = entries[0]!;
    assert.equal(health.events, BATCHES * 50);
    assert.equal(health.findings, BATCHES * 50);
  } finally {
    await first.sandbox.close();
    await second.sandbox.close();
    await Deno.remove(dir, { recursive: true });
  }
});
