/**
 * The metrics server (`--server HOST:PORT`): `/metrics` in Prometheus's text
 * format and `/healthz`, 200 while the sensor is healthy and 503 with the
 * reason otherwise.
 *
 * @module
 */

import type { Registry } from "prom-client";

/** A `--server` value: where to listen. */
export interface ServerAddress {
  hostname: string;
  port: number;
}

const ADDRESS_REGEXP = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]]*)):(\d{1,5})$/;

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (every interface). Port 0
 * picks a free port, which the server's `address` tells.
 *
 * @throws {RangeError} When the value is not an address.
 */
export function parseServerAddress(text: string): ServerAddress {
  const match = ADDRESS_REGEXP.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new RangeError(
      `Cannot serve metrics on "${text}": expected HOST:PORT, e.g. 127.0.0.1:9464`,
    );
  }
  const hostname = match[1] ?? match[2] ?? "";
  return { hostname: hostname === "" ? "0.0.0.0" : hostname, port };
}

/** Options of {@linkcode serveMetrics}. */
export interface MetricsServerOptions {
  address: ServerAddress;
  registry: Registry;
  /** Why the sensor is not healthy now, or undefined when it is. */
  unhealthy: () => string | undefined;
}

/** A running metrics server. */
export interface MetricsServer {
  /** Where it listens (the port chosen when 0 was asked for). */
  readonly address: ServerAddress;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

async function respond(
  request: Request,
  options: MetricsServerOptions,
): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("Method not allowed\n", { status: 405 });
  }
  if (pathname === "/metrics") {
    return new Response(await options.registry.metrics(), {
      headers: { "content-type": options.registry.contentType },
    });
  }
  if (pathname === "/healthz") {
    const reason = options.unhealthy();
    return new Response(reason === undefined ? "ok\n" : `${reason}\n`, {
      status: reason === undefined ? 200 : 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  return new Response("Not found: try /metrics or /healthz\n", {
    status: 404,
  });
}

/**
 * Serves `/metrics` and `/healthz` at `options.address`.
 *
 * @throws {Deno.errors.AddrInUse} When the address is taken.
 */
export function serveMetrics(options: MetricsServerOptions): MetricsServer {
  const server = Deno.serve({
    hostname: options.address.hostname,
    port: options.address.port,
    onListen: () => {},
  }, (request) => respond(request, options));
  const addr = server.addr as Deno.NetAddr;
  return {
    address: { hostname: addr.hostname, port: addr.port },
    async close() {
      await server.shutdown();
    },
  };
}
