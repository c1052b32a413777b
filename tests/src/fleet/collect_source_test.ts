import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import {
  CollectSource,
  ensureStreams,
  openCollectConsumer,
} from "../../../src/fleet/mod.ts";
import { ignoreNatsTests, natsServer } from "../../_helpers/nats.ts";

Deno.test({
  name:
    "CollectSource stops when aborted at any moment, also before it starts or while it starts to consume",
  ignore: ignoreNatsTests(),
  async fn() {
    await using server = await natsServer();
    const connection = await connect({
      servers: server.url.replace("nats://", ""),
    });
    try {
      await ensureStreams(connection, { events: true });
      const consumer = await openCollectConsumer(connection, {
        stream: "VIGIL_EVENTS",
        durable: "stopping",
      });
      // Aborted already (a collector stopped while it started), or after 0
      // to 20 ms: before, during and after consume() starts.
      for (let delay = -2; delay <= 20; delay += 2) {
        const source = new CollectSource(consumer);
        const abort = new AbortController();
        if (delay < 0) abort.abort();
        else setTimeout(() => abort.abort(), delay);
        let deadline: ReturnType<typeof setTimeout> | undefined;
        const stopped = await Promise.race([
          (async () => {
            for await (const _ of source.batches(abort.signal)) {
              // No events are published.
            }
            return true;
          })(),
          new Promise<false>((resolve) => {
            deadline = setTimeout(() => resolve(false), 10_000);
          }),
        ]);
        clearTimeout(deadline);
        assert.ok(stopped, `still consuming after an abort at ${delay} ms`);
      }
    } finally {
      await connection.close();
    }
  },
});
