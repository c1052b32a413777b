import assert from "node:assert/strict";
import { connectionOptions, isNatsUrl } from "../../../src/fleet/connection.ts";

Deno.test("connectionOptions() takes user and password from the URL", () => {
  const options = connectionOptions({ url: "nats://alice:p%40ss@broker:4333" });
  assert.deepEqual(options.servers, ["broker:4333"]);
  assert.equal(options.user, "alice");
  assert.equal(options.pass, "p@ss");
  assert.equal(options.token, undefined);
});

Deno.test("connectionOptions() takes a token from the URL", () => {
  const options = connectionOptions({ url: "nats://s3cret@broker" });
  assert.deepEqual(options.servers, ["broker:4222"]);
  assert.equal(options.token, "s3cret");
  assert.equal(options.user, undefined);
});

Deno.test("connectionOptions() takes several servers and TLS", () => {
  const options = connectionOptions({
    url: "tls://a:1, tls://b:2",
    tlsCa: "/ca.pem",
  });
  assert.deepEqual(options.servers, ["a:1", "b:2"]);
  const files = (url: string, tlsCa?: string) => {
    const { checkServerIdentity, ...rest } = connectionOptions({
      url,
      ...(tlsCa ? { tlsCa } : {}),
    }).tls as Record<string, unknown>;
    assert.equal(typeof checkServerIdentity, "function");
    return rest;
  };
  assert.deepEqual(files("tls://a:1, tls://b:2", "/ca.pem"), {
    caFile: "/ca.pem",
  });
  assert.deepEqual(files("tls://a:1"), {});
  assert.equal(connectionOptions({ url: "nats://a:1" }).tls, undefined);
});

Deno.test("connectionOptions() refuses what is not a NATS server URL", () => {
  for (const url of ["http://a:1", "a:1", "nats://", "nats://a:1,ftp://b"]) {
    assert.throws(() => connectionOptions({ url }), RangeError, url);
  }
});

Deno.test("isNatsUrl() tells NATS outputs from files and formats", () => {
  assert.ok(isNatsUrl("nats://a:1"));
  assert.ok(isNatsUrl("tls://a:1"));
  assert.ok(!isNatsUrl("json:/tmp/nats://x"));
  assert.ok(!isNatsUrl("table"));
});
