/**
 * The enricher's cache, hold and retries, against a scripted runtime (the
 * real containerd is asked in tests/cli/container_details_live_test.ts and
 * containerd_client_test.ts): it answers each lookup when the test says so,
 * or says it cannot be asked.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  envelopeFromEvent,
  type EventEnvelope,
  parseEventLine,
  type TraceeEvent,
} from "../../../../src/event/mod.ts";
import {
  ContainerEnricher,
  type ContainerRuntimeClient,
  type RuntimeContainer,
  RuntimeUnavailableError,
} from "../../../../src/sources/container/mod.ts";
import { checkAsyncProperty } from "../../../_helpers/property.ts";

/** A runtime whose answers the test controls. */
class ScriptedRuntime implements ContainerRuntimeClient {
  readonly name = "scripted";
  /** Ids asked, in order. */
  readonly asked: string[] = [];
  /** Ids it knows. */
  known = new Set<string>();
  /** Whether it cannot be asked. */
  down = false;
  /** Delay of each answer, in ms. */
  delayMs = 0;
  closed = false;

  async lookup(id: string): Promise<RuntimeContainer | undefined> {
    this.asked.push(id);
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.down) throw new RuntimeUnavailableError("connect ENOENT");
    if (!this.known.has(id)) return undefined;
    return {
      id,
      image: `image-of-${id}`,
      imageDigest: "sha256:00",
      runtime: "io.containerd.runc.v2",
      labels: { "io.kubernetes.pod.namespace": "prod" },
    };
  }

  close(): void {
    this.closed = true;
  }
}

function envelopeIn(containerId: string): EventEnvelope {
  const event = parseEventLine(
    JSON.stringify({
      eventName: "openat",
      containerId,
      container: { id: containerId },
    }),
  ) as TraceeEvent;
  return envelopeFromEvent(event);
}

async function until(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, "timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("ContainerEnricher looks each container up once and caches the answer", async () => {
  const runtime = new ScriptedRuntime();
  runtime.known.add("a");
  const enricher = new ContainerEnricher(runtime);
  try {
    assert.equal(enricher.details("a"), undefined);
    assert.equal(enricher.details("a"), undefined);
    await until(() => enricher.details("a") !== undefined);
    assert.equal(enricher.details("a")!.container.image, "image-of-a");
    assert.deepEqual(enricher.details("a")!.kubernetes, {
      podNamespace: "prod",
    });
    assert.deepEqual(runtime.asked, ["a"]);
    assert.equal(enricher.generation, 1);
  } finally {
    enricher.close();
  }
  assert.ok(runtime.closed);
});

Deno.test("ContainerEnricher keeps at most maxEntries containers, and the ones used last", async () => {
  await checkAsyncProperty(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 8 }),
      fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }),
      async (maxEntries, ids) => {
        const runtime = new ScriptedRuntime();
        for (let i = 0; i <= 20; i++) runtime.known.add(`c${i}`);
        const enricher = new ContainerEnricher(runtime, {
          maxEntries,
          maxInFlight: 2,
        });
        try {
          for (const id of ids) {
            enricher.details(`c${id}`);
            assert.ok(enricher.size <= maxEntries, `${enricher.size}`);
            await until(() => enricher.details(`c${id}`) !== undefined);
          }
          // The last one used is still known without another lookup.
          const last = ids.at(-1);
          if (last !== undefined) {
            const asked = runtime.asked.length;
            assert.notEqual(enricher.details(`c${last}`), undefined);
            assert.equal(runtime.asked.length, asked);
          }
        } finally {
          enricher.close();
        }
      },
    ),
    { numRuns: 20 },
  );
});

Deno.test("ContainerEnricher.fill() holds a batch for a container's first lookup, at most holdMs, once", async () => {
  const runtime = new ScriptedRuntime();
  runtime.known.add("quick").add("slow");
  runtime.delayMs = 10;
  const enricher = new ContainerEnricher(runtime, { holdMs: 2_000 });
  try {
    enricher.request("quick");
    const [filled, host] = await enricher.fill([
      envelopeIn("quick"),
      envelopeIn(""),
    ]);
    assert.equal(filled!.event().container.name, "quick");
    assert.equal(filled!.event().kubernetes.podNamespace, "prod");
    assert.deepEqual(host!.event().container, {});
    assert.equal(enricher.counts.held, 2);
    assert.equal(enricher.counts.sentWithout, 0);
  } finally {
    enricher.close();
  }

  runtime.delayMs = 3_000;
  const impatient = new ContainerEnricher(runtime, { holdMs: 30 });
  try {
    impatient.request("slow");
    const started = performance.now();
    const [first] = await impatient.fill([envelopeIn("slow")]);
    const [second] = await impatient.fill([envelopeIn("slow")]);
    assert.ok(performance.now() - started < 2_000);
    assert.equal(first!.event().container.name, undefined);
    assert.equal(second!.event().container.name, undefined);
    assert.equal(impatient.counts.held, 1, "held once per container");
    assert.equal(impatient.counts.sentWithout, 2);
  } finally {
    impatient.close();
  }
});

Deno.test("ContainerEnricher with its runtime down warns once, sends the id only, and resumes when it answers", async () => {
  const runtime = new ScriptedRuntime();
  runtime.down = true;
  runtime.known.add("a").add("b");
  const logs: [string, string][] = [];
  const enricher = new ContainerEnricher(runtime, {
    retryMs: [10, 40],
    log: (level, message) => {
      if (level !== "debug") logs.push([level, message]);
    },
  });
  try {
    for (const id of ["a", "b", "c", "a"]) enricher.request(id);
    await until(() => enricher.down);
    const [event] = await enricher.fill([envelopeIn("a")]);
    assert.deepEqual(event!.event().container, { id: "a" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(logs.map(([level]) => level), ["warning"]);
    assert.match(logs[0]![1], /Cannot ask scripted about containers/);
    runtime.down = false;
    await until(() =>
      enricher.details("a") !== undefined && enricher.details("b") !== undefined
    );
    assert.equal(enricher.down, false);
    assert.deepEqual(logs.map(([level]) => level), ["warning", "info"]);
  } finally {
    enricher.close();
  }
});

Deno.test("ContainerEnricher asks about a container the runtime did not know again only after missRetryMs", async () => {
  const runtime = new ScriptedRuntime();
  const enricher = new ContainerEnricher(runtime, { missRetryMs: 50 });
  try {
    enricher.request("new");
    await until(() => runtime.asked.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    enricher.request("new");
    assert.equal(runtime.asked.length, 1);
    runtime.known.add("new");
    await new Promise((resolve) => setTimeout(resolve, 60));
    await until(() => enricher.details("new") !== undefined);
    assert.equal(runtime.asked.length, 2);
  } finally {
    enricher.close();
  }
});

Deno.test("ContainerEnricher tries a runtime that is down again soon when a new container appears", async () => {
  const runtime = new ScriptedRuntime();
  runtime.down = true;
  const enricher = new ContainerEnricher(runtime, { retryMs: [30, 60_000] });
  try {
    enricher.request("old");
    await until(() => enricher.down);
    // Tries at 30, 90, 210, 450, 930 ms; the next would be at 1890 ms.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    runtime.down = false;
    runtime.known.add("new");
    const asked = performance.now();
    enricher.request("new");
    await until(() => enricher.details("new") !== undefined);
    assert.ok(performance.now() - asked < 500, `${performance.now() - asked}`);
  } finally {
    enricher.close();
  }
});
