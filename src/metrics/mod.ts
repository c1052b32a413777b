/**
 * Metrics and health: counters kept as plain numbers by the parts of Vigil
 * that count (`SensorMetrics`), the Prometheus registry that reads them and
 * the rest of the sensor's counters when scraped, and the HTTP server of
 * `--server` (`/metrics`, `/healthz`). The registry and the server load
 * prom-client, so the command line imports them only with `--server`.
 *
 * @example Count a suppressed finding
 * ```ts
 * import assert from "node:assert/strict";
 * import { SensorMetrics } from "./mod.ts";
 *
 * const metrics = new SensorMetrics();
 * metrics.findingsSuppressed.inc({ signature: "VGL-3" });
 * assert.deepEqual([...metrics.findingsSuppressed.entries()], [[
 *   { signature: "VGL-3" },
 *   1,
 * ]]);
 * ```
 *
 * @example Parse a `--server` value
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseServerAddress } from "./mod.ts";
 *
 * assert.deepEqual(parseServerAddress("127.0.0.1:9464"), {
 *   hostname: "127.0.0.1",
 *   port: 9464,
 * });
 * ```
 *
 * @module
 */

export * from "./counter.ts";
export { parseServerAddress, type ServerAddress } from "./server.ts";
export type {
  MetricReadings,
  OutputReading,
  SignatureReading,
} from "./prometheus.ts";
export * from "./start.ts";
