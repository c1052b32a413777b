/**
 * Following the findings stream: an ordered consumer (JetStream's cheap,
 * server-side one, recreated by the client after a gap) over the findings
 * of one host and/or signature, from now or from a start time.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { findingFilter } from "./subjects.ts";

/** Options of {@linkcode followFindings}. */
export interface FollowOptions {
  /** @default {"VIGIL_FINDINGS"} */
  stream: string;
  /** Only this host's findings (the event's `hostName`). */
  hostName?: string;
  /** Only this signature's findings. */
  signatureId?: string;
  /** From this time on; without it, only findings published from now. */
  since?: Date;
  /** Called once the server delivers (what comes next is not missed). */
  onReady?: (filter: string) => void;
}

/** One finding as published: its subject and JSON. */
export interface FollowedFinding {
  subject: string;
  json: string;
}

/** Yields findings as they arrive until `signal` aborts. */
export async function* followFindings(
  connection: NatsConnection,
  options: FollowOptions,
  signal: AbortSignal,
): AsyncGenerator<FollowedFinding> {
  const filter = findingFilter(options);
  const consumer = await jetstream(connection).consumers.get(options.stream, {
    filter_subjects: filter,
    ...(options.since
      ? {
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: options.since.toISOString(),
      }
      : { deliver_policy: DeliverPolicy.New }),
  });
  const messages = await consumer.consume();
  options.onReady?.(filter);
  const stop = () => void messages.close();
  // Aborted while consume() was pending: no abort event comes now.
  if (signal.aborted) stop();
  signal.addEventListener("abort", stop, { once: true });
  try {
    for await (const message of messages) {
      yield { subject: message.subject, json: message.string() };
    }
  } finally {
    signal.removeEventListener("abort", stop);
    await messages.close();
  }
}
