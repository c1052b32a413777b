/**
 * Opens the `--output` values as one {@linkcode Outputs}, and closes them
 * saying what was dropped or left undelivered.
 *
 * @module
 */

import { log } from "../log.ts";
import {
  openOutput,
  Outputs,
  type OutputSink,
  type OutputSpec,
} from "../output/mod.ts";

/** What the outputs besides `--output`'s own kinds are given. */
export interface FleetOutputs {
  /** The `nats://` output, opened already: it takes every event it is given. */
  fleet?: OutputSink;
  /** Base events printed only for the fleet (`--publish-events`). */
  published: ReadonlySet<string>;
  /** Events the other outputs print (`--events`). */
  printed: ReadonlySet<string>;
}

/**
 * Opens every output, in order, then the fleet's; closes those opened when
 * one fails. Events published to the fleet only are kept from the others.
 */
export async function openOutputs(
  specs: OutputSpec[],
  { fleet, published, printed }: FleetOutputs = {
    published: new Set(),
    printed: new Set(),
  },
): Promise<Outputs> {
  const logger = log("output");
  const sinks: OutputSink[] = [];
  const fleetOnly = new Set(
    [...published].filter((name) => !printed.has(name)),
  );
  try {
    for (const spec of specs) {
      const sink = await openOutput(spec, {
        warn: (message) => logger.warn(message),
      });
      sinks.push(fleetOnly.size > 0 ? skipping(sink, fleetOnly) : sink);
    }
  } catch (error) {
    await new Outputs(fleet ? [...sinks, fleet] : sinks).close();
    throw error;
  }
  return new Outputs(fleet ? [...sinks, fleet] : sinks);
}

/** `sink`, given no event named in `skip`. */
function skipping(sink: OutputSink, skip: ReadonlySet<string>): OutputSink {
  return {
    name: sink.name,
    write: (event, json) => {
      if (!skip.has(event.eventName)) sink.write(event, json);
    },
    flush: () => sink.flush(),
    close: () => sink.close(),
    stats: () => sink.stats(),
    reopen: () => sink.reopen(),
  };
}

/** Closes the outputs (a webhook drains, bounded) and says what was lost. */
export async function closeOutputs(outputs: Outputs): Promise<void> {
  await outputs.close();
  const logger = log("output");
  for (const sink of outputs.sinks) {
    const { dropped, queued } = sink.stats();
    if (dropped > 0) {
      logger.warn(`Output ${sink.name}: ${dropped} event(s) dropped`);
    }
    if (queued > 0) {
      logger.warn(
        `Output ${sink.name}: ${queued} event(s) left undelivered at exit`,
      );
    }
  }
}
