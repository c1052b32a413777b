/**
 * Replay throughput: events/s through the real engine and sandbox with 0
 * signatures (reading and routing only: lines are routed on fields found by
 * search), then 1, 16, 64 and 128 generated Tracee-style Rego signatures; the
 * cost per evaluation (event × signature) derived from them; and the cost of
 * the sandbox boundary: the same 16 signatures evaluated in-process as the
 * sandbox does (one bundle module, each event parsed once), on the same event
 * bytes. Every sandboxed run's findings are checked against an in-process
 * reference run. The built-in signatures are also measured with the host and
 * its sandbox confined to one CPU, as the replay target is stated.
 *
 * @module
 */

import type { BenchRow } from "./_row.ts";
import { runDeno } from "./_deno.ts";
import { Engine } from "../src/engine/engine.ts";
import { parseSelector } from "../src/model/selector.ts";
import {
  type RoutedEvent,
  SelectorIndex,
} from "../src/engine/selector_index.ts";
import {
  argumentValue,
  eventOrigin,
  type TraceeEvent,
} from "../src/event/event.ts";
import type { EventOutput } from "../src/output/output.ts";
import { RegoModule } from "../src/sandbox/child/rego_module.ts";
import { Sandbox } from "../src/sandbox/mod.ts";
import { Opa } from "../src/loader/_opa.ts";
import { discoverSignatures } from "../src/loader/discover.ts";
import type { RegoModule as RegoSource } from "../src/loader/rego_parser.ts";
import { startSignatures } from "../src/cli/start.ts";
import { defaultOpaPath, RegoCompiler } from "../src/loader/rego_compiler.ts";
import { ReplaySource } from "../src/sources/replay_source.ts";

const SECTION = "replay";
const ROOT = new URL("../", import.meta.url).pathname;
const HELPERS = `${ROOT}signatures/lib/helpers.rego`;

/** The OPA the project installs, else `opa` on PATH. */
export const OPA = defaultOpaPath();

/** The events every generated signature selects. */
export const SELECTED_EVENTS = [
  "openat",
  "security_file_open",
  "ptrace",
  "sched_process_exec",
] as const;

/**
 * The text of generated signature `i`: one of four Tracee-style shapes
 * (write-open of a watched file, ptrace request, fileless exec, sensitive
 * read), each selecting all of `SELECTED_EVENTS`.
 */
export function benchSignature(i: number): string {
  const id = `BENCH-${String(i).padStart(3, "0")}`;
  const head = `package bench.sig_${i}

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "${id}",
	"version": "1.0.0",
	"name": "Bench signature ${i}",
	"eventName": "bench_${i}",
	"description": "Generated for the replay benchmark",
	"tags": ["bench"],
	"properties": {"Severity": ${i % 4}, "MITRE ATT&CK": "T0000: Bench"},
}

tracee_selected_events contains {"source": "tracee", "name": name, "origin": "*"} if {
	some name in ${JSON.stringify(SELECTED_EVENTS)}
}
`;
  switch (i % 4) {
    case 0:
      return `${head}
watched := {"/etc/ld.so.preload", "/etc/bench-${i}/hook", "/usr/lib/bench-${i}.so"}

tracee_match := {"path": path, "flags": flags} if {
	input.eventName in {"openat", "security_file_open"}
	flags := helpers.get_tracee_argument("flags")
	helpers.is_file_write(flags)
	path := helpers.get_tracee_argument("pathname")
	path in watched
}
`;
    case 1:
      return `${head}
requests := {"PTRACE_TRACEME", "PTRACE_POKETEXT", "PTRACE_POKEDATA"}

debuggers := {"gdb", "lldb-server", "bench-${i}"}

tracee_match if {
	input.eventName == "ptrace"
	helpers.get_tracee_argument("request") in requests
	not input.processName in debuggers
}
`;
    case 2:
      return `${head}
tracee_match if {
	input.eventName == "sched_process_exec"
	path := helpers.get_tracee_argument("pathname")
	startswith(path, "memfd:")
	not startswith(path, "memfd:bench-${i}")
}
`;
    default:
      return `${head}
tracee_match := {"path": path} if {
	input.eventName == "security_file_open"
	path := helpers.get_tracee_argument("pathname")
	startswith(path, "/proc/")
	path in {"/proc/kcore", "/proc/bench-${i}/kmem"}
	helpers.is_file_read(helpers.get_tracee_argument("flags"))
}
`;
  }
}

/**
 * Writes `count` generated signatures and the helper library into a new
 * directory under `parent`, and returns its path.
 */
export async function writeBenchSignatures(
  parent: string,
  count: number,
): Promise<string> {
  const dir = `${parent}/sigs_${count}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.copyFile(HELPERS, `${dir}/helpers.rego`);
  for (let i = 0; i < count; i++) {
    await Deno.writeTextFile(
      `${dir}/sig_${String(i).padStart(3, "0")}.rego`,
      benchSignature(i),
    );
  }
  return dir;
}

/** A finding as compared between runs: signature id and trigger timestamp. */
type FindingKey = string;

/** Runs the engine over `eventsPath`; returns the time and finding keys. */
async function runEngine(
  dirs: string[],
  eventsPath: string,
  cacheDir: string,
  log?: (line: string) => void,
  skipUnwanted = false,
): Promise<
  { seconds: number; events: number; findings: FindingKey[]; sigs: number }
> {
  const set = dirs.length === 0
    ? {
      signatures: [],
      sandbox: new Sandbox({ signatures: [], bundles: [] }),
      errors: [],
    }
    : await startSignatures({ dirs, cacheDir, opa: OPA });
  if (set.errors.length > 0) {
    if (!log) {
      await set.sandbox.close();
      throw new Error(`Cannot load signatures: ${set.errors[0]!.message}`);
    }
    for (const error of set.errors) log(`replay: ${error.message}`);
  }
  const findings: FindingKey[] = [];
  const output: EventOutput = {
    write: (event: TraceeEvent) => {
      const id = event.metadata?.Properties.signatureID;
      findings.push(`${id}@${event.timestamp}`);
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const failures: string[] = [];
  const engine = new Engine({
    signatures: set.signatures,
    sandbox: set.sandbox,
    output,
    print: new Set(set.signatures.map((s) => s.metadata.eventName)),
    onFailure: (signature, message) =>
      failures.push(`${signature.metadata.id}: ${message}`),
  });
  const file = await Deno.open(eventsPath);
  const source = new ReplaySource(
    file,
    skipUnwanted
      ? { path: eventsPath, wants: (name) => engine.wants(name) }
      : { path: eventsPath },
  );
  try {
    const start = performance.now();
    await engine.run(source, new AbortController().signal);
    const seconds = (performance.now() - start) / 1000;
    if (failures.length > 0) {
      throw new Error(`Bench signature failed: ${failures[0]}`);
    }
    return {
      seconds,
      events: engine.counts.events + source.unwanted,
      findings,
      sigs: set.signatures.length,
    };
  } finally {
    await source.close();
    await set.sandbox.close();
  }
}

/**
 * The fastest of `runs` runs of the engine; `log`, when given, receives the
 * first run's load errors instead of their throwing.
 */
async function fastestRun(
  dirs: string[],
  eventsPath: string,
  cacheDir: string,
  runs: number,
  log?: (line: string) => void,
  skipUnwanted = false,
): Promise<Awaited<ReturnType<typeof runEngine>>> {
  let fastest: Awaited<ReturnType<typeof runEngine>> | undefined;
  for (let r = 0; r < runs; r++) {
    const run = await runEngine(
      dirs,
      eventsPath,
      cacheDir,
      log && (r === 0 ? log : () => {}),
      skipUnwanted,
    );
    if (!fastest || run.seconds < fastest.seconds) fastest = run;
  }
  return fastest!;
}

/** The event lines of a file, their UTF-8 bytes back to back, and routing. */
interface EventBytes {
  bytes: Uint8Array;
  /** Event `i` is `bytes[starts[i], starts[i + 1])`. */
  starts: Uint32Array;
  names: string[];
  /** What routing reads of each event. */
  routed: RoutedEvent[];
  timestamps: string[];
}

async function readEventBytes(path: string): Promise<EventBytes> {
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n").filter((line) => line !== "");
  const encoder = new TextEncoder();
  const bytes = encoder.encode(lines.join(""));
  const starts = new Uint32Array(lines.length + 1);
  const names: string[] = [];
  const routed: RoutedEvent[] = [];
  const timestamps: string[] = [];
  lines.forEach((line, i) => {
    starts[i + 1] = starts[i]! + encoder.encode(line).length;
    const event = JSON.parse(line) as TraceeEvent;
    names.push(event.eventName);
    routed.push({
      eventName: event.eventName,
      origin: eventOrigin(
        event.containerId,
        event.contextFlags?.containerStarted,
      ),
      argument: (name) => argumentValue(event, name),
    });
    timestamps.push(/^\{"timestamp":(\d+)/.exec(line)?.[1] ?? "");
  });
  return { bytes, starts, names, routed, timestamps };
}

interface InProcess {
  module: RegoModule;
  /** The `tracee_match` entrypoint of each signature. */
  matches: number[];
  ids: string[];
  index: SelectorIndex;
}

/**
 * Compiles (through the cache) the signatures into one bundle, as the loader
 * does, and instantiates it in this process.
 */
async function loadInProcess(
  dir: string,
  cacheDir: string,
): Promise<InProcess> {
  const opa = new Opa(OPA);
  const files = await discoverSignatures([dir], { opa, cacheDir });
  const compiler = new RegoCompiler({ cacheDir, opa });
  const modules = [];
  const libraries = new Set<RegoSource>();
  const entrypoints: string[][] = [];
  for (const file of files.signatures) {
    if (file.kind !== "rego") continue;
    const compiled = await compiler.compile(file.module, file.libraries);
    modules.push(file.module);
    for (const library of file.libraries) libraries.add(library);
    entrypoints.push(compiled.entrypoints);
  }
  const bundle = await compiler.compileBundle(modules, [...libraries], "v1");
  if (!bundle) throw new Error("the generated signatures do not bundle");
  const module = await RegoModule.create(bundle.wasm, 128 * 16);
  const empty = new TextEncoder().encode("{}");
  const ids: string[] = [];
  const selectors = [];
  const matches: number[] = [];
  for (const [metadoc, selected, match] of entrypoints) {
    const metadata = module.evaluate(module.entrypoint(metadoc!), empty, 0, 2);
    const selection = module.evaluate(
      module.entrypoint(selected!),
      empty,
      0,
      2,
    );
    ids.push((JSON.parse(metadata!) as { id: string }).id);
    selectors.push((JSON.parse(selection!) as unknown[]).map(parseSelector));
    matches.push(module.entrypoint(match!));
  }
  return { module, matches, ids, index: new SelectorIndex(selectors) };
}

/**
 * Evaluates every event with the signatures selecting it, in this process,
 * as the sandbox's fast path does: each event parsed once, then each
 * selecting signature evaluated on it.
 */
function runInProcess(
  loaded: InProcess,
  events: EventBytes,
): { seconds: number; findings: FindingKey[]; evaluations: number } {
  const findings: FindingKey[] = [];
  let evaluations = 0;
  const count = events.names.length;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const selecting = loaded.index.match(events.routed[i]!);
    if (selecting.length === 0) continue;
    const input = loaded.module.parse(
      events.bytes,
      events.starts[i]!,
      events.starts[i + 1]!,
    );
    for (const s of selecting) {
      evaluations++;
      const result = loaded.module.evaluateParsed(loaded.matches[s]!, input);
      if (result !== null && result !== "false") {
        findings.push(`${loaded.ids[s]}@${events.timestamps[i]}`);
      }
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, findings, evaluations };
}

function sameFindings(a: FindingKey[], b: FindingKey[]): boolean {
  if (a.length !== b.length) return false;
  const x = a.toSorted();
  const y = b.toSorted();
  return x.every((key, i) => key === y[i]);
}

/** Options of {@linkcode replayBench}. */
export interface ReplayBenchOptions {
  /** A Tracee JSON lines file (see tools/gen_events.ts). */
  eventsPath: string;
  /** Compile cache for the generated signatures. */
  cacheDir: string;
  /** Where generated signatures are written. */
  workDir: string;
  /** Signature counts to measure, besides 0. */
  counts: readonly number[];
  /** Directories of the built-in signatures, measured as one more row. */
  builtinDirs?: readonly string[];
  /**
   * Runs per configuration (one more for 0 signatures); the fastest counts.
   * @default {2}
   */
  repeats?: number;
  /** Called with a progress line. */
  log?: (line: string) => void;
}

/**
 * Measures replay throughput and the sandbox boundary's cost.
 *
 * @throws {Error} When a sandboxed run's findings differ from the in-process
 * reference.
 */
export async function replayBench(
  options: ReplayBenchOptions,
): Promise<BenchRow[]> {
  const { eventsPath, cacheDir, workDir, counts, repeats = 2 } = options;
  const log = options.log ?? (() => {});
  const rows: BenchRow[] = [];
  const boundary: BenchRow[] = [];
  const best = (
    dirs: string[],
    runs: number,
    tolerant = false,
    skipUnwanted = false,
  ) =>
    fastestRun(
      dirs,
      eventsPath,
      cacheDir,
      runs,
      tolerant ? log : undefined,
      skipUnwanted,
    );

  const events = await readEventBytes(eventsPath);
  const base = await best([], repeats + 1);
  const baseRate = base.events / base.seconds;
  log(`replay: 0 signatures ${Math.round(baseRate)} events/s`);
  const baseline = { name: "0 signatures (read, route)", value: baseRate };
  rows.push({
    section: SECTION,
    name: "0 signatures (read, route)",
    value: baseRate,
    unit: "events/s",
  });

  for (const count of counts) {
    const dir = await writeBenchSignatures(workDir, count);
    const run = await best([dir], repeats);
    const reference = await loadInProcess(dir, cacheDir);
    const inProcess = runInProcess(reference, events);
    if (!sameFindings(run.findings, inProcess.findings)) {
      throw new Error(
        `Findings differ with ${count} signatures: sandboxed ${run.findings.length}, in-process ${inProcess.findings.length}`,
      );
    }
    const rate = run.events / run.seconds;
    // Evaluations per event: every selected event goes to all signatures.
    const selected = inProcess.evaluations / count;
    const perEvaluation = (run.seconds - base.seconds * run.events /
        base.events) / inProcess.evaluations * 1e6;
    log(
      `replay: ${count} signatures ${Math.round(rate)} events/s, ${
        perEvaluation.toFixed(3)
      } µs/evaluation, ${run.findings.length} findings (= in-process)`,
    );
    rows.push(
      {
        section: SECTION,
        name: `${count} signatures (${run.findings.length} findings, checked)`,
        value: rate,
        unit: "events/s",
        baseline,
      },
      {
        section: SECTION,
        name: `${count} signatures: per event per signature (${
          Math.round(selected / run.events * 100)
        }% of events selected; target <1, stretch 0.27)`,
        value: perEvaluation,
        unit: "µs",
      },
    );
    if (count === 16) {
      const inRate = events.names.length / inProcess.seconds;
      boundary.push(
        {
          section: "sandbox boundary",
          name: "16 signatures, in-process bundle (no boundary)",
          value: inRate,
          unit: "events/s",
        },
        {
          section: "sandbox boundary",
          name: "16 signatures, engine + sandbox process",
          value: rate,
          unit: "events/s",
          baseline: { name: "in-process bundle", value: inRate },
        },
        {
          section: "sandbox boundary",
          name: "16 signatures, in-process: per event per signature",
          value: inProcess.seconds / inProcess.evaluations * 1e6,
          unit: "µs",
        },
      );
    }
  }

  if (options.builtinDirs) {
    // As the CLI runs them: lines no signature selects are dropped on their
    // name.
    const run = await best([...options.builtinDirs], repeats, true, true);
    const rate = run.events / run.seconds;
    log(`replay: ${run.sigs} built-in signatures ${Math.round(rate)} events/s`);
    rows.push({
      section: SECTION,
      name:
        `all built-in signatures, as the CLI runs them (${run.sigs}; ${run.findings.length} findings)`,
      value: rate,
      unit: "events/s",
      baseline,
    });
    rows.push(
      await sparseRow(
        eventsPath,
        workDir,
        (path) =>
          fastestRun(
            [...options.builtinDirs!],
            path,
            cacheDir,
            repeats,
            log,
            true,
          ),
        run,
      ),
    );
    rows.push(...await oneCoreRows(eventsPath, cacheDir, options.builtinDirs));
  }
  return [...rows, ...boundary];
}

/** The members a sparse line leaves out: all hold Tracee's zero values. */
const SPARSE_REGEXP =
  /"(?:containerId":""|container":\{\}|kubernetes":\{\}|matchedPolicies":\[[^\]]*\]|stackAddresses":null),/g;

/**
 * The cost of normalisation: the same run over the events written without
 * `containerId`, `container`, `kubernetes`, `matchedPolicies` and
 * `stackAddresses` where those hold zero values (as the seed's sample event
 * and older Tracee versions write them), so every line that reaches a
 * signature gets those members added (unparsed, see `tracee_shape.ts`)
 * instead of being passed as read. Its findings must be the complete
 * stream's.
 */
async function sparseRow(
  eventsPath: string,
  workDir: string,
  runOn: (path: string) => ReturnType<typeof runEngine>,
  complete: Awaited<ReturnType<typeof runEngine>>,
): Promise<BenchRow> {
  const sparsePath = `${workDir}/events_sparse.jsonl`;
  const text = await Deno.readTextFile(eventsPath);
  await Deno.writeTextFile(sparsePath, text.replace(SPARSE_REGEXP, ""));
  const sparse = await runOn(sparsePath);
  if (!sameFindings(sparse.findings, complete.findings)) {
    throw new Error(
      `Findings differ on sparse lines: ${sparse.findings.length}, complete ${complete.findings.length}`,
    );
  }
  return {
    section: SECTION,
    name:
      `all built-in signatures, a stream without containerId and other zero fields (${sparse.findings.length} findings, checked)`,
    value: sparse.events / sparse.seconds,
    unit: "events/s",
    baseline: {
      name: "complete lines",
      value: complete.events / complete.seconds,
    },
  };
}

/** Rates a run pinned to one CPU reports on stdout. */
interface PinnedRates {
  base: number;
  builtins: number;
}

/**
 * The built-ins' rate with the host and its sandbox process confined to one
 * CPU (`taskset -c 0`), as the replay target is stated, against reading and
 * routing alone confined alike. Runs this module as a program.
 */
async function oneCoreRows(
  eventsPath: string,
  cacheDir: string,
  dirs: readonly string[],
): Promise<BenchRow[]> {
  const output = await runDeno([
    "run",
    "-A",
    "--quiet",
    new URL(import.meta.url).pathname,
    eventsPath,
    cacheDir,
    ...dirs,
  ], { cpu: 0 });
  const rates = JSON.parse(
    new TextDecoder().decode(output.stdout),
  ) as PinnedRates;
  const name = "0 signatures (read, route), one CPU";
  return [
    { section: SECTION, name, value: rates.base, unit: "events/s" },
    {
      section: SECTION,
      name: "all built-in signatures, one CPU (target ≥300k)",
      value: rates.builtins,
      unit: "events/s",
      baseline: { name, value: rates.base },
    },
  ];
}

if (import.meta.main) {
  // `deno run -A replay_bench.ts <events> <cache dir> <signature dir>...`,
  // run by `oneCoreRows` under `taskset`: prints the two rates as JSON.
  const [eventsPath, cacheDir, ...dirs] = Deno.args;
  if (!eventsPath || !cacheDir || dirs.length === 0) {
    console.error(
      "Usage: replay_bench.ts <events file> <cache dir> <signature dir>...",
    );
    Deno.exit(2);
  }
  const rate = (run: Awaited<ReturnType<typeof runEngine>>) =>
    run.events / run.seconds;
  const rates: PinnedRates = {
    base: rate(await fastestRun([], eventsPath, cacheDir, 3)),
    builtins: rate(
      await fastestRun(dirs, eventsPath, cacheDir, 2, () => {}, true),
    ),
  };
  console.log(JSON.stringify(rates));
}
