/**
 * The collector's source: base events from the events stream through a
 * durable pull consumer that any number of collectors share (JetStream hands
 * each message to one of them). A message is acknowledged only when
 * {@linkcode CollectSource.acknowledge} says the batch it came in is done:
 * its findings published. A collector that dies first leaves its messages
 * unacknowledged, and JetStream redelivers them (after the consumer's ack
 * wait) to a collector still running.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import type { EventEnvelope } from "../event/mod.ts";
import {
  type EventSource,
  parseEventLineLazily,
  type SourceLosses,
  UNWANTED,
} from "../sources/mod.ts";

/** Options of {@linkcode CollectSource}. */
export interface CollectSourceOptions {
  /**
   * Most events per batch.
   * @default {1024}
   */
  batchSize?: number;
  /** Which event names to deliver; others are acknowledged unread. */
  wants?: (eventName: string) => boolean;
  /** Called for each message that is not an event (it is acknowledged). */
  onMalformed?: (subject: string, reason: string) => void;
}

/** Events pulled from JetStream, acknowledged once their batch is done. */
export class CollectSource implements EventSource {
  readonly name = "jetstream";
  #consumer: Consumer;
  #options: CollectSourceOptions;
  /** Messages of the batches yielded and not yet done, oldest first. */
  #unacknowledged: JsMsg[][] = [];
  #malformed = 0;
  #unwanted = 0;
  #received = 0;
  #stop: (() => void) | undefined;

  constructor(consumer: Consumer, options: CollectSourceOptions = {}) {
    this.#consumer = consumer;
    this.#options = options;
  }

  get unwanted(): number {
    return this.#unwanted;
  }

  /** Messages received so far. */
  get received(): number {
    return this.#received;
  }

  /**
   * Acknowledges the messages of the oldest batch not yet acknowledged: call
   * once per batch, in order, after its findings are published.
   */
  acknowledge(): void {
    for (const message of this.#unacknowledged.shift() ?? []) message.ack();
  }

  async *batches(signal: AbortSignal): AsyncGenerator<EventEnvelope[]> {
    const batchSize = this.#options.batchSize ?? 1024;
    const queue: JsMsg[] = [];
    let wake: (() => void) | undefined;
    const stop = new AbortController();
    const finish = () => {
      stop.abort();
      wake?.();
    };
    this.#stop = finish;
    // An already aborted signal sends no abort event.
    if (signal.aborted) finish();
    signal.addEventListener("abort", finish, { once: true });
    const pump = this.#pump(batchSize * 2, stop.signal, (message) => {
      queue.push(message);
      wake?.();
    });
    try {
      while (!stop.signal.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => wake = resolve);
          wake = undefined;
          // Let the messages that arrived together join one batch.
          await new Promise((resolve) => setTimeout(resolve, 0));
          continue;
        }
        const taken = queue.splice(0, batchSize);
        const batch = this.#envelopes(taken);
        if (batch.length === 0) {
          for (const message of taken) message.ack();
          continue;
        }
        this.#unacknowledged.push(taken);
        yield batch;
      }
    } finally {
      signal.removeEventListener("abort", finish);
      finish();
      await pump;
    }
  }

  /**
   * Receives messages until `signal` aborts, starting to consume again when
   * the client gives up on a session (the server restarted, the consumer
   * was briefly unreachable). Unacknowledged messages are never lost:
   * JetStream redelivers them.
   */
  async #pump(
    prefetch: number,
    signal: AbortSignal,
    receive: (message: JsMsg) => void,
  ): Promise<void> {
    while (!signal.aborted) {
      try {
        const messages = await this.#consumer.consume({
          max_messages: prefetch,
        });
        const close = () => void messages.close();
        // Aborted while consume() was pending: no abort event comes now.
        if (signal.aborted) close();
        signal.addEventListener("abort", close, { once: true });
        try {
          for await (const message of messages) receive(message);
        } finally {
          signal.removeEventListener("abort", close);
        }
      } catch {
        // Retried below.
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 500));
    }
  }

  #envelopes(messages: readonly JsMsg[]): EventEnvelope[] {
    const batch: EventEnvelope[] = [];
    for (const message of messages) {
      this.#received++;
      const envelope = parseEventLineLazily(
        message.string(),
        message.seq,
        {
          report: (_, reason) => {
            this.#malformed++;
            this.#options.onMalformed?.(message.subject, reason);
          },
          ...(this.#options.wants ? { wants: this.#options.wants } : {}),
        },
      );
      if (envelope === UNWANTED) this.#unwanted++;
      else if (envelope) batch.push(envelope);
    }
    return batch;
  }

  losses(): SourceLosses {
    return {
      lost: 0,
      dropped: { unselected: this.#unwanted, malformed: this.#malformed },
    };
  }

  summary(): string[] {
    return this.#malformed === 0
      ? []
      : [`${this.#malformed} malformed message(s) skipped`];
  }

  close(): Promise<void> {
    this.#stop?.();
    return Promise.resolve();
  }
}

/** Options of {@linkcode openCollectConsumer}. */
export interface CollectConsumerOptions {
  /** The events stream. */
  stream: string;
  /**
   * The durable consumer's name: collectors that give the same name share
   * the stream's events; one with another name gets them all again.
   */
  durable: string;
  /**
   * How long a delivered message may stay unacknowledged before JetStream
   * gives it to another collector.
   * @default {30000}
   */
  ackWaitMs?: number;
  /**
   * Messages delivered and unacknowledged at once, over all collectors.
   * @default {20000}
   */
  maxAckPending?: number;
}

/**
 * The durable pull consumer of the events stream, created when missing
 * (from the stream's first message).
 */
export async function openCollectConsumer(
  connection: NatsConnection,
  options: CollectConsumerOptions,
): Promise<Consumer> {
  const manager = await jetstreamManager(connection);
  try {
    await manager.consumers.info(options.stream, options.durable);
  } catch (error) {
    if (!String((error as Error).message).includes("not found")) throw error;
    await manager.consumers.add(options.stream, {
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: (options.ackWaitMs ?? 30_000) * 1e6,
      max_ack_pending: options.maxAckPending ?? 20_000,
    });
  }
  return await jetstream(connection).consumers.get(
    options.stream,
    options.durable,
  );
}
