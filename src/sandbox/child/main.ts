/**
 * The sandbox process: started by the engine with no permissions, a heap cap
 * and code generation from strings disabled. It loads signatures sent over
 * stdin, evaluates batches and writes results to stdout, one frame per
 * signature per batch, so that the engine always knows which signature is
 * running. Rego signatures run as WebAssembly instances here, alone or in
 * bundles compiled together; each TypeScript signature runs in a worker (an
 * isolate) of its own.
 *
 * A batch in fast mode first posts the events to the TypeScript workers, then
 * runs every bundle event by event, parsing each event once for all its
 * signatures, then the other Rego signatures one by one; the next batch may
 * start before the workers have answered. A batch marked isolated runs every
 * signature one by one, answering after each, so a hang names its culprit.
 * Stdin is read ahead by a worker (`stdin_reader.ts`).
 *
 * @module
 */

import {
  decodeBatch,
  type DecodedBatch,
  decodeText,
  encodeFrame,
  FrameType,
  readFrames,
  readU32,
  type RegoLoadSpec,
  resultText,
} from "../protocol.ts";
import { RegoModule } from "./rego_module.ts";
import { readStdinAhead } from "./stdin_reader.ts";
import {
  installWorkerModules,
  runTypeScript,
  startTypeScript,
  type Timed,
  type TypeScriptRunner,
} from "./typescript_runner.ts";

/** Longest log line passed on. */
const MAX_LOG_CHARS = 4096;
/** Log lines passed on per signature per second (bursts as large). */
const LOG_LINES_PER_SECOND = 100;

/** A Rego signature: its module and its rules' entrypoint ids. */
interface RegoRunner {
  module: RegoModule;
  bundle: number | undefined;
  metadoc: number;
  selected: number;
  match: number;
}

const bundles = new Map<number, RegoModule | Error>();
const runners = new Map<number, RegoRunner | TypeScriptRunner>();

function isRego(runner: RegoRunner | TypeScriptRunner): runner is RegoRunner {
  return "module" in runner;
}

function send(frame: Uint8Array): void {
  let written = 0;
  while (written < frame.length) {
    written += Deno.stdout.writeSync(frame.subarray(written));
  }
}

function sendJson(type: FrameType, index: number, value: unknown): void {
  send(encodeFrame(type, [index, JSON.stringify(value)]));
}

/** Log lines left to each signature, refilled every second. */
const logBudget = new Map<number, { lines: number; since: number }>();

/** Passes a signature's log line on, within its budget. */
function sendLog(index: number, text: string): void {
  const now = performance.now();
  let budget = logBudget.get(index);
  if (!budget || now - budget.since >= 1000) {
    budget = { lines: LOG_LINES_PER_SECOND, since: now };
    logBudget.set(index, budget);
  }
  if (budget.lines-- <= 0) return;
  send(encodeFrame(FrameType.Log, [index, text.slice(0, MAX_LOG_CHARS)]));
}

function message(error: unknown): string {
  const text = error instanceof Error
    ? error.message
    : typeof (error as { message?: unknown })?.message === "string"
    ? (error as { message: string }).message
    : String(error);
  return text.slice(0, 2048);
}

async function loadBundle(payload: Uint8Array): Promise<void> {
  const id = readU32(payload, 0);
  try {
    bundles.set(
      id,
      await RegoModule.create(payload.subarray(8), readU32(payload, 4)),
    );
  } catch (error) {
    bundles.set(id, new Error(`its bundle did not load: ${message(error)}`));
  }
}

async function loadRego(payload: Uint8Array): Promise<void> {
  const index = readU32(payload, 0);
  const jsonLength = readU32(payload, 4);
  const spec = JSON.parse(
    decodeText(payload.subarray(8, 8 + jsonLength)),
  ) as RegoLoadSpec;
  try {
    const module = spec.bundle === undefined
      ? await RegoModule.create(payload.subarray(8 + jsonLength), spec.maxPages)
      : bundles.get(spec.bundle);
    if (!(module instanceof RegoModule)) {
      throw module ?? new Error("unknown bundle");
    }
    const [metadoc, selected, match] = spec.entrypoints.map((name) =>
      module.entrypoint(name)
    ) as [number, number, number];
    const empty = new TextEncoder().encode("{}");
    const metadata = module.evaluate(metadoc, empty, 0, empty.length);
    const selectors = module.evaluate(selected, empty, 0, empty.length);
    runners.set(index, {
      module,
      bundle: spec.bundle,
      metadoc,
      selected,
      match,
    });
    send(
      encodeFrame(FrameType.Loaded, [
        index,
        `{"ok":true,"metadata":${metadata ?? "null"},"selectors":${
          selectors ?? "null"
        }}`,
      ]),
    );
  } catch (error) {
    sendJson(FrameType.Loaded, index, { ok: false, error: message(error) });
  }
}

async function loadTypeScript(payload: Uint8Array): Promise<void> {
  const index = readU32(payload, 0);
  const { code } = JSON.parse(decodeText(payload.subarray(4))) as {
    code: string;
  };
  const { runner, outcome } = await startTypeScript(code, {
    onLog: (text) => sendLog(index, text),
  });
  if (runner) runners.set(index, runner);
  sendJson(FrameType.Loaded, index, outcome);
}

/** Collects one signature's answer for a batch as result JSON text. */
class Answer {
  #found = "";
  #errors = "";

  found(event: number, value: string): void {
    this.#found += `${this.#found ? "," : ""}[${event},${value}]`;
  }

  failed(event: number, error: unknown): void {
    this.#errors += (this.#errors ? "," : "") +
      JSON.stringify([event, message(error)]);
  }

  toString(): string {
    return resultText(this.#found, this.#errors);
  }
}

function runRego(
  runner: RegoRunner,
  batch: DecodedBatch,
  events: Uint32Array,
): string {
  const answer = new Answer();
  for (const event of events) {
    try {
      const result = runner.module.evaluate(
        runner.match,
        batch.bytes,
        batch.starts[event]!,
        batch.starts[event + 1]!,
      );
      if (result !== null) answer.found(event, result);
    } catch (error) {
      answer.failed(event, error);
    }
  }
  return answer.toString();
}

/**
 * Parses event `event` of a batch once and runs the bundle's signatures on
 * it. A signature that threw had the module instantiated afresh: the event
 * is then parsed again for the next ones.
 */
function runBundleEvent(
  module: RegoModule,
  batch: DecodedBatch,
  event: number,
  signatures: readonly { index: number; match: number }[],
  answers: ReadonlyMap<number, Answer>,
): void {
  const start = batch.starts[event]!;
  const end = batch.starts[event + 1]!;
  let input = 0;
  let parsedAt = -1;
  let unparsable: unknown = undefined;
  for (const { index, match } of signatures) {
    if (unparsable === undefined && module.resets !== parsedAt) {
      try {
        input = module.parse(batch.bytes, start, end);
        if (input === 0) unparsable = new SyntaxError("the event is not JSON");
      } catch (error) {
        unparsable = error;
      }
      parsedAt = module.resets;
    }
    if (unparsable !== undefined) {
      answers.get(index)!.failed(event, unparsable);
      continue;
    }
    try {
      const result = module.evaluateParsed(match, input);
      if (result !== null) answers.get(index)!.found(event, result);
    } catch (error) {
      answers.get(index)!.failed(event, error);
    }
  }
}

/**
 * Runs the signatures of one bundle event by event, parsing each event once,
 * and answers for each signature.
 */
function runBundle(
  module: RegoModule,
  batch: DecodedBatch,
  routes: [number, Uint32Array][],
) {
  const answers = new Map(routes.map(([index]) => [index, new Answer()]));
  // The signatures of each event of the batch, in route order.
  const perEvent: (RegoRunner & { index: number })[][] = Array.from(
    { length: batch.starts.length - 1 },
    () => [],
  );
  for (const [index, events] of routes) {
    const runner = { ...(runners.get(index) as RegoRunner), index };
    for (const event of events) perEvent[event]!.push(runner);
  }
  const started = performance.now();
  for (let event = 0; event < perEvent.length; event++) {
    const signatures = perEvent[event]!;
    if (signatures.length > 0) {
      runBundleEvent(module, batch, event, signatures, answers);
    }
  }
  // The bundle's time is shared among its signatures by their event counts.
  const micros = (performance.now() - started) * 1000;
  const total = routes.reduce((sum, [, events]) => sum + events.length, 0);
  for (const [index, events] of routes) {
    const share = Math.round(micros * events.length / Math.max(1, total));
    send(
      encodeFrame(FrameType.Result, [
        batch.batchId,
        index,
        share,
        answers.get(index)!.toString(),
      ]),
    );
  }
}

async function runBatch(batch: DecodedBatch): Promise<void> {
  // In fast mode TypeScript signatures start at once, in their workers,
  // while Rego runs here.
  const running = new Map<number, Promise<Timed>>();
  if (!batch.isolated) {
    for (const [index, events] of batch.routes) {
      const runner = runners.get(index);
      if (runner && !isRego(runner)) {
        running.set(index, runTypeScript(runner, batch, events));
      }
    }
  }
  let routes = batch.routes;
  if (!batch.isolated) {
    const byBundle = new Map<number, [number, Uint32Array][]>();
    routes = [];
    for (const route of batch.routes) {
      const runner = runners.get(route[0]);
      const bundle = runner && isRego(runner) ? runner.bundle : undefined;
      if (bundle === undefined) {
        routes.push(route);
        continue;
      }
      const list = byBundle.get(bundle);
      if (list) list.push(route);
      else byBundle.set(bundle, [route]);
    }
    for (const [bundle, bundleRoutes] of byBundle) {
      runBundle(bundles.get(bundle) as RegoModule, batch, bundleRoutes);
    }
  }
  for (const [index, events] of routes) {
    const runner = runners.get(index);
    let answer: Timed;
    if (runner === undefined) {
      answer = {
        result: resultText("", '[-1,"signature not loaded"]'),
        micros: 0,
      };
    } else if (isRego(runner)) {
      const started = performance.now();
      const result = runRego(runner, batch, events);
      answer = { result, micros: (performance.now() - started) * 1000 };
    } else {
      answer =
        await (running.get(index) ?? runTypeScript(runner, batch, events));
    }
    const micros = Math.min(0xffffffff, Math.round(answer.micros));
    send(
      encodeFrame(FrameType.Result, [
        batch.batchId,
        index,
        micros,
        answer.result,
      ]),
    );
  }
}

async function main(): Promise<void> {
  for await (const frame of readFrames(readStdinAhead())) {
    switch (frame.type) {
      case FrameType.LoadRegoBundle:
        await loadBundle(frame.payload);
        break;
      case FrameType.LoadRego:
        await loadRego(frame.payload);
        break;
      case FrameType.WorkerModules:
        installWorkerModules(JSON.parse(decodeText(frame.payload)));
        break;
      case FrameType.LoadTypeScript:
        await loadTypeScript(frame.payload);
        break;
      case FrameType.Batch: {
        // A batch in fast mode does not wait for the previous one's
        // TypeScript answers: its Rego runs meanwhile.
        const batch = decodeBatch(frame.payload);
        const running = runBatch(batch);
        if (batch.isolated) await running;
        break;
      }
    }
  }
  for (const runner of runners.values()) {
    if (!isRego(runner)) runner.worker.terminate();
  }
}

if (import.meta.main) await main();
