/**
 * The webhook output: events POSTed as a JSON array to an HTTP endpoint,
 * through a bounded queue, so that a slow, failing or stalled endpoint never
 * holds detection up.
 *
 * Each `flush()` (the engine's, after every batch) hands what was written to
 * a sender that runs beside the engine: a request carries up to
 * `batchSize` events, sent as soon as the previous request is done, so a
 * trickle of findings goes one by one within milliseconds and a flood in
 * requests of `batchSize`. A request that fails (a network error, a status
 * other than 2xx, no answer within `timeoutMs`) is retried after a backoff
 * that doubles up to `maxBackoffMs`, its events kept at the head of the
 * queue. When the queue holds more than `queueEvents` events or
 * `queueBytes` of JSON, the oldest are dropped and counted. Delivery is at
 * least once: a request that timed out after the endpoint read it is sent
 * again.
 *
 * @module
 */

import { formatEventJson } from "../event/mod.ts";
import type { OutputContext, OutputSink, OutputStats } from "./output.ts";

/** Limits of a {@linkcode WebhookOutput}. */
export interface WebhookOptions {
  /**
   * Events held while the endpoint is slow or failing.
   * @default {10000}
   */
  queueEvents?: number;
  /**
   * JSON characters held (a finding's data may be 64 KiB).
   * @default {33554432}
   */
  queueBytes?: number;
  /**
   * Most events in one request.
   * @default {100}
   */
  batchSize?: number;
  /**
   * A request not answered within this is aborted and retried.
   * @default {5000}
   */
  timeoutMs?: number;
  /**
   * The first retry's delay, doubled with each failure in a row.
   * @default {100}
   */
  backoffMs?: number;
  /** @default {5000} */
  maxBackoffMs?: number;
  /**
   * How long `close()` keeps sending what is queued.
   * @default {5000}
   */
  drainMs?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** POSTs events to a URL through a bounded queue (see the module doc). */
export class WebhookOutput implements OutputSink {
  readonly name: string;
  #url: URL;
  #warn: OutputContext["warn"];
  #limits: Required<WebhookOptions>;
  #queue: string[] = [];
  #queueBytes = 0;
  #stats: OutputStats = { written: 0, failed: 0, dropped: 0, queued: 0 };
  #sending: Promise<void> | undefined;
  /** Failed requests in a row. */
  #failures = 0;
  #closed = false;
  /** Aborted when `close()` gives up: ends requests and waits. */
  #stop = new AbortController();

  constructor(
    url: URL,
    name: string,
    context: OutputContext,
    options: WebhookOptions = {},
  ) {
    this.#url = url;
    this.name = name;
    this.#warn = context.warn;
    this.#limits = {
      queueEvents: options.queueEvents ?? 10000,
      queueBytes: options.queueBytes ?? 32 * 1024 * 1024,
      batchSize: options.batchSize ?? 100,
      timeoutMs: options.timeoutMs ?? 5000,
      backoffMs: options.backoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      drainMs: options.drainMs ?? 5000,
    };
  }

  write(event: Parameters<OutputSink["write"]>[0], json?: string): void {
    if (this.#closed) return;
    const text = json ?? formatEventJson(event);
    this.#queue.push(text);
    this.#queueBytes += text.length;
    this.#trim();
  }

  /** Hands the queue to the sender; does not wait for delivery. */
  flush(): Promise<void> {
    this.#kick();
    return Promise.resolve();
  }

  stats(): OutputStats {
    return { ...this.#stats, queued: this.#queue.length };
  }

  reopen(): void {}

  /**
   * Sends what is queued for at most `drainMs`, then gives up on the rest,
   * which `stats().queued` then counts. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const timer = setTimeout(() => this.#stop.abort(), this.#limits.drainMs);
    this.#kick();
    await this.#sending;
    clearTimeout(timer);
    this.#stop.abort();
  }

  /** Drops the oldest events beyond the queue's bounds. */
  #trim(): void {
    const { queueEvents, queueBytes } = this.#limits;
    let dropped = 0;
    while (
      this.#queue.length > queueEvents ||
      (this.#queueBytes > queueBytes && this.#queue.length > 0)
    ) {
      this.#queueBytes -= this.#queue.shift()!.length;
      dropped++;
    }
    if (dropped === 0) return;
    if (this.#stats.dropped === 0) {
      this.#warn(
        `Output ${this.name}: queue full, dropping the oldest events (counted)`,
      );
    }
    this.#stats.dropped += dropped;
  }

  #kick(): void {
    if (this.#sending || this.#queue.length === 0) return;
    this.#sending = this.#send().finally(() => {
      this.#sending = undefined;
    });
  }

  async #send(): Promise<void> {
    while (this.#queue.length > 0 && !this.#stop.signal.aborted) {
      const batch = this.#queue.splice(0, this.#limits.batchSize);
      const bytes = batch.reduce((sum, text) => sum + text.length, 0);
      this.#queueBytes -= bytes;
      const failure = await this.#post(batch);
      if (failure === undefined) {
        this.#stats.written += batch.length;
        if (this.#failures > 0) {
          this.#warn(
            `Output ${this.name}: delivering again after ${this.#failures} failed request(s)`,
          );
        }
        this.#failures = 0;
        continue;
      }
      this.#queue.unshift(...batch);
      this.#queueBytes += bytes;
      if (this.#stop.signal.aborted) break;
      this.#stats.failed++;
      if (this.#failures++ === 0) {
        this.#warn(
          `Output ${this.name}: ${failure}; retrying with backoff, holding up to ${this.#limits.queueEvents} events`,
        );
      }
      this.#trim();
      await this.#sleep(
        Math.min(
          this.#limits.maxBackoffMs,
          this.#limits.backoffMs * 2 ** Math.min(this.#failures - 1, 20),
        ),
      );
    }
  }

  /** POSTs `batch`; returns why it failed, or undefined when delivered. */
  async #post(batch: string[]): Promise<string | undefined> {
    try {
      const response = await fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `[${batch.join(",")}]`,
        signal: AbortSignal.any([
          this.#stop.signal,
          AbortSignal.timeout(this.#limits.timeoutMs),
        ]),
      });
      await response.body?.cancel();
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      // Deno's errors quote the URL, whose path may be a secret.
      return (error as Error).name === "TimeoutError"
        ? `no answer within ${this.#limits.timeoutMs} ms`
        : describe(error).replaceAll(this.#url.href, this.name);
    }
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#stop.signal;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }
}

/** Opens a webhook output to `url` with the default limits. */
export function openWebhook(
  url: URL,
  name: string,
  context: OutputContext,
): Promise<OutputSink> {
  return Promise.resolve(new WebhookOutput(url, name, context));
}
