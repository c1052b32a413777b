/**
 * `vigil collect nats://…`: central analysis. Runs the signatures over the
 * base events every sensor publishes (`--publish-events`), pulled from a
 * durable JetStream consumer that collectors giving the same `--consumer`
 * share; publishes the findings to the findings stream (and to `--output`),
 * and acknowledges each message once its batch's findings are acknowledged
 * by the server. A finding's message id is derived from its content, which
 * is derived from the input message (the trigger's context, the signature,
 * its data): a message delivered again after a collector died gives the
 * same findings under the same ids, which the server drops.
 *
 * @module
 */

import type { Command } from "commander";
import type { Engine } from "../engine/mod.ts";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  CollectSource,
  connectNats,
  ensureStreams,
  keepTrying,
  openCollectConsumer,
  openJetStreamOutput,
} from "../fleet/mod.ts";
import { configureLogging, firstWarnings, log } from "../log.ts";
import {
  type EventOutput,
  openOutput,
  parseOutputSpec,
} from "../output/mod.ts";
import {
  type NatsCliOptions,
  natsConfig,
  natsOptions,
} from "./fleet_options.ts";
import {
  type CommonOptions,
  engineOptions,
  positiveInteger,
  type RunOptions,
  signatureOptions,
} from "./program.ts";
import type { SignatureSet } from "./start.ts";

/** The options of `vigil collect`. */
export type CollectOptions =
  & CommonOptions
  & NatsCliOptions
  & Pick<
    RunOptions,
    "deadline" | "sandboxMemory" | "quarantineAfter" | "maxFindingsRate"
  >
  & { consumer: string; ackWait: number; output?: string; stats: boolean };

/** What `collect` borrows from the sensor's wiring (`main.ts`). */
export interface CollectWiring {
  load(options: CollectOptions): Promise<SignatureSet>;
  createEngine(
    options: Pick<RunOptions, "maxFindingsRate">,
    set: SignatureSet,
    output: EventOutput,
  ): Engine;
  printStats(engine: Engine): void;
}

/** Adds `collect` to `program`; `action` receives the URL and options. */
export function addCollectCommand(
  program: Command,
  action: (url: string, options: CollectOptions) => Promise<void>,
): void {
  natsOptions(engineOptions(signatureOptions(
    program.command("collect")
      .description(
        "run the signatures over the base events every sensor publishes to NATS (central analysis)",
      ),
  )))
    .argument("<url>", "NATS server: nats://[user:password@]HOST:PORT")
    .option(
      "--consumer <name>",
      "durable consumer: collectors with the same name share the events, one with another name gets them all",
      "vigil-collect",
    )
    .option(
      "--ack-wait <s>",
      "seconds a collector may hold a message unacknowledged before JetStream gives it to another",
      positiveInteger,
      30,
    )
    .option(
      "-o, --output <format[:path]>",
      "also print the findings: json or table, to stdout or a file",
    )
    .option("--stats", "print per-signature counters at exit", false)
    .action(action);
}

/** Runs a collector until SIGINT or SIGTERM; returns the exit code. */
export async function collect(
  url: string,
  options: CollectOptions,
  wiring: CollectWiring,
): Promise<number> {
  await configureLogging({ debug: options.verbose });
  const config = natsConfig(url, options);
  const logger = log("collect");
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    // The broker may be down, restarting or slow to answer: try until it does.
    const broker = await keepTrying(
      () => connectNats(config),
      (message) => logger.warn(`Cannot connect to NATS yet: ${message}`),
      stop.signal,
    );
    if (broker === undefined) return 0;
    try {
      return await collectFrom(broker, config, options, wiring, stop.signal);
    } finally {
      await broker.close();
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

/** Collects over `connection` until `signal` aborts. */
async function collectFrom(
  connection: NatsConnection,
  config: ReturnType<typeof natsConfig>,
  options: CollectOptions,
  wiring: CollectWiring,
  signal: AbortSignal,
): Promise<number> {
  const logger = log("collect");
  const local = options.output === undefined
    ? undefined
    : await openOutput(parseOutputSpec(options.output));
  const set = await wiring.load(options);
  const findings = openJetStreamOutput(config);
  let source: CollectSource | undefined;
  const output: EventOutput = {
    write(event, json) {
      findings.write(event, json);
      local?.write(event, json);
    },
    async flush() {
      await findings.flush();
      await local?.flush();
      source?.acknowledge();
    },
    async close() {
      await findings.close();
      await local?.close();
    },
  };
  try {
    const engine = wiring.createEngine(options, set, output);
    const consumer = await keepTrying(
      async () => {
        await ensureStreams(connection, { ...config, events: true });
        return await openCollectConsumer(connection, {
          stream: options.natsEventsStream,
          durable: options.consumer,
          ackWaitMs: options.ackWait * 1000,
        });
      },
      (message) => logger.warn(`Cannot open the consumer yet: ${message}`),
      signal,
    );
    if (consumer === undefined) return 0;
    const warnMalformed = firstWarnings(
      logger,
      "Further malformed messages are counted, not logged",
    );
    source = new CollectSource(
      consumer,
      {
        wants: (name) => engine.wants(name),
        onMalformed: (subject, reason) =>
          warnMalformed(`Skipping a message on ${subject}: ${reason}`),
      },
    );
    logger.info(
      `Collecting from ${options.natsEventsStream} as consumer ${options.consumer} with ${set.signatures.length} signature(s)`,
    );
    await findings.publisher.ready();
    await engine.run(source, signal);
    for (const line of source.summary()) logger.warn(line);
    const { published, duplicates } = findings.publisher.counts;
    logger.info(
      `${source.received} message(s) received, ${engine.counts.findings} finding(s): ${published} published, ${duplicates} already in the stream`,
    );
    if (options.stats) wiring.printStats(engine);
    return set.errors.length > 0 ? 1 : 0;
  } finally {
    await output.close();
    await set.sandbox.close();
  }
}
