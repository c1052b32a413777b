/**
 * A live `vigil --output json` for the container tests: started with the
 * given options, its findings and stderr lines gathered as they come;
 * disposing stops it with SIGINT.
 *
 * @module
 */

import { parseJsonExact } from "../../src/event/json.ts";
import type { TraceeEvent } from "../../src/event/event.ts";
import { spawnVigil } from "./replay.ts";

/** A running `vigil --output json` and what it printed so far. */
export interface LiveSensor extends AsyncDisposable {
  findings: TraceeEvent[];
  stderr: string[];
}

async function lines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    const parts = text.split("\n");
    text = parts.pop()!;
    parts.forEach(onLine);
  }
}

/** Starts the sensor with `args` (after `--output json`); resolves once it watches. */
export async function startSensor(args: string[]): Promise<LiveSensor> {
  const child = spawnVigil(["--output", "json", ...args]);
  const findings: TraceeEvent[] = [];
  const stderr: string[] = [];
  const reading = Promise.all([
    lines(child.stdout, (line) => {
      if (line.startsWith("{")) {
        findings.push(parseJsonExact(line) as TraceeEvent);
      }
    }),
    lines(child.stderr, (line) => void stderr.push(line)),
  ]);
  const stop = async () => {
    try {
      child.kill("SIGINT");
    } catch { /* already ended */ }
    await child.status;
    await reading;
  };
  if (
    !await waitFor(() => stderr.some((l) => l.includes("Watching")), 30_000)
  ) {
    await stop();
    throw new Error(`vigil did not start:\n${stderr.join("\n")}`);
  }
  return { findings, stderr, [Symbol.asyncDispose]: stop };
}

/** Whether `condition` held within `timeoutMs`, polled every 20 ms. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** The finding's signature id. */
export function signatureId(finding: TraceeEvent): unknown {
  return finding.metadata?.Properties?.signatureID;
}

/** A temporary directory, removed when disposed. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "vigil-container-test-" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}
