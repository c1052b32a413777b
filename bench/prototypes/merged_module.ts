/**
 * Prototype for bench/PROFILE.md proposal 1: every Rego signature in ONE
 * wasm module, each event's JSON parsed once (`opa_json_parse`) and every
 * signature's `tracee_match` evaluated on the parsed value
 * (`opa_eval_ctx_*`), against today's design (one instance per signature,
 * `opa_eval` parsing the input each time). Checks that both find the same.
 *
 * ```sh
 * deno run -A bench/prototypes/merged_module.ts SIGNATURE_DIR EVENTS.jsonl
 * ```
 *
 * @module
 */

import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { parseTar } from "nanotar";
import { RegoRunner } from "../../src/sandbox/rego_runner.ts";
import {
  discoverSignatures,
  librariesUsedBy,
  type RegoModule,
} from "../../src/signatures/discover.ts";
import { RegoCompiler } from "../../src/signatures/rego_compiler.ts";
import { OPA } from "../replay_bench.ts";

interface OpaExports {
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(addr: number): void;
  opa_json_parse(addr: number, length: number): number;
  opa_json_dump(value: number): number;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(ctx: number, value: number): void;
  opa_eval_ctx_set_data(ctx: number, value: number): void;
  opa_eval_ctx_set_entrypoint(ctx: number, entrypoint: number): void;
  opa_eval_ctx_get_result(ctx: number): number;
  eval(ctx: number): number;
}

interface Policy {
  wasmInstance: WebAssembly.Instance;
  mem: WebAssembly.Memory;
  dataAddr: number;
  dataHeapPtr: number;
  entrypoints: Record<string, number>;
}

const PAGE = 65536;
const [dir, eventsPath] = Deno.args;
if (!dir || !eventsPath) {
  throw new TypeError("Usage: merged_module.ts SIGNATURE_DIR EVENTS.jsonl");
}
const files = await discoverSignatures([dir]);
const modules = files.signatures.flatMap((s) =>
  s.kind === "rego" ? [s.module] : []
);
const entrypoints = modules.map((m) =>
  `${m.packagePath.replaceAll(".", "/")}/tracee_match`
);

async function buildMerged(): Promise<Uint8Array> {
  const tmp = await Deno.makeTempDir();
  try {
    const output = await new Deno.Command(OPA, {
      args: [
        "build",
        "-t",
        "wasm",
        ...entrypoints.flatMap((e) => ["-e", e]),
        "-o",
        `${tmp}/bundle.tar.gz`,
        ...files.regoLibraries.map((l) => l.path),
        ...modules.map((m) => m.path),
      ],
    }).output();
    if (!output.success) {
      throw new Error(new TextDecoder().decode(output.stderr));
    }
    const gzip = new Blob([await Deno.readFile(`${tmp}/bundle.tar.gz`)]);
    const tar = new Uint8Array(
      await new Response(
        gzip.stream().pipeThrough(new DecompressionStream("gzip")),
      ).arrayBuffer(),
    );
    return parseTar(tar).find((f) => f.name.endsWith("policy.wasm"))!.data!;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const selected = new Set<string>();
const events: Uint8Array[] = [];

const merged = await loadPolicy(await buildMerged() as BufferSource, {
  initial: 5,
  maximum: 2048,
}) as unknown as Policy;
const x = merged.wasmInstance.exports as unknown as OpaExports;
const ids = entrypoints.map((e) => merged.entrypoints[e]!);

const compiler = new RegoCompiler({
  cacheDir: new URL("../../.cache/bench", import.meta.url).pathname,
  opa: OPA,
});
const runners: RegoRunner[] = [];
for (const module of modules as RegoModule[]) {
  const compiled = await compiler.compile(
    module,
    librariesUsedBy(module, files.regoLibraries),
  );
  const runner = await RegoRunner.create(
    compiled.wasm,
    compiled.entrypoints,
    2048,
  );
  for (
    const s of JSON.parse(runner.describe().selectors!) as { name: string }[]
  ) {
    selected.add(s.name);
  }
  runners.push(runner);
}
for (const line of (await Deno.readTextFile(eventsPath)).split("\n")) {
  if (
    line && selected.has((JSON.parse(line) as { eventName: string }).eventName)
  ) {
    events.push(encoder.encode(line));
  }
}

/** Today: one instance per signature; per batch, signature-outer. */
function current(): string[] {
  const found: string[] = [];
  for (let first = 0; first < events.length; first += 1024) {
    runners.forEach((runner, s) => {
      for (let e = first; e < Math.min(first + 1024, events.length); e++) {
        const result = runner.match(events[e]!, 0, events[e]!.length);
        if (result !== null) found.push(`${s}@${e}:${result}`);
      }
    });
  }
  return found;
}

/** Proposal: one module, each event parsed once, event-outer. */
function proposed(): string[] {
  const found: string[] = [];
  const base = merged.dataHeapPtr;
  for (let e = 0; e < events.length; e++) {
    const bytes = events[e]!;
    const need = base + bytes.length * 4 + 4 * PAGE -
      merged.mem.buffer.byteLength;
    if (need > 0) merged.mem.grow(Math.ceil(need / PAGE));
    new Uint8Array(merged.mem.buffer).set(bytes, base);
    x.opa_heap_ptr_set(base + bytes.length);
    const input = x.opa_json_parse(base, bytes.length);
    const ctx = x.opa_eval_ctx_new();
    x.opa_eval_ctx_set_input(ctx, input);
    x.opa_eval_ctx_set_data(ctx, merged.dataAddr);
    for (let s = 0; s < ids.length; s++) {
      const mark = x.opa_heap_ptr_get();
      x.opa_eval_ctx_set_entrypoint(ctx, ids[s]!);
      x.eval(ctx);
      const out = x.opa_json_dump(x.opa_eval_ctx_get_result(ctx));
      const memory = new Uint8Array(merged.mem.buffer);
      // '[]': undefined; else '[{"result":…}]'.
      if (memory[out + 1] !== 0x5d) {
        const text = decoder.decode(
          memory.subarray(out, memory.indexOf(0, out)),
        );
        found.push(`${s}@${e}:${text.slice(11, -2)}`);
      }
      x.opa_heap_ptr_set(mark);
    }
  }
  return found;
}

function time(fn: () => string[]): { us: number; found: string[] } {
  const start = performance.now();
  const found = fn();
  const evaluations = events.length * runners.length;
  return { us: (performance.now() - start) * 1000 / evaluations, found };
}

console.log(`${runners.length} signatures, ${events.length} selected events`);
for (let round = 0; round < 2; round++) {
  const a = time(current);
  const b = time(proposed);
  const same = a.found.toSorted().join("\n") === b.found.toSorted().join("\n");
  console.log(
    `round ${round}: today ${a.us.toFixed(3)} µs/evaluation, one module ${
      b.us.toFixed(3)
    } µs/evaluation (${
      (a.us / b.us).toFixed(1)
    }x), ${b.found.length} findings, same: ${same}`,
  );
}
