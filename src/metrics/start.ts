/**
 * Starts `--server`: loads prom-client only then, builds the registry and
 * serves it.
 *
 * @module
 */

import type { SensorMetrics } from "./counter.ts";
import type { MetricReadings } from "./prometheus.ts";
import type { MetricsServer, ServerAddress } from "./server.ts";

/** Options of {@linkcode startMetricsServer}. */
export interface StartMetricsOptions {
  address: ServerAddress;
  readings: MetricReadings;
  sensor: SensorMetrics;
  /** Why the sensor is not healthy now, or undefined when it is. */
  unhealthy: () => string | undefined;
}

/** A running `--server`, and the histogram the engine feeds. */
export interface RunningMetrics extends MetricsServer {
  /** Records that `signature` spent `micros` on one batch. */
  observeEvaluation(signature: string, micros: number): void;
}

/**
 * Serves `/metrics` and `/healthz` (see `server.ts`).
 *
 * @throws {Deno.errors.AddrInUse} When the address is taken.
 */
export async function startMetricsServer(
  options: StartMetricsOptions,
): Promise<RunningMetrics> {
  const { createRegistry } = await import("./prometheus.ts");
  const { serveMetrics } = await import("./server.ts");
  const { registry, observeEvaluation } = createRegistry(
    options.readings,
    options.sensor,
  );
  const server = serveMetrics({
    address: options.address,
    registry,
    unhealthy: options.unhealthy,
  });
  return {
    address: server.address,
    close: () => server.close(),
    observeEvaluation,
  };
}
