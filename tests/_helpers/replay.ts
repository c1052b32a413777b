/**
 * Test helpers that run the real engine: real OPA, real wasm, real sandbox
 * processes. `replay()` runs in-process and collects events; `runVigil()`
 * runs the command line as a subprocess.
 *
 * @module
 */

import { Engine, type EngineOptions } from "../../src/engine/engine.ts";
import type { SignatureHealth } from "../../src/engine/health.ts";
import { SIGNATURE_ERROR_EVENT } from "../../src/event/catalog.ts";
import type { TraceeEvent } from "../../src/event/event.ts";
import { parseJsonExact, stringifyJson } from "../../src/event/json.ts";
import type { EventOutput } from "../../src/output/output.ts";
import type { SandboxOptions } from "../../src/sandbox/mod.ts";
import { startSignatures } from "../../src/cli/start.ts";
import { ReplaySource } from "../../src/sources/replay_source.ts";
import { defaultOpaPath } from "../../src/loader/rego_compiler.ts";

/** The project's root directory, ending in `/`. */
export const ROOT = new URL("../../", import.meta.url).pathname;

/** The built-in signatures. */
export const BUILTIN_SIGNATURES = `${ROOT}signatures`;

/** Compiled signatures shared by all tests (the cache is content-addressed). */
export const TEST_CACHE_DIR = Deno.env.get("VIGIL_TEST_CACHE") ??
  "/tmp/vigil-test-cache";

/** The OPA the project installs, else `opa` on PATH. */
export const OPA = defaultOpaPath();

/** What a replay produced. */
export interface ReplayResult {
  /** Every finding event, printed or not. */
  findings: TraceeEvent[];
  /** The events printed, in order. */
  printed: TraceeEvent[];
  /** Signature load errors and runtime failures, one line each. */
  errors: string[];
  /** Lines skipped by the replay source. */
  malformed: number;
  /** `signature_error` events: signatures killed or quarantined. */
  signatureErrors: TraceeEvent[];
  /** Counters by signature id. */
  health: Record<string, SignatureHealth>;
}

/** Options of {@linkcode replay}. */
export interface ReplayOptions {
  /** @default {[BUILTIN_SIGNATURES]} */
  signatureDirs?: string[];
  /** Event lines (JSON text) or event objects. */
  lines: (string | Record<string, unknown>)[];
  /** Names to print; default: every signature event. */
  events?: string[];
  sandbox?: SandboxOptions;
  /** Engine limits, e.g. `findingsPerSecond`. */
  engine?: Pick<EngineOptions, "findingsPerSecond" | "maxFindingBytes">;
  /**
   * Events per batch.
   * @default {1024}
   */
  batchSize?: number;
}

/** Replays events through the real engine and returns what came out. */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const errors: string[] = [];
  const set = await startSignatures({
    dirs: options.signatureDirs ?? [BUILTIN_SIGNATURES],
    cacheDir: TEST_CACHE_DIR,
    opa: OPA,
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
  });
  errors.push(...set.errors.map((error) => error.message));
  const dir = await Deno.makeTempDir({ prefix: "vigil-replay-" });
  try {
    const path = `${dir}/events.jsonl`;
    await Deno.writeTextFile(
      path,
      options.lines.map((line) =>
        typeof line === "string" ? line : stringifyJson(line)
      )
        .join("\n") + "\n",
    );
    const printed: TraceeEvent[] = [];
    const output: EventOutput = {
      write: (event) => void printed.push(event),
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const findingNames = new Set(
      set.signatures.map((s) => s.metadata.eventName),
    );
    const print = new Set(options.events ?? findingNames);
    const engine = new Engine({
      signatures: set.signatures,
      sandbox: set.sandbox,
      output,
      print: new Set([...print, ...findingNames, SIGNATURE_ERROR_EVENT.name]),
      ...options.engine,
      onFailure: (signature, message) =>
        errors.push(`${signature.metadata.id}: ${message}`),
    });
    const file = await Deno.open(path);
    const source = new ReplaySource(file, {
      path,
      wants: (name) => engine.wants(name),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
    try {
      await engine.run(source, new AbortController().signal);
    } finally {
      await source.close();
      await set.sandbox.close();
    }
    return {
      findings: printed.filter((event) => findingNames.has(event.eventName)),
      printed: printed.filter((event) => print.has(event.eventName)),
      errors,
      malformed: source.malformed,
      signatureErrors: printed.filter((e) =>
        e.eventName === SIGNATURE_ERROR_EVENT.name
      ),
      health: Object.fromEntries(
        engine.health.entries().map((
          [signature, health],
        ) => [signature.metadata.id, health]),
      ),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** What a run of the command line produced. */
export interface VigilRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout lines parsed as JSON events (exact), when they are JSON. */
  events: TraceeEvent[];
}

/**
 * Starts `deno run -A mod.ts ...args` with the test cache, stdout and stderr
 * piped, and stdin piped only when asked.
 */
export function spawnVigil(
  args: string[],
  options: { stdin?: "piped" | "null"; denoFlags?: string[]; cwd?: string } =
    {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...(options.denoFlags ?? ["-A"]),
      "--quiet",
      `${ROOT}mod.ts`,
      ...args,
      ...(args[0] === "--help" ? [] : ["--cache-dir", TEST_CACHE_DIR]),
    ],
    stdin: options.stdin ?? "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).spawn();
}

/**
 * A signatures directory holding the seed's example (`mine`) next to our
 * helpers, removed when disposed.
 */
export async function seedDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "vigil-seed-" });
  await Deno.copyFile(
    `${ROOT}tests/fixtures/signatures/seed/mine.rego`,
    `${path}/mine.rego`,
  );
  await Deno.copyFile(
    `${ROOT}signatures/lib/helpers.rego`,
    `${path}/helpers.rego`,
  );
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/**
 * The seed's workflow, literally: a directory holding a copy of the project's
 * `signatures/` tree with the seed's `signature_example.rego` placed inside
 * `signatures/rego`, removed when disposed. Run Vigil in it with
 * {@linkcode SEED_COMMAND}.
 */
export async function seedTree(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "vigil-seed-tree-" });
  await new Deno.Command("cp", {
    args: ["-r", `${ROOT}signatures`, `${path}/signatures`],
  }).output();
  await Deno.copyFile(
    `${ROOT}tests/fixtures/signatures/seed_literal/signature_example.rego`,
    `${path}/signatures/rego/signature_example.rego`,
  );
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** The seed's command line: its signature directory and event. */
export const SEED_COMMAND = [
  "--signatures-dir",
  "signatures/rego",
  "--events",
  "mine",
] as const;

/** Arguments running the seed's example in `dir`, printing its findings as JSON. */
export function seedArgs(dir: string): string[] {
  return ["--signatures-dir", dir, "--events", "mine", "--output", "json"];
}

/** Runs `deno run -A mod.ts ...args` with the test cache, feeding `stdin`. */
export async function runVigil(
  args: string[],
  options: { stdin?: string; denoFlags?: string[]; cwd?: string } = {},
): Promise<VigilRun> {
  const child = spawnVigil(args, {
    stdin: options.stdin === undefined ? "null" : "piped",
    ...(options.denoFlags ? { denoFlags: options.denoFlags } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const stdout = new TextDecoder().decode(output.stdout);
  const events = stdout.split("\n").filter((line) => line.startsWith("{")).map((
    line,
  ) => parseJsonExact(line) as TraceeEvent);
  return {
    code: output.code,
    stdout,
    stderr: new TextDecoder().decode(output.stderr),
    events,
  };
}

/** A realistic Tracee event with the given name and arguments. */
export function tracee(
  eventName: string,
  args: [string, string, unknown][],
  context: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    timestamp: 1680190419485136510n,
    threadStartTime: 1680190419369780383n,
    processorId: 4,
    processId: 320908,
    cgroupId: 16273,
    threadId: 320908,
    parentProcessId: 1635,
    hostProcessId: 320908,
    hostThreadId: 320908,
    hostParentProcessId: 1635,
    userId: 1000,
    mountNamespace: 4026531841,
    pidNamespace: 4026531836,
    processName: "bash",
    executable: { path: "/usr/bin/bash" },
    hostName: "hb",
    containerId: "",
    container: {},
    kubernetes: {},
    eventId: "0",
    eventName,
    matchedPolicies: [""],
    argsNum: args.length,
    returnValue: 0,
    syscall: eventName,
    stackAddresses: null,
    contextFlags: { containerStarted: false, isCompat: false },
    threadEntityId: 0,
    processEntityId: 0,
    parentEntityId: 0,
    args: args.map(([name, type, value]) => ({ name, type, value })),
    ...context,
  };
}
