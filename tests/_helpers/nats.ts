/**
 * A real `nats-server -js` for tests: a free loopback port, its own store
 * directory, stopped (and its directory removed) when disposed, also when
 * the test fails. It can be stopped and started again on the same port and
 * store, as a broker restart.
 *
 * @module
 */

let installed: boolean | undefined;

/** Whether `nats-server` can be run here. */
export function natsServerInstalled(): boolean {
  if (installed === undefined) {
    try {
      installed = new Deno.Command("nats-server", { args: ["--version"] })
        .outputSync().success;
    } catch {
      installed = false;
    }
  }
  return installed;
}

/**
 * `ignore` for tests that need nats-server: true when it is missing, except
 * under CI (`CI=true`), where such a test runs and fails.
 */
export function ignoreNatsTests(): boolean {
  return !natsServerInstalled() && Deno.env.get("CI") !== "true";
}

/** A free TCP port on loopback (free when asked; the caller binds it soon). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A running (or stopped) test broker. */
export interface NatsServer extends AsyncDisposable {
  readonly port: number;
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its store and scratch directory. */
  readonly dir: string;
  /** Starts it (again), waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops it and waits for its exit; idempotent. */
  stop(): Promise<void>;
}

/** Waits until something accepts TCP connections on `port`. */
async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Deno.connect({ hostname: "127.0.0.1", port });
      connection.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * A test broker on a free port; started unless `started` is false (a broker
 * that is down when a sensor starts); `args` are more server options (e.g.
 * `--user`, `--pass`).
 */
export async function natsServer(
  options: { started?: boolean; args?: string[] } = {},
): Promise<NatsServer> {
  const dir = await Deno.makeTempDir({ prefix: "vigil-nats-" });
  const port = freePort();
  let child: Deno.ChildProcess | undefined;
  const server: NatsServer = {
    port,
    url: `nats://127.0.0.1:${port}`,
    dir,
    async start() {
      if (child) return;
      child = new Deno.Command("nats-server", {
        args: [
          "-js",
          "-a",
          "127.0.0.1",
          "-p",
          String(port),
          "-sd",
          `${dir}/store`,
          "-l",
          `${dir}/server.log`,
          ...(options.args ?? []),
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      await waitForPort(port);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running) return;
      try {
        running.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await running.status;
    },
    async [Symbol.asyncDispose]() {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
  if (options.started ?? true) {
    try {
      await server.start();
    } catch (error) {
      await server[Symbol.asyncDispose]();
      throw error;
    }
  }
  return server;
}
