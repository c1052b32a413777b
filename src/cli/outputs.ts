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

/** Opens every output, in order; closes those opened when one fails. */
export async function openOutputs(specs: OutputSpec[]): Promise<Outputs> {
  const logger = log("output");
  const sinks: OutputSink[] = [];
  try {
    for (const spec of specs) {
      sinks.push(
        await openOutput(spec, { warn: (message) => logger.warn(message) }),
      );
    }
  } catch (error) {
    await new Outputs(sinks).close();
    throw error;
  }
  return new Outputs(sinks);
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
