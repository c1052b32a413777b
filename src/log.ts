/**
 * Logging: LogTape, one line per record on stderr (stdout carries events).
 *
 * @module
 */

import {
  configure,
  getLogger,
  getTextFormatter,
  type Logger,
} from "@logtape/logtape";

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

/** The logger of a part of Vigil, e.g. `log("engine")`. */
export function log(part: string): Logger {
  return getLogger(["vigil", part]);
}
