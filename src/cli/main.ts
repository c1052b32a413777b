/**
 * The command line: parses options, loads the signatures, wires a source,
 * the engine, the outputs and `--server`, and reports what was lost at exit. The only
 * place that wires the parts together (with `start.ts`).
 *
 * @module
 */

import {
  BASE_EVENT_IDS,
  SIGNATURE_ERROR_EVENT,
  type TraceeEvent,
} from "../event/mod.ts";
import { Engine, Exceptions } from "../engine/mod.ts";
import { describe } from "../errors.ts";
import { configureLogging, firstWarnings, log } from "../log.ts";
import {
  parseServerAddress,
  type RunningMetrics,
  SensorMetrics,
} from "../metrics/mod.ts";
import type { LoadedSignature } from "../model/mod.ts";
import { type EventOutput, parseOutputSpec, printable } from "../output/mod.ts";
import type { KernelSource } from "../sources/kernel/mod.ts";
import {
  type EventSource,
  openReplaySource,
  parseScope,
  type Scope,
} from "../sources/mod.ts";
import { formatSignatureList } from "./list.ts";
import { CountedSource, type RunParts, serve } from "./observe.ts";
import { closeOutputs, openOutputs } from "./outputs.ts";
import { type SignatureSet, startSignatures } from "./start.ts";
import { gainPermissions, missingPermissions } from "./permissions.ts";
import {
  buildProgram,
  type CommonOptions,
  type RunOptions,
  UsageError,
} from "./program.ts";
import { REEXEC_MARKER } from "./reexec.ts";
import { readConfigBeforeAction } from "./config_file.ts";
import { readExceptionsFile } from "./exceptions_file.ts";
import { FollowingGates } from "./reload.ts";
import {
  holdHangups,
  startReloading,
  warnUnmatchedExceptions,
} from "./reloading.ts";
import { isNatsUrl } from "../fleet/mod.ts";
import { addCollectCommand, collect } from "./collect.ts";
import { addTailCommand, tail } from "./tail.ts";
import {
  fleetSummary,
  openFleetOutput,
  publishedEvents,
} from "./fleet_options.ts";

const PROJECT_ROOT = new URL("../../", import.meta.url).pathname;
const BUILTIN_SIGNATURES = `${PROJECT_ROOT}signatures`;

const FAILURES_LOGGED_PER_SIGNATURE = 5;
const SIGNATURE_LOG_LINES = 20;

let exitCode = 0;

async function load(
  options:
    & CommonOptions
    & Partial<
      Pick<RunOptions, "deadline" | "sandboxMemory" | "quarantineAfter">
    >,
  pinned: ReadonlyMap<string, string> = new Map(),
): Promise<SignatureSet> {
  await configureLogging({ debug: options.verbose });
  const logger = log("signatures");
  // Signatures may log, and the sandbox restart, while they load: before
  // `set` exists, a signature is named by its file.
  let set: SignatureSet | undefined = undefined;
  const name = (index: number, path: string) =>
    set?.signatures.find((s) => s.index === index)?.metadata.id ?? path;
  set = await startSignatures({
    dirs: options.signaturesDir ?? [BUILTIN_SIGNATURES],
    cacheDir: options.cacheDir,
    opa: options.opa,
    pinned,
    sandbox: {
      deadlineMs: options.deadline ?? 1000,
      memoryMiB: options.sandboxMemory ?? 128,
      quarantineAfter: options.quarantineAfter ?? 3,
      onLog: (index, message, path) =>
        signatureLog(index, name(index, path), message),
      onDebug: (message) => log("sandbox").debug(message),
      onRestart: ({ cause, signature, count }) => {
        const charged = signature === undefined
          ? "no signature was charged"
          : `signature ${name(signature, "?")} was charged`;
        log("sandbox").warn(
          `Restarting the sandbox (restart ${count}): ${cause}; ${charged}`,
        );
      },
    },
  });
  logger.debug(
    `${set.signatures.length} signature(s) loaded, ${set.compiled} compiled, ${set.errors.length} failed`,
  );
  return set;
}

const signatureLogLines = new Map<number, number>();

/** Logs a signature's console output; the first lines only, then a count. */
function signatureLog(index: number, id: string, message: string): void {
  const count = (signatureLogLines.get(index) ?? 0) + 1;
  signatureLogLines.set(index, count);
  if (count <= SIGNATURE_LOG_LINES) log("signature").info(`${id}: ${message}`);
  else if (count === SIGNATURE_LOG_LINES + 1) {
    log("signature").warn(`${id}: further console output is dropped`);
  }
}

/** Logs what failed to load, one line each. */
function logErrors(set: SignatureSet): void {
  for (const error of set.errors) log("signatures").error(error.message);
}

async function list(options: CommonOptions): Promise<number> {
  const set = await load(options);
  logErrors(set);
  try {
    console.log(formatSignatureList(set.signatures));
  } finally {
    await set.sandbox.close();
  }
  return set.errors.length > 0 ? 1 : 0;
}

function eventsToPrint(
  text: string | undefined,
  set: SignatureSet,
): Set<string> {
  const findings = set.signatures.map((s) => s.metadata.eventName);
  if (text === undefined) {
    return new Set([...findings, SIGNATURE_ERROR_EVENT.name]);
  }
  const names = text.split(",").map((name) => name.trim()).filter((name) =>
    name !== ""
  );
  if (names.length === 0) throw new UsageError("--events is empty");
  for (const name of names) {
    if (
      !findings.includes(name) && !BASE_EVENT_IDS.has(name) &&
      name !== SIGNATURE_ERROR_EVENT.name
    ) {
      throw new UsageError(
        `Unknown event "${name}" in --events: no loaded signature produces it and it is not a known event (see "vigil list")`,
      );
    }
  }
  return new Set(names);
}

async function openSource(
  options: RunOptions,
  set: SignatureSet,
  engine: Engine,
  scope: Scope,
  gates: FollowingGates,
): Promise<{ source: EventSource; kernel?: LiveKernel }> {
  if (options.input === undefined) {
    const kernel = await openKernel(engine, options, scope, gates);
    set.sandbox.onSpawn((pid) => kernel.source.excludePid(pid));
    log("kernel").info(
      `Watching the kernel with ${set.signatures.length} signature(s); Ctrl-C stops`,
    );
    return { source: kernel.source, kernel };
  }
  const name = options.input === "-" ? "stdin" : options.input;
  const warn = firstWarnings(
    log("input"),
    "Further malformed lines are counted, not logged",
  );
  try {
    const source = await openReplaySource({
      path: options.input,
      wants: (eventName) => engine.wants(eventName),
      scope,
      onMalformed: (line, reason) =>
        warn(`Skipping line ${line} of ${name}: ${reason}`),
    });
    return { source };
  } catch (error) {
    throw new Error(`Cannot open input "${name}": ${describe(error)}`, {
      cause: error,
    });
  }
}

/** The live source, the events it traces and every event it could trace. */
interface LiveKernel {
  source: KernelSource;
  traced: ReadonlySet<string>;
  all: readonly string[];
}

/**
 * The live source, tracing only the kernel events someone wants. Its modules
 * (FFI, decoders) are loaded only here: a replay does without them.
 */
async function openKernel(
  engine: Engine,
  { syscallHooks, containerdSocket }: RunOptions,
  scope: Scope,
  gates: FollowingGates,
): Promise<LiveKernel> {
  const { KERNEL_EVENT_NAMES, openKernelSource } = await import(
    "../sources/kernel/mod.ts"
  );
  const logger = log("kernel");
  const events = new Set(
    KERNEL_EVENT_NAMES.filter((name) => engine.wants(name)),
  );
  logger.debug(`Tracing ${[...events].sort().join(", ") || "no events"}`);
  const source = await openKernelSource({
    events,
    syscallHooks,
    scope,
    containerdSocket,
    gate: (name) => gates.gate(name),
    excludePids: [Deno.pid],
    log: (level, message) => {
      if (level === "debug") logger.debug(message);
      else if (level === "info") logger.info(message);
      else if (level === "warning") logger.warn(message);
      else logger.error(message);
    },
  });
  return { source, traced: events, all: KERNEL_EVENT_NAMES };
}

/** What a run adds to its engine besides the signatures and outputs. */
interface EngineParts {
  server?: RunningMetrics | undefined;
  exceptions?: Exceptions;
  metrics?: SensorMetrics;
}

function createEngine(
  options: Pick<RunOptions, "events" | "maxFindingsRate" | "publishEvents">,
  set: SignatureSet,
  output: EventOutput,
  { server, exceptions, metrics }: EngineParts,
): Engine {
  const failures = new Map<string, number>();
  return new Engine({
    signatures: set.signatures,
    sandbox: set.sandbox,
    output,
    print: new Set([
      ...eventsToPrint(options.events, set),
      ...publishedEvents(options.publishEvents),
    ]),
    findingsPerSecond: options.maxFindingsRate,
    ...(server && {
      onEvaluated: (signature: LoadedSignature, micros: number) =>
        server.observeEvaluation(signature.metadata.id, micros),
    }),
    ...(exceptions && {
      suppress: (
        signature: LoadedSignature,
        trigger: TraceeEvent,
        data: Parameters<Exceptions["suppresses"]>[1]["data"],
      ) => {
        const suppressed = exceptions.suppresses(signature.metadata.id, {
          trigger,
          data,
        });
        if (suppressed) {
          metrics?.findingsSuppressed.inc({ signature: signature.metadata.id });
        }
        return suppressed;
      },
    }),
    onFailure: (signature, message) => {
      const count = (failures.get(signature.metadata.id) ?? 0) + 1;
      failures.set(signature.metadata.id, count);
      if (count <= FAILURES_LOGGED_PER_SIGNATURE) {
        log("engine").warn(
          `Signature ${signature.metadata.id} failed: ${message}`,
        );
      } else if (count === FAILURES_LOGGED_PER_SIGNATURE + 1) {
        log("engine").warn(
          `Signature ${signature.metadata.id}: further failures are counted (see --stats), not logged`,
        );
      }
    },
    onOffence: (signature, offence) => {
      log("sandbox").warn(
        `Signature ${signature.metadata.id} (${signature.path}) ${offence.reason}; ` +
          (offence.quarantined
            ? "it is quarantined"
            : "the sandbox was restarted"),
      );
    },
  });
}

async function run(options: RunOptions): Promise<number> {
  using hangups = holdHangups();
  const outputTexts = options.output ?? ["table"];
  const natsUrl = fleetUrl(outputTexts, options.publishEvents);
  const outputSpecs = outputTexts.filter((text) => !isNatsUrl(text))
    .map(parseOutputSpec);
  const address = options.server === undefined
    ? undefined
    : parseServerAddress(options.server);
  const scope = parseScope(options.scope ?? []);
  const exceptions = new Exceptions(
    options.exceptions === undefined
      ? []
      : await readExceptionsFile(options.exceptions),
  );
  const parts: RunParts = {
    phase: "loading signatures",
    metrics: new SensorMetrics(),
  };
  const cleanup: (() => unknown)[] = [];
  try {
    await configureLogging({ debug: options.verbose });
    const server = address && await serve(address, parts);
    if (server) cleanup.push(() => server.close());
    const set = await load(options);
    logErrors(set);
    warnUnmatchedExceptions(exceptions, set);
    let running = set;
    cleanup.push(() => running.sandbox.close());
    parts.sandbox = set.sandbox;
    parts.phase = "opening the outputs and the source";
    const fleetOutput = natsUrl && openFleetOutput(natsUrl, options);
    if (fleetOutput) {
      cleanup.push(() => {
        for (const line of fleetSummary(fleetOutput)) log("nats").info(line);
      });
    }
    const outputs = await openOutputs(outputSpecs, {
      ...(fleetOutput ? { fleet: fleetOutput } : {}),
      published: publishedEvents(options.publishEvents),
      printed: eventsToPrint(options.events, set),
    });
    cleanup.push(() => closeOutputs(outputs));
    parts.outputs = outputs;
    const engine = createEngine(options, set, outputs, {
      server,
      exceptions,
      metrics: parts.metrics,
    });
    parts.engine = engine;
    const gates = new FollowingGates(engine);
    const opened = await openSource(options, set, engine, scope, gates);
    let source = opened.source;
    cleanup.push(() => source.close());
    if (server) source = parts.source = new CountedSource(source);
    // Reloads on SIGHUP and --watch: see reload.ts.
    const reloading = startReloading({
      engine,
      initial: set,
      load: (pinned) => load(options, pinned),
      print: (next) => eventsToPrint(options.events, next),
      dirs: options.signaturesDir ?? [BUILTIN_SIGNATURES],
      watch: options.watch,
      pending: hangups.asked,
      exceptions: { path: options.exceptions, filter: exceptions },
      ...(opened.kernel ? { kernel: opened.kernel, gates } : {}),
      onStart: (next) => {
        running = next;
        parts.sandbox = next.sandbox;
      },
    });
    cleanup.push(() => reloading[Symbol.asyncDispose]());
    if (options.statsInterval !== undefined) {
      const timer = setInterval(
        () => printStats(engine),
        options.statsInterval * 1000,
      );
      cleanup.push(() => clearInterval(timer));
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    const onReopen = () => outputs.reopen();
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    Deno.addSignalListener("SIGUSR1", onReopen);
    parts.phase = undefined;
    try {
      await engine.run(source, stop.signal);
    } finally {
      parts.phase = "stopping";
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
      Deno.removeSignalListener("SIGUSR1", onReopen);
    }
    const logger = log("engine");
    for (const line of source.summary()) logger.warn(line);
    const { events, findings } = engine.counts;
    const restarts = engine.health.restarts;
    logger.info(
      `${events} event(s) processed, ${findings} finding(s)` +
        (restarts > 0 ? `, ${restarts} sandbox restart(s)` : ""),
    );
    if (source.outOfScope) {
      logger.info(`${source.outOfScope} event(s) outside --scope dropped`);
    }
    if (source.unwanted > 0) {
      logger.info(
        `${source.unwanted} event(s) dropped unread: no signature could select them`,
      );
    }
    if (exceptions.total > 0) {
      logger.info(`${exceptions.total} finding(s) suppressed by exceptions`);
    }
    if (options.stats) printStats(engine);
    return set.errors.length > 0 ? 1 : 0;
  } finally {
    for (const close of cleanup.reverse()) await close();
  }
}

/**
 * The `nats://` value among the outputs, if any.
 *
 * @throws {UsageError} With two, or with `--publish-events` and none.
 */
function fleetUrl(
  outputs: readonly string[],
  publishEvents: string | undefined,
): string | undefined {
  const urls = outputs.filter(isNatsUrl);
  if (urls.length > 1) {
    throw new UsageError(
      "Give one nats:// output (it may list several servers, comma-separated)",
    );
  }
  if (urls.length === 0 && publishEvents !== undefined) {
    throw new UsageError("--publish-events needs --output nats://HOST:PORT");
  }
  return urls[0];
}

function printStats(engine: Engine): void {
  Deno.stderr.writeSync(
    new TextEncoder().encode(`${engine.health.format()}\n`),
  );
}

/**
 * Runs the command line and returns the exit code: 0 on success, 1 when
 * something failed (e.g. a signature did not load), 2 for bad usage. Given
 * FFI but not the other permissions it needs, it runs itself again with them
 * (and does not return).
 */
export async function main(args: string[]): Promise<number> {
  const missing = missingPermissions();
  if (missing.length > 0) return await gainPermissions(args, missing);
  // Run again by gainPermissions(): what Vigil starts does not inherit it.
  Deno.env.delete(REEXEC_MARKER);
  exitCode = 0;
  const program = readConfigBeforeAction(buildProgram({
    run,
    list,
    exit: (code) => {
      exitCode = code;
    },
  }));
  addCollectCommand(program, async (url, options) => {
    exitCode = await collect(url, options, {
      load,
      createEngine: (options, set, output) =>
        createEngine(options, set, output, {}),
      printStats,
    });
  });
  addTailCommand(program, async (url, options) => {
    exitCode = await tail(url, options);
  });
  try {
    await program.parseAsync(args, { from: "user" });
    return exitCode;
  } catch (error) {
    const code = String((error as { code?: unknown }).code);
    if (code === "commander.helpDisplayed" || code === "commander.version") {
      return 0;
    }
    if (code.startsWith("commander.")) return 2;
    if (error instanceof UsageError || error instanceof RangeError) {
      console.error(`vigil error: ${printable(error.message)}`);
      return 2;
    }
    console.error(
      `vigil error: ${
        printable(error instanceof Error ? error.message : String(error))
      }`,
    );
    return 1;
  }
}
