/**
 * Acknowledged, pipelined publishes to JetStream with a spool on disk: while
 * the broker is reachable, each flush publishes its messages with at most
 * `window` awaiting their acknowledgement; while it is not (or while the
 * spool still holds older messages, to keep their order), messages go to the
 * spool, which a drainer sends, oldest first, once the broker is back.
 * Every message carries an id derived from its content, so a message sent
 * twice (an acknowledgement lost, a spool re-sent after a restart) is
 * dropped by the server as a duplicate.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import {
  connectNats,
  ensureStreams,
  type NatsOptions,
  type StreamOptions,
} from "./connection.ts";
import { Spool, type SpooledMessage } from "./spool.ts";
import { AckWindow } from "./_ack_window.ts";

/** Options of {@linkcode Publisher.start}. */
export interface PublisherOptions extends NatsOptions, StreamOptions {
  /**
   * Where messages wait while the broker is unreachable. Without one, a
   * flush waits until the broker has acknowledged every message (the
   * collector's way: it acknowledges its input only after that).
   */
  spoolDir?: string;
  /** @default {67108864} */
  spoolBytes?: number;
  /** Whether the events stream is needed (`--publish-events`). */
  events: boolean;
  /**
   * Publishes awaiting their acknowledgement at once.
   * @default {256}
   */
  window?: number;
  /**
   * How long a publish waits for its acknowledgement.
   * @default {5000}
   */
  ackTimeoutMs?: number;
  /** Receives one line per connection change or failure. */
  log?: (level: "info" | "warning", message: string) => void;
}

/** What a publisher did so far. */
export interface PublisherCounts {
  /** Acknowledged as new. */
  published: number;
  /** Acknowledged as duplicates (sent before). */
  duplicates: number;
  /** Waiting in the spool. */
  spooled: number;
  /** Dropped from the full spool, oldest first. */
  dropped: number;
}

const RETRY_MS = 500;
const CONNECT_RETRY_MS = 2000;

/** Publishes messages to JetStream, spooling them while it is unreachable. */
export class Publisher {
  #options: PublisherOptions;
  #spool: Spool | undefined;
  #pending: SpooledMessage[] = [];
  #connection: NatsConnection | undefined;
  #acks: AckWindow | undefined;
  #connecting: Promise<void>;
  #online = false;
  #draining: Promise<void> | undefined;
  #closed = false;
  #published = 0;
  #duplicates = 0;

  private constructor(options: PublisherOptions) {
    this.#options = options;
    this.#spool = options.spoolDir === undefined
      ? undefined
      : Spool.open(options.spoolDir, {
        ...(options.spoolBytes !== undefined
          ? { maxBytes: options.spoolBytes }
          : {}),
      });
    this.#connecting = this.#connect();
  }

  /**
   * Starts connecting (in the background, retrying forever) and sending
   * what the spool holds from an earlier run.
   */
  static start(options: PublisherOptions): Publisher {
    return new Publisher(options);
  }

  /** Counts so far. */
  get counts(): PublisherCounts {
    return {
      published: this.#published,
      duplicates: this.#duplicates,
      spooled: (this.#spool?.count ?? 0) + this.#pending.length,
      dropped: this.#spool?.dropped ?? 0,
    };
  }

  /** Resolves once connected and the streams exist (for tests and tools). */
  ready(): Promise<void> {
    return this.#connecting;
  }

  /** Queues a message for the next flush. */
  enqueue(message: SpooledMessage): void {
    this.#pending.push(message);
  }

  /**
   * Publishes what is queued and waits for its acknowledgements; what the
   * broker does not acknowledge is spooled, or, without a spool, sent again
   * until it is (or the publisher closes). Never throws for the broker.
   */
  async flush(): Promise<void> {
    let messages = this.#pending;
    this.#pending = [];
    if (messages.length === 0) return;
    const spool = this.#spool;
    if (spool === undefined) {
      while (messages.length > 0 && !this.#closed) {
        if (this.#online) messages = await this.#publishAll(messages);
        if (messages.length > 0) await sleep(RETRY_MS);
      }
      return;
    }
    if (!this.#online || spool.count > 0) {
      spool.append(messages);
      this.#drain();
      return;
    }
    const failed = await this.#publishAll(messages);
    if (failed.length > 0) {
      spool.append(failed);
      this.#drain();
    }
  }

  /**
   * Flushes and sends the spool for as long as the broker keeps
   * acknowledging (giving up after `idleMs` without progress, or without a
   * connection), then disconnects; what is left stays in the spool for the
   * next run. Without a spool, what was not flushed is dropped: its input
   * was not acknowledged, so it will be delivered again.
   */
  async close(idleMs = 5000): Promise<void> {
    if (this.#closed) return;
    const spool = this.#spool;
    if (spool) {
      await within(this.#connecting, idleMs);
      await this.flush();
      let left = spool.count;
      let progress = Date.now();
      while (
        spool.count > 0 && this.#online && Date.now() - progress < idleMs
      ) {
        this.#drain();
        await within(this.#draining, RETRY_MS);
        if (spool.count < left) progress = Date.now();
        left = spool.count;
      }
    }
    this.#closed = true;
    await this.#draining;
    this.#spool?.close();
    await this.#connection?.close().catch(() => {});
  }

  /**
   * Connects and creates the streams, trying again every 2 s after a
   * failure (refused credentials, JetStream not ready) until closed;
   * meanwhile messages wait in the spool.
   */
  async #connect(): Promise<void> {
    const log = this.#options.log;
    let reported = "";
    while (!this.#closed) {
      let connection: NatsConnection | undefined;
      try {
        connection = await connectNats(this.#options);
        if (this.#closed) break;
        await ensureStreams(connection, this.#options);
        this.#connection = connection;
        this.#acks = new AckWindow(connection);
        this.#online = true;
        log?.("info", `Connected to NATS at ${connection.getServer()}`);
        this.#watch(connection);
        this.#drain();
        return;
      } catch (error) {
        const message = (error as Error).message;
        if (message !== reported) {
          log?.("warning", `Cannot connect to NATS: ${message}`);
          reported = message;
        }
        await connection?.close().catch(() => {});
        connection = undefined;
        await sleep(CONNECT_RETRY_MS);
      } finally {
        if (this.#closed) await connection?.close().catch(() => {});
      }
    }
  }

  async #watch(connection: NatsConnection): Promise<void> {
    const log = this.#options.log;
    for await (const status of connection.status()) {
      if (status.type === "disconnect") {
        this.#online = false;
        log?.("warning", "Lost the NATS connection; spooling until it returns");
      } else if (status.type === "reconnect") {
        this.#online = true;
        log?.("info", `Reconnected to NATS at ${connection.getServer()}`);
        this.#drain();
      }
    }
  }

  /** Publishes `messages`, at most `window` unacknowledged; returns the failed. */
  async #publishAll(
    messages: readonly SpooledMessage[],
  ): Promise<SpooledMessage[]> {
    const result = await this.#acks!.publishAll(messages, {
      window: this.#options.window ?? 256,
      timeoutMs: this.#options.ackTimeoutMs ?? 5000,
    });
    this.#published += result.published;
    this.#duplicates += result.duplicates;
    return result.failed;
  }

  /** Starts sending the spool unless that is under way. */
  #drain(): void {
    const spool = this.#spool;
    if (!spool || this.#draining || this.#closed) return;
    this.#draining = (async () => {
      const window = this.#options.window ?? 256;
      while (spool.count > 0 && this.#online && !this.#closed) {
        const messages = spool.peek(window);
        const failed = await this.#publishAll(messages);
        if (failed.length === 0) {
          spool.remove(messages.length);
          continue;
        }
        // Sent again in order next time; the server drops the copies.
        await sleep(RETRY_MS);
        await ensureStreams(this.#connection!, this.#options).catch(() => {});
      }
    })().finally(() => {
      this.#draining = undefined;
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `promise`, at most `ms`; leaves no timer behind. */
async function within(promise: Promise<unknown> | undefined, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      promise,
      new Promise((resolve) => timer = setTimeout(resolve, ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
