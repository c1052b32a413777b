/**
 * The sandbox: signatures run in a child `deno run` process with no
 * permissions, which the host kills and restarts when a signature hangs or
 * crashes it. This module is the host's side; the files under `child/` run
 * inside that process and are never imported by the host.
 *
 * - `host/`: the {@linkcode Sandbox} (process supervision, batches in
 *   flight, the deadline, blame and quarantine, reading answers).
 * - `child/`: the process's entry point, the Rego runner, the TypeScript
 *   worker and the stdin reader.
 * - `protocol.ts`: the frames both sides exchange.
 *
 * @example Run a TypeScript signature (checked CommonJS) on one event
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sandbox } from "./mod.ts";
 *
 * const code = `exports.metadata = { id: "X" };
 * exports.selectedEvents = [];
 * exports.onEvent = (event, report) => report({ name: event.eventName });`;
 * const sandbox = new Sandbox({
 *   signatures: [{ kind: "typescript", path: "x.ts", code }],
 *   bundles: [],
 * });
 * try {
 *   const [outcome] = await sandbox.start();
 *   assert.ok(outcome?.ok);
 *   const result = await sandbox.evaluate(
 *     ['{"eventName":"execve"}'],
 *     new Map([[0, [0]]]),
 *   );
 *   assert.deepEqual(result.findings, [
 *     { signature: 0, event: 0, data: { name: "execve" } },
 *   ]);
 * } finally {
 *   await sandbox.close();
 * }
 * ```
 *
 * @module
 */

export { Sandbox } from "./host/sandbox.ts";
export type {
  BatchResult,
  Offence,
  SandboxOptions,
  SandboxProgram,
  SandboxRestart,
  SandboxSignature,
} from "./host/types.ts";
export type {
  LoadOutcome,
  RawFinding,
  SignatureFailure,
} from "./host/answer.ts";
export { dataLimitMiB } from "./host/process.ts";
