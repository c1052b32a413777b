/**
 * One run of the sandbox process, from spawn to exit: writes frames to its
 * stdin, reads its frames and stderr lines, and reports a fault (it died, or
 * wrote an unreadable frame) unless the host killed it first.
 *
 * @module
 */

import {
  describeExit,
  kill,
  type SpawnOptions,
  spawnSandboxProcess,
} from "./process.ts";
import type { Fault } from "./types.ts";
import {
  decodeSandboxFrame,
  readFrames,
  type SandboxMessage,
} from "../protocol.ts";

/** Where a {@linkcode SandboxProcess} reports what it reads. */
export interface SandboxProcessHandlers {
  /** A frame from the sandbox. */
  onMessage(message: SandboxMessage): void;
  /** A line the sandbox process wrote to stderr. */
  onStderr(line: string): void;
  /** The process died or wrote an unreadable frame. */
  onFault(fault: Fault): void;
}

/** A spawned sandbox process. */
export class SandboxProcess {
  #process: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #handlers: SandboxProcessHandlers;
  /** Whether the host killed it: then nothing more is reported. */
  #killed = false;
  /** Whether its data memory is capped (`prlimit` was found). */
  readonly capped: boolean;

  constructor(options: SpawnOptions, handlers: SandboxProcessHandlers) {
    const { process, capped } = spawnSandboxProcess(options);
    this.#process = process;
    this.capped = capped;
    this.#handlers = handlers;
    this.#writer = process.stdin.getWriter();
    this.#readFrames();
    this.#readStderr();
    process.status.then((status) => {
      if (this.#killed) return;
      const ended = describeExit(status);
      handlers.onFault({
        reason: `crashed the sandbox (it ${ended})`,
        cause: `the sandbox process ${ended}`,
        external: status.signal === "SIGKILL",
      });
    });
  }

  /** The process id. */
  get pid(): number {
    return this.#process.pid;
  }

  /** Queues a frame for the sandbox's stdin. */
  write(frame: Uint8Array): void {
    this.#writer.write(frame).catch(() => {
      // The process died; recovery resends what was unanswered.
    });
  }

  /** Resolves when the frames queued so far have been written. */
  async written(): Promise<void> {
    await this.#writer.ready.catch(() => {});
  }

  /** Kills the process; its exit is then not reported as a fault. */
  kill(): void {
    this.#killed = true;
    kill(this.#process);
  }

  /**
   * Closes its stdin and waits for it to exit, killing it after `graceMs`.
   * Frames it writes meanwhile are still read.
   */
  async close(graceMs: number): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => kill(this.#process), graceMs);
    await this.#process.status;
    clearTimeout(timer);
  }

  async #readFrames(): Promise<void> {
    try {
      for await (const frame of readFrames(this.#process.stdout)) {
        if (this.#killed) return;
        this.#handlers.onMessage(decodeSandboxFrame(frame));
      }
    } catch (error) {
      if (this.#killed) return;
      this.#handlers.onFault({
        reason: `wrote an unreadable answer (${error})`,
        cause:
          `Vigil killed the sandbox process: it wrote an unreadable answer`,
        external: false,
      });
    }
  }

  async #readStderr(): Promise<void> {
    const lines = this.#process.stderr.pipeThrough(new TextDecoderStream());
    let rest = "";
    try {
      for await (const chunk of lines) {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        for (const line of parts) {
          if (line.trim()) this.#handlers.onStderr(line);
        }
      }
    } catch {
      // The process is gone.
    }
  }
}
