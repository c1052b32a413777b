/**
 * Several outputs at once (`-o json -o webhook:URL -o json:/var/log/v.json`):
 * every event goes to each, formatted as JSON once for all of them.
 *
 * @module
 */

import { formatEventJson, type TraceeEvent } from "../event/mod.ts";
import type { EventOutput, OutputSink } from "./output.ts";

/** Writes every event to each of its sinks. */
export class Outputs implements EventOutput {
  /** The sinks, in `--output` order. */
  readonly sinks: readonly OutputSink[];

  constructor(sinks: readonly OutputSink[]) {
    this.sinks = sinks;
  }

  write(event: TraceeEvent, json?: string): void {
    const [only] = this.sinks;
    if (this.sinks.length === 1) return only!.write(event, json);
    const text = json ?? formatEventJson(event);
    for (const sink of this.sinks) sink.write(event, text);
  }

  async flush(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.flush()));
  }

  /** Opens every file output again by path (see `OutputSink.reopen`). */
  reopen(): void {
    for (const sink of this.sinks) sink.reopen();
  }

  /** Closes every sink, the slowest (a webhook draining) bounding the wait. */
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.close()));
  }
}
