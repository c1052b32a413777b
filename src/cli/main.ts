/**
 * The command line: parses options, loads the signatures, wires a source,
 * the engine and an output, and reports what was lost at exit. The only
 * place that wires the parts together (with `start.ts`).
 *
 * @module
 */

import { BASE_EVENT_IDS, SIGNATURE_ERROR_EVENT } from "../event/mod.ts";
import { Engine } from "../engine/mod.ts";
import { describe } from "../errors.ts";
import { configureLogging, log } from "../log.ts";
import {
  type EventOutput,
  openOutput,
  parseOutputSpec,
  printable,
} from "../output/mod.ts";
import type { KernelSource } from "../sources/kernel/mod.ts";
import { type EventSource, openReplaySource } from "../sources/mod.ts";
import { formatSignatureList } from "./list.ts";
import { type SignatureSet, startSignatures } from "./start.ts";
import { gainPermissions, missingPermissions } from "./permissions.ts";
import {
  buildProgram,
  type CommonOptions,
  type RunOptions,
  UsageError,
} from "./program.ts";
import { REEXEC_MARKER } from "./reexec.ts";
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
const MALFORMED_LINES_LOGGED = 10;
const FAILURES_LOGGED_PER_SIGNATURE = 5;
const SIGNATURE_LOG_LINES = 20;

let exitCode = 0;

async function load(
  options: CommonOptions & Partial<RunOptions>,
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
  for (const error of set.errors) logger.error(error.message);
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

async function list(options: CommonOptions): Promise<number> {
  const set = await load(options);
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
): Promise<EventSource> {
  if (options.input === undefined) {
    const kernel = await openKernel(engine, options.syscallHooks);
    set.sandbox.onSpawn((pid) => kernel.excludePid(pid));
    log("kernel").info(
      `Watching the kernel with ${set.signatures.length} signature(s); Ctrl-C stops`,
    );
    return kernel;
  }
  const name = options.input === "-" ? "stdin" : options.input;
  let shown = 0;
  const logger = log("input");
  try {
    return await openReplaySource({
      path: options.input,
      wants: (eventName) => engine.wants(eventName),
      onMalformed: (line, reason) => {
        if (shown++ < MALFORMED_LINES_LOGGED) {
          logger.warn(`Skipping line ${line} of ${name}: ${reason}`);
        } else if (shown === MALFORMED_LINES_LOGGED + 1) {
          logger.warn("Further malformed lines are counted, not logged");
        }
      },
    });
  } catch (error) {
    throw new Error(`Cannot open input "${name}": ${describe(error)}`, {
      cause: error,
    });
  }
}

/**
 * The live source, tracing only the kernel events someone wants. Its modules
 * (FFI, decoders) are loaded only here: a replay does without them.
 */
async function openKernel(
  engine: Engine,
  syscallHooks: RunOptions["syscallHooks"],
): Promise<KernelSource> {
  const { KERNEL_EVENT_NAMES, openKernelSource } = await import(
    "../sources/kernel/mod.ts"
  );
  const logger = log("kernel");
  const events = new Set(
    KERNEL_EVENT_NAMES.filter((name) => engine.wants(name)),
  );
  logger.debug(`Tracing ${[...events].sort().join(", ") || "no events"}`);
  return await openKernelSource({
    events,
    syscallHooks,
    gate: (name) => engine.gate(name),
    excludePids: [Deno.pid],
    log: (level, message) => {
      if (level === "debug") logger.debug(message);
      else if (level === "info") logger.info(message);
      else if (level === "warning") logger.warn(message);
      else logger.error(message);
    },
  });
}

function createEngine(
  options: Pick<RunOptions, "events" | "maxFindingsRate" | "publishEvents">,
  set: SignatureSet,
  output: EventOutput,
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
  const fleet = isNatsUrl(options.output);
  if (!fleet && options.publishEvents !== undefined) {
    throw new UsageError("--publish-events needs --output nats://HOST:PORT");
  }
  const outputSpec = fleet ? undefined : parseOutputSpec(options.output);
  const set = await load(options);
  const cleanup: (() => unknown)[] = [() => set.sandbox.close()];
  try {
    const fleetOutput = outputSpec
      ? undefined
      : openFleetOutput(options.output, options);
    const output = fleetOutput ?? await openOutput(outputSpec!);
    cleanup.push(() => output.close());
    const engine = createEngine(options, set, output);
    const source = await openSource(options, set, engine);
    cleanup.push(() => source.close());
    if (options.statsInterval !== undefined) {
      const timer = setInterval(
        () => printStats(engine),
        options.statsInterval * 1000,
      );
      cleanup.push(() => clearInterval(timer));
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    try {
      await engine.run(source, stop.signal);
    } finally {
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
    }
    const logger = log("engine");
    for (const line of source.summary()) logger.warn(line);
    const { events, findings } = engine.counts;
    const restarts = set.sandbox.restarts;
    logger.info(
      `${events} event(s) processed, ${findings} finding(s)` +
        (restarts > 0 ? `, ${restarts} sandbox restart(s)` : ""),
    );
    if (source.unwanted > 0) {
      logger.info(
        `${source.unwanted} event(s) dropped unread: no signature could select them`,
      );
    }
    if (options.stats) printStats(engine);
    if (fleetOutput) {
      await fleetOutput.close();
      for (const line of fleetSummary(fleetOutput)) log("nats").info(line);
    }
    return set.errors.length > 0 ? 1 : 0;
  } finally {
    for (const close of cleanup.reverse()) await close();
  }
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
  const program = buildProgram({
    run,
    list,
    exit: (code) => {
      exitCode = code;
    },
  });
  addCollectCommand(program, async (url, options) => {
    exitCode = await collect(url, options, { load, createEngine, printStats });
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
