import assert from "node:assert/strict";
import { parseServerAddress } from "../../../src/metrics/server.ts";

Deno.test("parseServerAddress() reads HOST:PORT, [IPv6]:PORT and :PORT, and refuses anything else", () => {
  assert.deepEqual(parseServerAddress("127.0.0.1:9464"), {
    hostname: "127.0.0.1",
    port: 9464,
  });
  assert.deepEqual(parseServerAddress("[::1]:0"), { hostname: "::1", port: 0 });
  assert.deepEqual(parseServerAddress(":9464"), {
    hostname: "0.0.0.0",
    port: 9464,
  });
  assert.deepEqual(parseServerAddress("metrics.local:80"), {
    hostname: "metrics.local",
    port: 80,
  });
  for (
    const bad of [
      "localhost",
      "127.0.0.1",
      "127.0.0.1:",
      "127.0.0.1:65536",
      "127.0.0.1:http",
      "::1:9464",
      "[::1]",
      "a:1:2",
      "",
    ]
  ) {
    assert.throws(() => parseServerAddress(bad), RangeError, bad);
  }
});
