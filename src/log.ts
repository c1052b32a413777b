/**
 * Logging: LogTape, one line per record on stderr (stdout carries events).
 *
 * @module
 */

import { configure, getLogger, getTextFormatter } from "@logtape/logtape";
import { printable } from "./output/mod.ts";

const encoder = new TextEncoder();

/** Sends Vigil's logs to stderr; `debug` also shows debug records. */
export async function configureLogging(
  options: { debug: boolean },
): Promise<void> {
  const format = getTextFormatter({
    format: ({ level, message }) => `vigil ${level.toLowerCase()}: ${message}`,
  });
  await configure({
    reset: true,
    sinks: {
      stderr: (record) => {
        Deno.stderr.writeSync(encoder.encode(format(record)));
      },
    },
    loggers: [
      {
        category: ["vigil"],
        lowestLevel: options.debug ? "debug" : "info",
        sinks: ["stderr"],
      },
      {
        category: ["logtape", "meta"],
        lowestLevel: "warning",
        sinks: ["stderr"],
      },
    ],
  });
}

/**
 * Where a part of Vigil logs; each message is printed as given, on one line
 * (see `printable`).
 */
export interface PartLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * A message as LogTape prints it literally, on one line: LogTape reads
 * `{name}` as a placeholder (printing `undefined` for a name it has no value
 * for), and a doubled brace as a brace. Messages carry JSON and text of
 * signatures' and inputs' choosing (selectors, findings, names, console
 * output), so every brace is doubled and every character that could end the
 * line or forge another (a newline, an escape sequence) is escaped.
 */
function literal(message: string): string {
  return printable(message).replaceAll("{", "{{").replaceAll("}", "}}");
}

/** The log of a part of Vigil, e.g. `log("engine")`. */
export function log(part: string): PartLog {
  const logger = getLogger(["vigil", part]);
  return {
    debug: (message) => logger.debug(literal(message)),
    info: (message) => logger.info(literal(message)),
    warn: (message) => logger.warn(literal(message)),
    error: (message) => logger.error(literal(message)),
  };
}

/**
 * Warns for each of the first `limit` calls, then once with `rest`: input of
 * others' choosing (a file's lines, a stream's messages) cannot flood the
 * log with its faults.
 */
export function firstWarnings(
  logger: PartLog,
  rest: string,
  limit = 10,
): (message: string) => void {
  let shown = 0;
  return (message) => {
    if (shown < limit) logger.warn(message);
    else if (shown === limit) logger.warn(rest);
    if (shown <= limit) shown++;
  };
}
