/**
 * The types of the host's side of the sandbox: what it runs, what a batch
 * gives back, its options, and the offences and restarts it reports.
 *
 * @module
 */

import type { RawFinding, SignatureFailure } from "./answer.ts";
import { dataLimitMiB } from "./process.ts";

/**
 * A signature as the sandbox loads it. A Rego signature has a module of its
 * own (`wasm`) or is part of a bundle compiled with others (`bundle`).
 */
export type SandboxSignature =
  | { kind: "rego"; path: string; entrypoints: string[]; wasm: Uint8Array }
  | { kind: "rego"; path: string; entrypoints: string[]; bundle: number }
  | { kind: "typescript"; path: string; code: string };

/** What a sandbox runs: its signatures and the Rego bundles they refer to. */
export interface SandboxProgram {
  signatures: readonly SandboxSignature[];
  bundles: readonly Uint8Array[];
}

/** The outcome of a batch. */
export interface BatchResult {
  findings: RawFinding[];
  failures: SignatureFailure[];
  /** Signature → microseconds it spent on the batch. */
  micros: Map<number, number>;
  /** Signatures killed while the batch was pending. */
  offences: Offence[];
}

/** Options of {@linkcode Sandbox}. */
export interface SandboxOptions {
  /**
   * How long a signature may run on one batch before it is killed.
   * @default {1000}
   */
  deadlineMs?: number;
  /**
   * How long loading one signature may take, the sandbox process's start
   * included (slow on a loaded machine); at least `deadlineMs`.
   * @default {5000}
   */
  loadDeadlineMs?: number;
  /**
   * Heap cap of each isolate and memory cap of each Rego instance, in MiB;
   * the whole process's data memory is capped at `dataLimitMiB()` of it.
   * @default {128}
   */
  memoryMiB?: number;
  /**
   * Offences (hang, crash) after which a signature is quarantined.
   * @default {3}
   */
  quarantineAfter?: number;
  /** Called with a signature's console output (`path`: its file). */
  onLog?: (signature: number, message: string, path: string) => void;
  /** Called with the sandbox process's own stderr lines. */
  onDebug?: (message: string) => void;
  /** Called each time the sandbox process is restarted, before it restarts. */
  onRestart?: (restart: SandboxRestart) => void;
}

/** A signature that hung or crashed its sandbox. */
export interface Offence {
  signature: number;
  reason: string;
  /** Whether the signature is now quarantined (receives no more events). */
  quarantined: boolean;
}

/** Why the sandbox process is being restarted. */
export interface SandboxRestart {
  /** What ended the process, e.g. "the sandbox process was killed by SIGKILL". */
  cause: string;
  /** The signature charged with it, if any. */
  signature: number | undefined;
  /** Restarts so far, this one included. */
  count: number;
}

/** What went wrong with the sandbox process. */
export interface Fault {
  /** Why the signature running then is charged (an offence's reason). */
  reason: string;
  /** What ended the process. */
  cause: string;
  /**
   * Whether the process was killed from outside (SIGKILL: an administrator,
   * the kernel's OOM killer): then no one is charged the first time.
   */
  external: boolean;
}

/** A sandbox's limits: its options with their defaults. */
export interface SandboxLimits {
  deadlineMs: number;
  loadDeadlineMs: number;
  memoryMiB: number;
  /** The process's data memory cap, in MiB (see `dataLimitMiB`). */
  dataLimitMiB: number;
  quarantineAfter: number;
}

/** The limits of a sandbox with `options`, running `signatures`. */
export function sandboxLimits(
  signatures: readonly SandboxSignature[],
  options: SandboxOptions,
): SandboxLimits {
  const deadlineMs = options.deadlineMs ?? 1000;
  const memoryMiB = options.memoryMiB ?? 128;
  const typeScript = signatures.filter((s) => s.kind === "typescript").length;
  return {
    deadlineMs,
    loadDeadlineMs: Math.max(deadlineMs, options.loadDeadlineMs ?? 5000),
    memoryMiB,
    dataLimitMiB: dataLimitMiB(typeScript, memoryMiB),
    quarantineAfter: options.quarantineAfter ?? 3,
  };
}

/**
 * Calls back an embedder: its failure must not cost the sandbox, and is
 * told to `onDebug` (whose own failure is dropped).
 */
export function callSafely(
  call: () => void,
  onDebug: ((message: string) => void) | undefined,
): void {
  try {
    call();
  } catch (error) {
    try {
      onDebug?.(`a sandbox callback failed: ${error}`);
    } catch {
      // Nothing more to tell.
    }
  }
}
