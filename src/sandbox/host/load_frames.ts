/**
 * The frames that load a sandbox process: what its signatures share (the
 * TypeScript worker's modules, the Rego bundles), then each signature.
 *
 * @module
 */

import type { SandboxProgram, SandboxSignature } from "./types.ts";
import { workerModules } from "./worker_modules.ts";
import {
  encodeLoadRego,
  encodeLoadRegoBundle,
  encodeLoadTypeScript,
  encodeWorkerModules,
} from "../protocol.ts";

/**
 * The frames sent to a new process before its first signature: the worker's
 * modules when a signature is TypeScript, and each Rego bundle, with at most
 * `memoryMiB` of WebAssembly memory.
 */
export function sharedFrames(
  program: SandboxProgram,
  memoryMiB: number,
): Uint8Array[] {
  const frames = program.signatures.some((s) => s.kind === "typescript")
    ? [encodeWorkerModules(workerModules())]
    : [];
  program.bundles.forEach((wasm, id) => {
    frames.push(encodeLoadRegoBundle(id, wasm, memoryMiB));
  });
  return frames;
}

/** The frame that loads `signature` as sandbox index `index`. */
export function loadFrame(
  signature: SandboxSignature,
  index: number,
  memoryMiB: number,
): Uint8Array {
  return signature.kind === "rego"
    ? encodeLoadRego(index, { ...signature, memoryMiB })
    : encodeLoadTypeScript(index, signature.code);
}
