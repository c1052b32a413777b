import assert from "node:assert/strict";
import type { TraceeEvent } from "../../../src/event/event.ts";
import {
  type WebhookOptions,
  WebhookOutput,
} from "../../../src/output/webhook.ts";
import { tracee } from "../../_helpers/replay.ts";

/** The status the endpoint answers its `n`th request (1-based) with. */
type Behaviour = (n: number) => Promise<number> | number;

/**
 * A real HTTP endpoint on a free port that answers each request as
 * `behave` says and records the events of every request it answered 200.
 */
class Endpoint implements AsyncDisposable {
  /** `hostProcessId` of each event delivered (answered 200), in order. */
  readonly delivered: number[] = [];
  /** Requests seen so far. */
  requests = 0;
  readonly url: URL;
  #server: Deno.HttpServer<Deno.NetAddr>;

  constructor(behave: Behaviour) {
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
    }, async (request) => {
      const n = ++this.requests;
      assert.equal(request.method, "POST");
      assert.equal(request.headers.get("content-type"), "application/json");
      const events = await request.json() as TraceeEvent[];
      const status = await behave(n);
      if (status === 200) {
        this.delivered.push(...events.map((event) => event.hostProcessId));
      }
      return new Response(null, { status });
    });
    this.url = new URL(`http://127.0.0.1:${this.#server.addr.port}/in`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#server.shutdown();
  }
}

function event(pid: number): TraceeEvent {
  return tracee("openat", [["pathname", "const char*", `/tmp/${pid}`]], {
    hostProcessId: pid,
  }) as unknown as TraceeEvent;
}

function webhook(
  endpoint: Endpoint,
  options: WebhookOptions,
  warnings: string[] = [],
): WebhookOutput {
  return new WebhookOutput(endpoint.url, `webhook:${endpoint.url}`, {
    warn: (message) => warnings.push(message),
  }, options);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function stall(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("a webhook loses nothing while its queue holds: failed and stalled requests are retried, in order, each event delivered once", async () => {
  // Requests 1-3 fail, 4 stalls past the client's timeout, then all succeed.
  await using endpoint = new Endpoint(async (n) => {
    if (n <= 3) return 500;
    if (n === 4) {
      await stall(2500);
      return 503;
    }
    return 200;
  });
  const warnings: string[] = [];
  const output = webhook(endpoint, {
    queueEvents: 1000,
    batchSize: 7,
    timeoutMs: 1000,
    backoffMs: 10,
    maxBackoffMs: 40,
    drainMs: 20_000,
  }, warnings);
  for (let burst = 0; burst < 5; burst++) {
    for (const pid of range(burst * 10, burst * 10 + 10)) {
      output.write(event(pid));
    }
    await output.flush();
  }
  await output.close();
  assert.deepEqual(endpoint.delivered, range(0, 50));
  assert.deepEqual(output.stats(), {
    written: 50,
    failed: 4,
    dropped: 0,
    queued: 0,
  });
  assert.match(warnings[0]!, /HTTP 500; retrying with backoff/);
  assert.match(warnings.at(-1)!, /delivering again after 4 failed request/);
});

Deno.test("a webhook whose queue overflows drops the oldest events and counts exactly those", async () => {
  let release = () => {};
  const released = new Promise<void>((resolve) => release = resolve);
  await using endpoint = new Endpoint(async () => {
    await released;
    return 200;
  });
  const output = webhook(endpoint, {
    queueEvents: 10,
    batchSize: 100,
    timeoutMs: 60_000,
  });
  output.write(event(0));
  await output.flush();
  // Event 0 is in flight, stalled; 1-24 fill a queue of 10.
  for (const pid of range(1, 25)) output.write(event(pid));
  await output.flush();
  assert.deepEqual(output.stats(), {
    written: 0,
    failed: 0,
    dropped: 14,
    queued: 10,
  });
  release();
  await output.close();
  assert.deepEqual(endpoint.delivered, [0, ...range(15, 25)]);
  assert.deepEqual(output.stats(), {
    written: 11,
    failed: 0,
    dropped: 14,
    queued: 0,
  });
});

Deno.test("a webhook that never succeeds keeps its newest events, and close() gives up after its drain time and reports them", async () => {
  await using endpoint = new Endpoint(() => 500);
  const output = webhook(endpoint, {
    queueEvents: 5,
    backoffMs: 20,
    drainMs: 300,
  });
  for (const pid of range(0, 8)) output.write(event(pid));
  await output.flush();
  const started = performance.now();
  await output.close();
  assert.ok(performance.now() - started < 5000);
  const stats = output.stats();
  assert.equal(stats.written, 0);
  assert.equal(stats.dropped, 3);
  assert.equal(stats.queued, 5);
  assert.ok(stats.failed >= 1, `${stats.failed}`);
  assert.deepEqual(endpoint.delivered, []);
  // Nothing is accepted after close.
  output.write(event(9));
  assert.equal(output.stats().queued, 5);
});

Deno.test("a webhook bounds its queue by bytes too: large findings cannot hold unbounded memory", async () => {
  await using endpoint = new Endpoint(() => 500);
  const output = webhook(endpoint, {
    queueEvents: 1000,
    queueBytes: 20_000,
    backoffMs: 20,
    drainMs: 100,
  });
  const big = "x".repeat(6000);
  for (const pid of range(0, 10)) {
    output.write(event(pid), JSON.stringify({ hostProcessId: pid, big }));
  }
  const { queued, dropped } = output.stats();
  assert.equal(queued, 3);
  assert.equal(dropped, 7);
  await output.close();
});
