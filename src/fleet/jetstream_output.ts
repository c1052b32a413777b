/**
 * An {@linkcode OutputSink} that publishes to JetStream: findings to
 * `vigil.findings.<hostName>.<signatureID>`, and the base events named in
 * `publishEvents` to `vigil.events.<hostName>.<eventName>`; anything else
 * written to it is not for the fleet and is ignored.
 *
 * @module
 */

import { formatEventJson, type TraceeEvent } from "../event/mod.ts";
import type { OutputSink } from "../output/mod.ts";
import { Publisher, type PublisherOptions } from "./publisher.ts";
import { eventSubject, findingSubject, messageId } from "./subjects.ts";

/** Options of {@linkcode openJetStreamOutput}. */
export interface JetStreamOutputOptions
  extends Omit<PublisherOptions, "events"> {
  /** Base events to publish besides findings. @default {none} */
  publishEvents?: ReadonlySet<string>;
  /** The output's name in logs and metrics (no credentials). @default {"nats"} */
  name?: string;
}

/** A JetStream output and what it did. */
export interface JetStreamOutput extends OutputSink {
  /** Messages acknowledged as new. */
  readonly published: number;
  /** Messages dropped from the full spool. */
  readonly dropped: number;
  /** The publisher under it (counts, readiness). */
  readonly publisher: Publisher;
}

/** The signature id of a finding event, or `undefined` for any other event. */
export function findingSignatureId(event: TraceeEvent): string | undefined {
  const id = event.metadata?.Properties?.["signatureID"];
  return typeof id === "string" ? id : undefined;
}

/** Starts a publisher and returns the output over it. */
export function openJetStreamOutput(
  options: JetStreamOutputOptions,
): JetStreamOutput {
  const publishEvents = options.publishEvents ?? new Set<string>();
  const publisher = Publisher.start({
    ...options,
    events: publishEvents.size > 0,
  });
  return {
    name: options.name ?? "nats",
    stats() {
      const { published, duplicates, spooled, dropped } = publisher.counts;
      return {
        written: published + duplicates,
        failed: 0,
        dropped,
        queued: spooled,
      };
    },
    reopen() {},
    get published() {
      return publisher.counts.published;
    },
    get dropped() {
      return publisher.counts.dropped;
    },
    publisher,
    write(event, json) {
      const signatureId = findingSignatureId(event);
      const subject = signatureId !== undefined
        ? findingSubject(event.hostName, signatureId)
        : publishEvents.has(event.eventName)
        ? eventSubject(event.hostName, event.eventName)
        : undefined;
      if (subject === undefined) return;
      const payload = json ?? formatEventJson(event);
      publisher.enqueue({
        subject,
        id: messageId(subject, payload),
        payload,
      });
    },
    flush: () => publisher.flush(),
    close: () => publisher.close(),
  };
}
