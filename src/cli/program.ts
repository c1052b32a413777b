/**
 * The `vigil` command line's options, their defaults and help texts.
 *
 * @module
 */

import { Command, InvalidArgumentError, Option } from "commander";
import { defaultOpaPath } from "../loader/mod.ts";
import { CONTAINERD_SOCKET, SCOPE_HELP } from "../sources/mod.ts";
import {
  type NatsCliOptions,
  natsOptions,
  type PublishCliOptions,
  publishOptions,
} from "./fleet_options.ts";

/** Raised for bad command-line input; printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new InvalidArgumentError("it must be a positive whole number");
  }
  return number;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function defaultCacheDir(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") ??
    `${Deno.env.get("HOME") ?? "/root"}/.cache`;
  return `${base}/vigil`;
}

/** Adds the options of every command that loads signatures. */
export function signatureOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "-s, --signatures-dir <dir>",
        "directory of Rego (.rego) and TypeScript (.ts) signatures; repeatable (default: the built-in signatures/)",
      ).argParser(collect),
    )
    .option(
      "--cache-dir <dir>",
      "where compiled signatures are cached",
      defaultCacheDir(),
    )
    .option(
      "--opa <path>",
      "the OPA executable that compiles Rego",
      defaultOpaPath(),
    )
    .option(
      "-v, --verbose",
      "log debug details (libbpf, sandbox, compiles)",
      false,
    )
    .option(
      "--config <file>",
      "read options from this YAML or JSON file (keys: the long options without --); flags override it",
    );
}

/** Adds the options of every command that runs signatures. */
export function engineOptions(command: Command): Command {
  return command
    .option(
      "--deadline <ms>",
      "time a signature may spend on one batch before it is killed (loading one may take 5 s, or this if longer)",
      positiveInteger,
      1000,
    )
    .option(
      "--sandbox-memory <MiB>",
      "heap cap of each sandbox isolate and memory cap of each Rego instance; the sandbox process's data memory is capped at 576 MiB per isolate (TypeScript signatures + 2) plus 4 times this",
      positiveInteger,
      128,
    )
    .option(
      "--quarantine-after <n>",
      "offences (hang, crash) after which a signature is quarantined",
      positiveInteger,
      3,
    )
    .option(
      "--max-findings-rate <n>",
      "findings accepted per signature per second; the rest are counted and dropped",
      positiveInteger,
      1000,
    );
}

/** What the `vigil` command does once its options are parsed. */
export interface ProgramActions {
  run: (options: RunOptions) => Promise<number>;
  list: (options: CommonOptions) => Promise<number>;
  /** Receives the exit code of the action that ran. */
  exit: (code: number) => void;
}

/** Builds the `vigil` command. `run` receives the parsed options. */
export function buildProgram(actions: ProgramActions) {
  const program = publishOptions(natsOptions(engineOptions(signatureOptions(
    new Command("vigil")
      .description(
        "Runtime security sensor: Tracee-style events from the kernel (or a replayed file), " +
          "checked by sandboxed Rego and TypeScript signatures.",
      )
      .exitOverride()
      .enablePositionalOptions()
      .configureOutput({
        writeErr: (text) =>
          Deno.stderr.writeSync(new TextEncoder().encode(text)),
      })
      .showHelpAfterError(false),
  ))))
    .option(
      "-e, --events <list>",
      "comma-separated names of events to print: signature events and/or base events (default: all signature events)",
    )
    .option(
      "-o, --output <kind[:target]>",
      "json or table (to stdout, or json:PATH, table:PATH), webhook:URL, or nats://HOST:PORT (findings to JetStream); repeatable, each event goes to every output (default: table)",
      collect,
    )
    .option(
      "--server <host:port>",
      "serve Prometheus metrics at /metrics and health at /healthz (e.g. 127.0.0.1:9464)",
    )
    .option(
      "-i, --input <path|->",
      "replay newline-delimited Tracee JSON events from a file or stdin instead of the kernel",
    )
    .addOption(
      new Option(
        "--syscall-hooks <how>",
        "tracepoints: one per selected syscall, and calls to syscalls this kernel lacks go unreported; sys_enter: a program on every syscall (about 65 ns more each), reporting those calls too",
      ).choices(["tracepoints", "sys_enter"]).default("tracepoints"),
    )
    .addOption(
      new Option("--scope <filter>", SCOPE_HELP).argParser(collect),
    )
    .option(
      "--containerd-socket <path>",
      "containerd's socket, asked for each live container's name, image and pod (when it cannot be asked, events carry the container id only)",
      CONTAINERD_SOCKET,
    )
    .option(
      "--stats",
      "print per-signature counters (events, findings, failures, kills, time) at exit",
      false,
    )
    .option(
      "--stats-interval <s>",
      "also print the counters every this many seconds",
      positiveInteger,
    )
    .option(
      "--exceptions <file>",
      "silence known-benign findings: a YAML or JSON file of exceptions (signature id and conditions); reloaded on SIGHUP",
    )
    .option(
      "--watch",
      "reload the signature directories (and exceptions) when a file in them changes, as SIGHUP does",
      false,
    )
    .action(async (options: RunOptions) => {
      actions.exit(await actions.run(options));
    });
  signatureOptions(
    program.command("list").description("print the loaded signatures and exit"),
  ).action(async (options: CommonOptions) => {
    actions.exit(await actions.list(options));
  });
  return program;
}

/** The options every command takes. */
export type CommonOptions = {
  signaturesDir?: string[];
  cacheDir: string;
  opa: string;
  verbose: boolean;
  config?: string;
};

/** The options of the sensor's run. */
export type RunOptions = CommonOptions & NatsCliOptions & PublishCliOptions & {
  events?: string;
  output?: string[];
  server?: string;
  input?: string;
  deadline: number;
  sandboxMemory: number;
  quarantineAfter: number;
  maxFindingsRate: number;
  stats: boolean;
  statsInterval?: number;
  syscallHooks: "tracepoints" | "sys_enter";
  scope?: string[];
  containerdSocket: string;
  exceptions?: string;
  watch: boolean;
};
