/**
 * The options every NATS command shares (credentials, TLS, streams), the
 * sensor's publishing options, and the output `-o nats://…` opens.
 *
 * @module
 */

import { type Command, InvalidArgumentError } from "commander";
import { BASE_EVENT_IDS } from "../event/mod.ts";
import {
  DEFAULT_STREAMS,
  type JetStreamOutput,
  type NatsOptions,
  openJetStreamOutput,
  type StreamOptions,
} from "../fleet/mod.ts";
import { log } from "../log.ts";

function nonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new InvalidArgumentError("it must be a whole number, 0 or more");
  }
  return number;
}

const SIZE_REGEXP = /^(\d+)([KMG]?)$/i;
const SIZE_UNITS: Record<string, number> = {
  "": 1,
  k: 1 << 10,
  m: 1 << 20,
  g: 1 << 30,
};

/** Parses a size in bytes with an optional K, M or G suffix (powers of 1024). */
export function byteSize(value: string): number {
  const match = SIZE_REGEXP.exec(value.trim());
  const bytes = match
    ? Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!
    : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new InvalidArgumentError(
      "it must be a size in bytes, optionally with K, M or G (e.g. 64M)",
    );
  }
  return bytes;
}

/** Adds the connection and stream options of every NATS command. */
export function natsOptions(command: Command): Command {
  return command
    .option("--nats-creds <file>", "NATS credentials file (JWT and NKey seed)")
    .option("--nats-tls-ca <file>", "CA certificate that signed the server's")
    .option("--nats-tls-cert <file>", "client certificate for NATS over TLS")
    .option("--nats-tls-key <file>", "client key for NATS over TLS")
    .option(
      "--nats-stream <name>",
      "JetStream stream of findings",
      DEFAULT_STREAMS.findings,
    )
    .option(
      "--nats-events-stream <name>",
      "JetStream stream of base events",
      DEFAULT_STREAMS.events,
    )
    .option(
      "--nats-max-age <s>",
      "when Vigil creates a stream: the oldest message it keeps, in seconds (0: no limit)",
      nonNegativeInteger,
      0,
    )
    .option(
      "--nats-max-bytes <size>",
      "when Vigil creates a stream: the most bytes it keeps, e.g. 10G (0: no limit)",
      byteSize,
      0,
    )
    .option(
      "--nats-dedup-window <s>",
      "when Vigil creates a stream: how long the server remembers message ids to drop duplicates",
      nonNegativeInteger,
      120,
    );
}

/** Adds the sensor's publishing options. */
export function publishOptions(command: Command): Command {
  return command
    .option(
      "--publish-events <list>",
      "with -o nats://: also publish these base events (comma-separated) for central analysis",
    )
    .option(
      "--nats-spool <dir>",
      "with -o nats://: where messages wait while the broker is unreachable",
      defaultSpoolDir(),
    )
    .option(
      "--nats-spool-size <size>",
      "most bytes the spool holds, e.g. 64M; past it the oldest messages are dropped and counted",
      byteSize,
      64 << 20,
    );
}

/** The options {@linkcode natsOptions} adds, parsed. */
export type NatsCliOptions = {
  natsCreds?: string;
  natsTlsCa?: string;
  natsTlsCert?: string;
  natsTlsKey?: string;
  natsStream: string;
  natsEventsStream: string;
  natsMaxAge: number;
  natsMaxBytes: number;
  natsDedupWindow: number;
};

/** The options {@linkcode publishOptions} adds, parsed. */
export type PublishCliOptions = {
  publishEvents?: string;
  natsSpool: string;
  natsSpoolSize: number;
};

function defaultSpoolDir(): string {
  const base = Deno.env.get("XDG_STATE_HOME") ??
    `${Deno.env.get("HOME") ?? "/root"}/.local/state`;
  return `${base}/vigil/spool`;
}

/** How to reach the broker and which streams, from the parsed options. */
export function natsConfig(
  url: string,
  options: NatsCliOptions,
): NatsOptions & StreamOptions {
  return {
    url,
    ...(options.natsCreds ? { credsFile: options.natsCreds } : {}),
    ...(options.natsTlsCa ? { tlsCa: options.natsTlsCa } : {}),
    ...(options.natsTlsCert ? { tlsCert: options.natsTlsCert } : {}),
    ...(options.natsTlsKey ? { tlsKey: options.natsTlsKey } : {}),
    findingsStream: options.natsStream,
    eventsStream: options.natsEventsStream,
    maxAgeSeconds: options.natsMaxAge,
    maxBytes: options.natsMaxBytes === 0 ? -1 : options.natsMaxBytes,
    duplicateWindowSeconds: options.natsDedupWindow,
  };
}

/**
 * The base events `--publish-events` names.
 *
 * @throws {RangeError} When a name is not a base event.
 */
export function publishedEvents(text: string | undefined): Set<string> {
  const names = (text ?? "").split(",").map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of names) {
    if (!BASE_EVENT_IDS.has(name)) {
      throw new RangeError(
        `Unknown event "${name}" in --publish-events: it is not a base event`,
      );
    }
  }
  return new Set(names);
}

/** Opens the output of `-o nats://…`: findings and published events. */
export function openFleetOutput(
  url: string,
  options: NatsCliOptions & PublishCliOptions,
): JetStreamOutput {
  const logger = log("nats");
  return openJetStreamOutput({
    ...natsConfig(url, options),
    name: natsOutputName(url),
    publishEvents: publishedEvents(options.publishEvents),
    spoolDir: options.natsSpool,
    spoolBytes: options.natsSpoolSize,
    log: (level, message) =>
      level === "info" ? logger.info(message) : logger.warn(message),
  });
}

/** A NATS URL without its credentials, to name the output in logs. */
function natsOutputName(url: string): string {
  return url.split(",").map((server) => {
    const parsed = URL.parse(server.trim());
    return parsed ? `${parsed.protocol}//${parsed.host}` : "nats";
  }).join(",");
}

/** Lines for the closing summary of a run that published. */
export function fleetSummary(output: JetStreamOutput): string[] {
  const { published, duplicates, spooled, dropped } = output.publisher.counts;
  return [
    `${published} message(s) published to NATS` +
    (duplicates > 0
      ? `, ${duplicates} duplicate(s) dropped by the server`
      : "") +
    (spooled > 0 ? `, ${spooled} left in the spool for the next run` : "") +
    (dropped > 0
      ? `, ${dropped} dropped from the full spool (oldest first)`
      : ""),
  ];
}
