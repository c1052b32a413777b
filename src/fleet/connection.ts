/**
 * Connecting to NATS as its users expect: `nats://[user:password@|token@]host:port`
 * (several servers separated by commas), `tls://` for TLS, a credentials
 * file (`--nats-creds`), TLS files (`--nats-tls-ca`, `--nats-tls-cert`,
 * `--nats-tls-key`); and creating Vigil's streams when they are missing.
 *
 * @module
 */

import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { isIP } from "node:net";
import { credsAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { connect, type NodeConnectionOptions } from "@nats-io/transport-node";
import {
  type JetStreamManager,
  jetstreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { EVENTS_PREFIX, FINDINGS_PREFIX } from "./subjects.ts";

/** How to reach the broker. */
export interface NatsOptions {
  /** `nats://…` or `tls://…`, comma-separated for several servers. */
  url: string;
  /** A `.creds` file (JWT and NKey seed). */
  credsFile?: string;
  /** TLS: CA certificate file. */
  tlsCa?: string;
  /** TLS: client certificate file. */
  tlsCert?: string;
  /** TLS: client key file. */
  tlsKey?: string;
  /** The connection's name as the server's monitoring shows it. */
  name?: string;
  /**
   * How long one attempt to connect may take.
   * @default {20000}
   */
  timeoutMs?: number;
}

/** Names and limits of Vigil's streams. */
export interface StreamOptions {
  /** @default {"VIGIL_FINDINGS"} */
  findingsStream?: string;
  /** @default {"VIGIL_EVENTS"} */
  eventsStream?: string;
  /** Oldest message kept, in seconds; 0 for no limit. @default {0} */
  maxAgeSeconds?: number;
  /** Most bytes kept per stream, -1 for no limit. @default {-1} */
  maxBytes?: number;
  /** How long the server remembers message ids to drop duplicates. @default {120} */
  duplicateWindowSeconds?: number;
}

/** The default stream names. */
export const DEFAULT_STREAMS = {
  findings: "VIGIL_FINDINGS",
  events: "VIGIL_EVENTS",
} as const;

const URL_SCHEMES = ["nats:", "tls:"];

/** Whether an `--output` value names a NATS server. */
export function isNatsUrl(text: string): boolean {
  return text.startsWith("nats://") || text.startsWith("tls://");
}

/**
 * The client's options for `options`: servers without credentials, which
 * become `user`/`pass` or `token` (the first server's).
 *
 * @throws {RangeError} When a server is not a `nats://` or `tls://` URL.
 */
export function connectionOptions(options: NatsOptions): NodeConnectionOptions {
  const servers: string[] = [];
  const result: NodeConnectionOptions = {
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    name: options.name ?? "vigil",
    timeout: options.timeoutMs ?? 20_000,
  };
  let tls = false;
  for (const text of options.url.split(",").map((s) => s.trim())) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new RangeError(`Cannot use NATS server "${text}": not a URL`);
    }
    if (!URL_SCHEMES.includes(url.protocol) || url.hostname === "") {
      throw new RangeError(
        `Cannot use NATS server "${text}": it must be nats://HOST:PORT or tls://HOST:PORT`,
      );
    }
    if (servers.length === 0 && url.username !== "") {
      const user = decodeURIComponent(url.username);
      if (url.password === "") result.token = user;
      else {
        result.user = user;
        result.pass = decodeURIComponent(url.password);
      }
    }
    if (url.protocol === "tls:") tls = true;
    servers.push(`${url.hostname}:${url.port || "4222"}`);
  }
  result.servers = servers;
  if (tls || options.tlsCa || options.tlsCert || options.tlsKey) {
    result.tls = {
      ...(options.tlsCa ? { caFile: options.tlsCa } : {}),
      ...(options.tlsCert ? { certFile: options.tlsCert } : {}),
      ...(options.tlsKey ? { keyFile: options.tlsKey } : {}),
      // Passed on to Node's tls.connect by the client.
      checkServerIdentity: serverIdentityCheck(servers),
    } as NonNullable<NodeConnectionOptions["tls"]>;
  }
  if (options.credsFile) {
    const creds = Deno.readFileSync(options.credsFile);
    result.authenticator = credsAuthenticator(creds);
  }
  return result;
}

/**
 * The TLS check of the server's certificate. The client gives Node's TLS no
 * server name for a server given by IP address, so Node would check the
 * certificate against "localhost" (nats-io/nats.js#303): refusing one issued
 * for the address, and accepting one issued for localhost. Then the
 * certificate must be valid for one of the IP addresses configured instead.
 * Names are checked as given.
 */
function serverIdentityCheck(servers: readonly string[]) {
  const hosts = servers.map((server) =>
    server.slice(0, server.lastIndexOf(":")).replace(/^\[(.*)\]$/, "$1")
  );
  const addresses = hosts.filter((host) => isIP(host) !== 0);
  return (host: string, certificate: PeerCertificate): Error | undefined => {
    if (
      host !== "localhost" || hosts.includes("localhost") ||
      addresses.length === 0
    ) {
      return checkServerIdentity(host, certificate);
    }
    let error: Error | undefined;
    for (const address of addresses) {
      error = checkServerIdentity(address, certificate);
      if (error === undefined) return undefined;
    }
    return error;
  };
}

/**
 * Connects once: rejects with the reason (refused, TLS, credentials,
 * timeout) when the first attempt fails. Once connected, the client
 * reconnects by itself for as long as the connection is open.
 */
export function connectNats(options: NatsOptions): Promise<NatsConnection> {
  guardSocketErrors();
  return connect(connectionOptions(options));
}

/**
 * Calls `attempt` until it succeeds, every `retryMs`, reporting each new
 * reason it failed for: the broker may be down, restarting or slow to
 * answer. Gives `undefined` when `signal` aborts first.
 */
export async function keepTrying<T>(
  attempt: () => Promise<T>,
  report: (message: string) => void,
  signal: AbortSignal,
  retryMs = 1000,
): Promise<T | undefined> {
  let reported = "";
  for (;;) {
    if (signal.aborted) return undefined;
    try {
      return await attempt();
    } catch (error) {
      const message = (error as Error).message;
      if (message !== reported) report(message);
      reported = message;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, retryMs);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      });
    }
  }
}

let guarded = false;

/**
 * A server that refuses the credentials or the client's certificate closes
 * the socket, or sends a TLS alert, where the client's Node transport, under
 * Deno, has no error listener: the error would end the process as an
 * uncaught one (seen with a wrong user against a token-protected server,
 * and without a client certificate against one that requires it). The
 * client's attempt fails anyway (an alert, which does not reach it, at its
 * timeout), and it is tried again.
 */
function guardSocketErrors(): void {
  if (guarded) return;
  guarded = true;
  globalThis.addEventListener("error", (event) => {
    const code = (event.error as { code?: unknown } | undefined)?.code;
    if (
      code === "ECONNRESET" || code === "EPIPE" ||
      (typeof code === "string" && code.startsWith("ERR_SSL_"))
    ) {
      event.preventDefault();
    }
  });
}

/**
 * Creates the stream `name` for `subjects` unless it exists (an existing
 * stream is left as its operator configured it).
 */
export async function ensureStream(
  manager: JetStreamManager,
  name: string,
  subjects: string,
  options: StreamOptions,
): Promise<void> {
  try {
    await manager.streams.info(name);
    return;
  } catch (error) {
    if (!String((error as Error).message).includes("not found")) throw error;
  }
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: [subjects],
    max_age: (options.maxAgeSeconds ?? 0) * 1e9,
    max_bytes: options.maxBytes ?? -1,
    duplicate_window: (options.duplicateWindowSeconds ?? 120) * 1e9,
  };
  try {
    await manager.streams.add(config);
  } catch (error) {
    // Another sensor created it meanwhile.
    if (!String((error as Error).message).includes("already in use")) {
      throw error;
    }
  }
}

/** Creates the findings stream and, when asked, the events stream. */
export async function ensureStreams(
  connection: NatsConnection,
  options: StreamOptions & { events: boolean },
): Promise<void> {
  const manager = await jetstreamManager(connection);
  await ensureStream(
    manager,
    options.findingsStream ?? DEFAULT_STREAMS.findings,
    `${FINDINGS_PREFIX}.>`,
    options,
  );
  if (options.events) {
    await ensureStream(
      manager,
      options.eventsStream ?? DEFAULT_STREAMS.events,
      `${EVENTS_PREFIX}.>`,
      options,
    );
  }
}
