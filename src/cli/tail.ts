/**
 * `vigil tail nats://…`: prints the fleet's findings as they arrive, in the
 * `--output` formats, filtered by host and signature on the server (by
 * subject), from a start time when asked.
 *
 * @module
 */

import { type Command, InvalidArgumentError } from "commander";
import { parseEventLine } from "../event/mod.ts";
import type { NatsConnection } from "@nats-io/nats-core";
import { connectNats, followFindings, keepTrying } from "../fleet/mod.ts";
import { configureLogging, firstWarnings, log } from "../log.ts";
import { openOutput, parseOutputSpec } from "../output/mod.ts";
import {
  type NatsCliOptions,
  natsConfig,
  natsOptions,
} from "./fleet_options.ts";

/** The options of `vigil tail`. */
export type TailOptions = NatsCliOptions & {
  output: string;
  host?: string;
  signature?: string;
  since?: Date;
};

const DURATION_REGEXP = /^(\d+)(s|m|h|d)$/;
const DURATION_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses `--since`: a duration back from now (`90s`, `10m`, `2h`, `1d`) or
 * a date and time (ISO 8601, e.g. `2026-12-05T09:00:00Z`).
 */
export function parseSince(value: string, now = Date.now()): Date {
  const duration = DURATION_REGEXP.exec(value);
  const date = duration
    ? new Date(now - Number(duration[1]) * DURATION_MS[duration[2]!]!)
    : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(
      "it must be a duration (90s, 10m, 2h, 1d) or an ISO 8601 time",
    );
  }
  return date;
}

/** Adds `tail` to `program`; `action` receives the URL and options. */
export function addTailCommand(
  program: Command,
  action: (url: string, options: TailOptions) => Promise<void>,
): void {
  natsOptions(
    program.command("tail")
      .description(
        "print the fleet's findings as they arrive",
      ),
  )
    .argument("<url>", "NATS server: nats://[user:password@]HOST:PORT")
    .option(
      "-o, --output <format[:path]>",
      "json (one event per line) or table, to stdout or a file",
      "table",
    )
    .option("--host <name>", "only findings on this host (hostName)")
    .option("--signature <id>", "only findings of this signature (e.g. VGL-2)")
    .option(
      "--since <when>",
      "start from this time (ISO 8601) or this long ago (10m, 2h); default: findings from now on",
      (value) => parseSince(value),
    )
    .action(action);
}

/** Prints findings until SIGINT or SIGTERM; returns the exit code. */
export async function tail(url: string, options: TailOptions): Promise<number> {
  await configureLogging({ debug: false });
  const output = await openOutput(parseOutputSpec(options.output));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const warnMalformed = firstWarnings(
    log("tail"),
    "Further malformed messages are skipped, not logged",
  );
  const logger = log("tail");
  let connection: NatsConnection | undefined;
  try {
    connection = await keepTrying(
      () => connectNats(natsConfig(url, options)),
      (message) => logger.warn(`Cannot connect to NATS yet: ${message}`),
      stop.signal,
    );
    if (connection === undefined) return 0;
    const findings = followFindings(connection, {
      stream: options.natsStream,
      ...(options.host !== undefined ? { hostName: options.host } : {}),
      ...(options.signature !== undefined
        ? { signatureId: options.signature }
        : {}),
      ...(options.since ? { since: options.since } : {}),
      onReady: (filter) =>
        logger.info(`Following ${options.natsStream} (${filter})`),
    }, stop.signal);
    for await (const finding of findings) {
      // Anyone allowed to publish on the stream wrote this: printed only
      // once it parses as an event, and in Vigil's own JSON, not as sent.
      const event = parseEventLine(finding.json);
      if (typeof event === "string") {
        warnMalformed(`Skipping a message on ${finding.subject}: ${event}`);
        continue;
      }
      output.write(event);
      await output.flush();
    }
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await output.close();
    await connection?.close();
  }
}
