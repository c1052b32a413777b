/**
 * Prototype for bench/PROFILE.md proposal 2: the replay source reads the
 * routing fields (`containerId`, `eventName`, `contextFlags`) by searching
 * the line in Tracee's field order instead of `JSON.parse`-ing all of it,
 * falling back to `JSON.parse` when the line has another shape. Runs the
 * real engine with 0 signatures over both sources and checks that routing
 * is identical.
 *
 * ```sh
 * deno run -A bench/prototypes/scan_routing.ts EVENTS.jsonl
 * ```
 *
 * @module
 */

import { Engine } from "../../src/engine/engine.ts";
import type { TraceeEvent } from "../../src/event/event.ts";
import { type EventRecord, recordFromJson } from "../../src/event/record.ts";
import { Sandbox } from "../../src/sandbox/sandbox.ts";
import { ReplaySource } from "../../src/sources/replay_source.ts";
import type { EventSource } from "../../src/sources/source.ts";

/**
 * The routing fields of a line in Tracee's field order, or undefined when
 * the line does not have that shape. A quote inside a JSON string is
 * escaped, so the searched keys cannot match inside a value.
 */
export function scanRouting(line: string): Partial<TraceeEvent> | undefined {
  if (
    line.charCodeAt(0) !== 0x7b || line.charCodeAt(line.length - 1) !== 0x7d
  ) {
    return undefined;
  }
  const c = line.indexOf('"containerId":"');
  if (c < 0) return undefined;
  const ce = line.indexOf('"', c + 15);
  const n = line.indexOf('"eventName":"', ce);
  if (n < 0) return undefined;
  const ne = line.indexOf('"', n + 13);
  const f = line.indexOf('"contextFlags":{"containerStarted":', ne);
  if (f < 0 || line.indexOf('"args":[', f) < 0) return undefined;
  const eventName = line.slice(n + 13, ne);
  const containerId = line.slice(c + 15, ce);
  if (
    eventName === "" || eventName.includes("\\") || containerId.includes("\\")
  ) {
    return undefined;
  }
  return {
    eventName,
    containerId,
    contextFlags: {
      containerStarted: line.charCodeAt(f + 35) === 0x74,
      isCompat: false,
    },
  };
}

/** A replay source using `scanRouting` (no malformed-line reporting). */
class ScanningSource implements EventSource {
  readonly name: string;
  #path: string;
  constructor(path: string) {
    this.name = this.#path = path;
  }
  async *batches(): AsyncGenerator<EventRecord[]> {
    using file = await Deno.open(this.#path);
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(1024 * 1024);
    let rest = "";
    let batch: EventRecord[] = [];
    while (true) {
      const read = await file.read(buffer);
      const text = rest +
        (read === null
          ? decoder.decode()
          : decoder.decode(buffer.subarray(0, read), { stream: true }));
      const lines = text.split("\n");
      rest = read === null ? "" : lines.pop() ?? "";
      for (const line of lines) {
        if (line === "") continue;
        const routing = scanRouting(line) ??
          (JSON.parse(line) as Partial<TraceeEvent>);
        batch.push(recordFromJson(line, routing));
        if (batch.length >= 1024) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      batch = [];
      if (read === null) return;
    }
  }
  summary(): string[] {
    return [];
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function routes(source: EventSource): Promise<string> {
  const seen: string[] = [];
  for await (const batch of source.batches(new AbortController().signal)) {
    for (const record of batch) {
      seen.push(`${record.eventName} ${record.origin}`);
    }
  }
  await source.close();
  return seen.join("\n");
}

async function rate(source: EventSource): Promise<number> {
  const engine = new Engine({
    signatures: [],
    sandbox: new Sandbox([]),
    output: {
      write: () => {},
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    },
    print: new Set(),
  });
  const start = performance.now();
  await engine.run(source, new AbortController().signal);
  await source.close();
  return engine.counts.events / ((performance.now() - start) / 1000);
}

const path = Deno.args[0];
if (!path) throw new TypeError("Usage: scan_routing.ts EVENTS.jsonl");
const replay = async () => new ReplaySource(await Deno.open(path), { path });
console.log(
  `routing identical: ${
    await routes(await replay()) === await routes(new ScanningSource(path))
  }`,
);
for (let round = 0; round < 3; round++) {
  const today = await rate(await replay());
  const scan = await rate(new ScanningSource(path));
  console.log(
    `round ${round}: JSON.parse ${Math.round(today)} events/s, scan ${
      Math.round(scan)
    } events/s (${(scan / today).toFixed(2)}x)`,
  );
}
