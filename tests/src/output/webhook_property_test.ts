import assert from "node:assert/strict";
import fc from "fast-check";
import type { TraceeEvent } from "../../../src/event/event.ts";
import { WebhookOutput } from "../../../src/output/webhook.ts";
import { checkAsyncProperty } from "../../_helpers/property.ts";

/** A real endpoint that holds every request until the test answers it. */
class HeldEndpoint implements AsyncDisposable {
  readonly held: { ids: number[]; answer: (status: number) => void }[] = [];
  readonly url: URL;
  #server: Deno.HttpServer<Deno.NetAddr>;

  constructor() {
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
    }, async (request) => {
      const ids = (await request.json() as { hostProcessId: number }[]).map((
        event,
      ) => event.hostProcessId);
      const status = await new Promise<number>((answer) =>
        this.held.push({ ids, answer })
      );
      return new Response(null, { status });
    });
    this.url = new URL(`http://127.0.0.1:${this.#server.addr.port}/`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const request of this.held.splice(0)) request.answer(200);
    await this.#server.shutdown();
  }
}

/** What the webhook should have done: a queue, a request in flight, counts. */
class Model {
  queue: number[] = [];
  inflight: number[] | undefined;
  delivered: number[] = [];
  dropped = 0;
  failed = 0;

  constructor(readonly capacity: number, readonly batch: number) {}

  write(id: number): void {
    this.queue.push(id);
    this.#trim();
  }

  /** The sender takes the next batch when it is idle. */
  send(): void {
    if (this.inflight === undefined && this.queue.length > 0) {
      this.inflight = this.queue.splice(0, this.batch);
    }
  }

  answer(ok: boolean): void {
    const batch = this.inflight!;
    this.inflight = undefined;
    if (ok) this.delivered.push(...batch);
    else {
      this.failed++;
      this.queue.unshift(...batch);
      this.#trim();
    }
    this.send();
  }

  #trim(): void {
    while (this.queue.length > this.capacity) {
      this.queue.shift();
      this.dropped++;
    }
  }
}

type Step =
  | { kind: "write"; count: number }
  | { kind: "answer"; ok: boolean };

const STEP = fc.oneof(
  fc.record({
    kind: fc.constant("write" as const),
    count: fc.integer({ min: 1, max: 7 }),
  }),
  fc.record({ kind: fc.constant("answer" as const), ok: fc.boolean() }),
);

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`Timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

Deno.test("a webhook's queue matches a model under any sequence of writes, failures and successes: the oldest dropped, counted exactly, the rest delivered once and in order", async () => {
  await checkAsyncProperty(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(STEP, { maxLength: 25 }),
      async (capacity, batch, steps) => {
        await using endpoint = new HeldEndpoint();
        const output = new WebhookOutput(endpoint.url, "webhook", {
          warn: () => {},
        }, {
          queueEvents: capacity,
          batchSize: batch,
          backoffMs: 1,
          maxBackoffMs: 1,
        });
        const model = new Model(capacity, batch);
        let next = 0;
        let answered = 0;
        const inSync = async () => {
          // Each request the model has in flight has reached the endpoint.
          const requests = answered + (model.inflight ? 1 : 0);
          await until(
            () =>
              endpoint.held.length + answered >= requests &&
              output.stats().written === model.delivered.length,
            "the webhook's next request",
          );
          assert.deepEqual(endpoint.held.at(-1)?.ids, model.inflight);
          assert.deepEqual(output.stats(), {
            written: model.delivered.length,
            failed: model.failed,
            dropped: model.dropped,
            queued: model.queue.length,
          });
        };
        for (const step of steps) {
          if (step.kind === "write") {
            for (let i = 0; i < step.count; i++) {
              const id = next++;
              output.write(
                { hostProcessId: id } as TraceeEvent,
                `{"hostProcessId":${id}}`,
              );
              model.write(id);
            }
            await output.flush();
            model.send();
          } else if (model.inflight) {
            endpoint.held.shift()!.answer(step.ok ? 200 : 500);
            answered++;
            model.answer(step.ok);
          }
          await inSync();
        }
        while (model.inflight) {
          endpoint.held.shift()!.answer(200);
          answered++;
          model.answer(true);
          await inSync();
        }
        await output.close();
        assert.deepEqual(output.stats().queued, 0);
        assert.equal(model.delivered.length + model.dropped, next);
      },
    ),
    { numRuns: 15 },
  );
});
