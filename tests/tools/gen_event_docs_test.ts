import assert from "node:assert/strict";
import { eventDocs } from "../../tools/gen_event_docs.ts";

Deno.test("docs/events.md is what tools/gen_event_docs.ts makes of the catalog", async () => {
  assert.equal(
    await Deno.readTextFile(new URL("../../docs/events.md", import.meta.url)),
    await eventDocs(),
    "stale: run deno run -A tools/gen_event_docs.ts",
  );
});
