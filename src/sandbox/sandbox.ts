/**
 * The engine's side of the sandbox boundary: a child process with no
 * permissions that runs the signatures, and that the engine can kill.
 *
 * Each batch is sent once; the sandbox answers per signature, in route
 * order, so a silent sandbox points at the signature it is stuck in. When no
 * answer comes within the deadline, or the sandbox dies (a heap cap was hit),
 * that signature is charged with an offence, the process is killed and
 * restarted with backoff, and the unanswered work is sent again to every other
 * signature, so that nothing queued is lost. A signature with too many
 * offences is quarantined.
 *
 * @module
 */

import { parseJsonExact } from "../event/json.ts";
import {
  decodeText,
  encodeBatch,
  encodeFrame,
  type Frame,
  FrameType,
  readFrames,
  readU32,
} from "./protocol.ts";

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

/** What a signature said about itself at load, or why it failed. */
export type LoadOutcome =
  | { ok: true; metadata: unknown; selectors: unknown }
  | { ok: false; error: string };

/** A finding reported by a signature for an event of a batch. */
export interface RawFinding {
  signature: number;
  event: number;
  /** `true`, or the finding's data object (exact 64-bit values). */
  data: true | Record<string, unknown>;
}

/** A failure of a signature on one event (`event` -1: on the whole batch). */
export interface SignatureFailure {
  signature: number;
  event: number;
  message: string;
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
   * Heap cap of each isolate and memory cap of each Rego instance, in MiB.
   * @default {128}
   */
  memoryMiB?: number;
  /**
   * Offences (hang, crash) after which a signature is quarantined.
   * @default {3}
   */
  quarantineAfter?: number;
  /** Called with a signature's console output. */
  onLog?: (signature: number, message: string) => void;
  /** Called with the sandbox process's own stderr lines. */
  onDebug?: (message: string) => void;
}

/** A signature that hung or crashed its sandbox. */
export interface Offence {
  signature: number;
  reason: string;
  /** Whether the signature is now quarantined (receives no more events). */
  quarantined: boolean;
}

interface PendingBatch {
  id: number;
  events: string[];
  /** Signature → event indexes still unanswered, in send order. */
  routes: Map<number, number[]>;
  result: BatchResult;
  resolve: (result: BatchResult) => void;
  /**
   * Whether the sandbox answers strictly signature by signature. A batch is
   * first sent in fast mode, where bundled Rego signatures share one parse of
   * each event and answer together; if it hangs there, it is sent again
   * isolated, so that the culprit can be named.
   */
  isolated: boolean;
}

const SANDBOX_MAIN = new URL("./sandbox_main.ts", import.meta.url);
/**
 * The young generation's semi-space cap of each of the sandbox's isolates
 * (one per TypeScript signature), in MiB. V8's default lets them grow far
 * larger: after a replay of 200k events the sandbox held 170 MiB, with 4 MiB
 * 112 MiB, for a throughput cost within the noise of two shared cores (at
 * most 5%; 1 MiB: 103 MiB, but 9% slower).
 */
const SEMI_SPACE_MIB = 4;
/** glibc makes up to 8 malloc arenas per core; 2 are enough (~3 MiB less). */
const GLIBC_TUNABLES = "glibc.malloc.arena_max=2";
const DENO_CONFIG = new URL("../../deno.json", import.meta.url);
const MAX_BACKOFF_MS = 2000;

/** A killable child process that runs signatures with no permissions. */
export class Sandbox {
  #signatures: readonly SandboxSignature[];
  #bundles: readonly Uint8Array[];
  #deadlineMs: number;
  #loadDeadlineMs: number;
  /** Offences that came while no batch was pending: reported with the next. */
  #unreported: Offence[] = [];
  #memoryMiB: number;
  #quarantineAfter: number;
  #options: SandboxOptions;
  #offences: number[];
  #quarantined = new Set<number>();
  #process: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #generation = 0;
  #pending: PendingBatch[] = [];
  #loading:
    | { index: number; resolve: (outcome: LoadOutcome) => void }
    | undefined;
  #lastProgress = 0;
  #nextBatch = 1;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #watchInterval = 0;
  #lastWatch = 0;
  #restarts = 0;
  #closed = false;
  #restarting = false;
  #spawnListeners: ((pid: number) => void)[] = [];

  constructor(program: SandboxProgram, options: SandboxOptions = {}) {
    const { signatures, bundles } = program;
    this.#signatures = signatures;
    this.#bundles = bundles;
    this.#deadlineMs = options.deadlineMs ?? 1000;
    this.#loadDeadlineMs = Math.max(
      this.#deadlineMs,
      options.loadDeadlineMs ?? 5000,
    );
    this.#memoryMiB = options.memoryMiB ?? 128;
    this.#quarantineAfter = options.quarantineAfter ?? 3;
    this.#options = options;
    this.#offences = signatures.map(() => 0);
  }

  /** Signatures quarantined so far. */
  get quarantined(): ReadonlySet<number> {
    return this.#quarantined;
  }

  /**
   * Calls `listener` with the sandbox process's pid now and after every
   * restart (e.g. so that the kernel source never traces the sandbox).
   */
  onSpawn(listener: (pid: number) => void): void {
    this.#spawnListeners.push(listener);
    if (this.#process) listener(this.#process.pid);
  }

  /** Stops sending events to a signature, e.g. one whose metadata is invalid. */
  disable(signature: number): void {
    this.#quarantined.add(signature);
  }

  /** How many times the sandbox process was restarted. */
  get restarts(): number {
    return this.#restarts;
  }

  /**
   * Starts the sandbox and loads every signature, one at a time under the
   * deadline. A signature that hangs or crashes while loading fails alone.
   */
  async start(): Promise<LoadOutcome[]> {
    this.#watchInterval = Math.max(10, this.#deadlineMs / 4);
    this.#lastWatch = performance.now();
    this.#watchdog = setInterval(
      () => this.#checkDeadline(),
      this.#watchInterval,
    );
    return await this.#spawnAndLoad();
  }

  /**
   * Spawns the sandbox process and loads the signatures not quarantined. A
   * signature that fails to load is quarantined; one that hangs or crashes
   * the process while loading also costs a restart.
   */
  async #spawnAndLoad(): Promise<LoadOutcome[]> {
    const outcomes: LoadOutcome[] = [];
    let loaded = false;
    while (!loaded) {
      this.#spawn();
      this.#sendBundles();
      loaded = true;
      for (let index = 0; index < this.#signatures.length; index++) {
        if (this.#quarantined.has(index)) continue;
        const outcome = await this.#load(index);
        outcomes[index] = outcome;
        if (outcome.ok) continue;
        this.#quarantined.add(index);
        if (this.#process === undefined) {
          if (this.#closed) return outcomes;
          // The signatures loaded before it died with the process: start
          // again without the culprit.
          await this.#backoff();
          loaded = false;
          break;
        }
      }
    }
    return outcomes;
  }

  #sendBundles(): void {
    this.#bundles.forEach((wasm, id) => {
      this.#write(
        encodeFrame(FrameType.LoadRegoBundle, [id, this.#memoryMiB * 16, wasm]),
      );
    });
  }

  #isBundled(signature: number): boolean {
    const spec = this.#signatures[signature];
    return spec?.kind === "rego" && "bundle" in spec;
  }

  /**
   * Whether the first unanswered route of `batch`, the oldest one sent in
   * fast mode, is surely what the sandbox is running. Not when a bundled
   * signature is unanswered (its bundle runs them all), nor when a TypeScript
   * signature's answer is awaited while later batches are in flight: the
   * sandbox's main thread may then be running a later batch's Rego, with that
   * answer queued behind it.
   */
  #certain(batch: PendingBatch): boolean {
    const unanswered = [...batch.routes.keys()];
    if (unanswered.some((s) => this.#isBundled(s))) return false;
    const [first] = unanswered;
    return first === undefined || this.#signatures[first]?.kind === "rego" ||
      this.#pending.length === 1;
  }

  async #backoff(): Promise<void> {
    const delay = Math.min(
      MAX_BACKOFF_MS,
      50 * 2 ** Math.min(this.#restarts, 6),
    );
    this.#restarts++;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /**
   * Evaluates a batch. `routes` maps a signature to the indexes of the events
   * it receives. Resolves when every signature has answered or been skipped.
   */
  evaluate(
    events: string[],
    routes: Map<number, number[]>,
  ): Promise<BatchResult> {
    for (const signature of this.#quarantined) routes.delete(signature);
    const result: BatchResult = {
      findings: [],
      failures: [],
      micros: new Map(),
      offences: [],
    };
    result.offences.push(...this.#unreported.splice(0));
    if (routes.size === 0) return Promise.resolve(result);
    return new Promise((resolve) => {
      const batch: PendingBatch = {
        id: this.#nextBatch++,
        events,
        routes,
        result,
        resolve,
        isolated: false,
      };
      if (this.#pending.length === 0) this.#lastProgress = performance.now();
      this.#pending.push(batch);
      if (!this.#restarting) this.#send(batch);
    });
  }

  /**
   * Resolves when the batches sent so far have been written to the sandbox
   * process. A pipe holds 64 KiB and is written to only while this event
   * loop is idle; awaiting this after each batch keeps a batch from waiting
   * in the pipe while the host parses the next one.
   */
  async written(): Promise<void> {
    await this.#writer?.ready.catch(() => {});
  }

  /** Stops the sandbox process. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    const process = this.#process;
    this.#process = undefined;
    await this.#writer?.close().catch(() => {});
    if (process) {
      const timer = setTimeout(() => kill(process), 2000);
      await process.status;
      clearTimeout(timer);
    }
    for (const batch of this.#pending.splice(0)) batch.resolve(batch.result);
  }

  #spawn(): void {
    const generation = ++this.#generation;
    const home = Deno.env.get("HOME") ?? "/root";
    const process = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        "--config",
        DENO_CONFIG.pathname,
        `--v8-flags=--max-old-space-size=${this.#memoryMiB},--max-semi-space-size=${SEMI_SPACE_MIB},--disallow-code-generation-from-strings`,
        SANDBOX_MAIN.href,
      ],
      clearEnv: true,
      env: {
        HOME: home,
        DENO_DIR: Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`,
        NO_COLOR: "1",
        GLIBC_TUNABLES,
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#process = process;
    for (const listener of this.#spawnListeners) listener(process.pid);
    this.#writer = process.stdin.getWriter();
    this.#lastProgress = performance.now();
    this.#readFrames(process, generation);
    this.#readStderr(process);
    process.status.then(() => {
      if (generation === this.#generation && !this.#closed) {
        this.#recover("crashed the sandbox (out of memory, or it aborted)");
      }
    });
  }

  async #readFrames(
    process: Deno.ChildProcess,
    generation: number,
  ): Promise<void> {
    try {
      for await (const frame of readFrames(process.stdout)) {
        if (generation !== this.#generation) return;
        this.#lastProgress = performance.now();
        this.#onFrame(frame);
      }
    } catch (error) {
      if (generation === this.#generation && !this.#closed) {
        this.#recover(`wrote an unreadable answer (${error})`);
      }
    }
  }

  async #readStderr(process: Deno.ChildProcess): Promise<void> {
    const lines = process.stderr.pipeThrough(new TextDecoderStream());
    let rest = "";
    try {
      for await (const chunk of lines) {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        for (const line of parts) {
          if (line.trim()) this.#options.onDebug?.(line);
        }
      }
    } catch {
      // The process is gone.
    }
  }

  #onFrame(frame: Frame): void {
    const payload = frame.payload;
    switch (frame.type) {
      case FrameType.Loaded: {
        const index = readU32(payload, 0);
        if (this.#loading?.index !== index) return;
        const loading = this.#loading;
        this.#loading = undefined;
        loading.resolve(parseLoadOutcome(decodeText(payload.subarray(4))));
        return;
      }
      case FrameType.Result:
        this.#onResult(
          readU32(payload, 0),
          readU32(payload, 4),
          readU32(payload, 8),
          decodeText(payload.subarray(12)),
        );
        return;
      case FrameType.Log: {
        const text = decodeText(payload.subarray(4));
        const message = (JSON.parse(text) as { message?: string }).message ??
          "";
        this.#options.onLog?.(readU32(payload, 0), message);
        return;
      }
    }
  }

  #onResult(
    batchId: number,
    signature: number,
    micros: number,
    text: string,
  ): void {
    const batch = this.#pending.find((b) => b.id === batchId);
    const routed = batch?.routes.get(signature);
    if (!batch || !routed) return;
    batch.routes.delete(signature);
    batch.result.micros.set(signature, micros);
    collectResult(batch.result, signature, new Set(routed), text);
    this.#settle();
  }

  /** Resolves the batches every signature has answered. */
  #settle(): void {
    for (const batch of [...this.#pending]) {
      if (batch.routes.size > 0) continue;
      this.#pending.splice(this.#pending.indexOf(batch), 1);
      batch.resolve(batch.result);
    }
  }

  #load(index: number): Promise<LoadOutcome> {
    const signature = this.#signatures[index]!;
    return new Promise((resolve) => {
      this.#loading = { index, resolve };
      this.#lastProgress = performance.now();
      if (signature.kind === "rego") {
        const bundled = "bundle" in signature;
        const spec = JSON.stringify({
          entrypoints: signature.entrypoints,
          maxPages: this.#memoryMiB * 16,
          ...(bundled ? { bundle: signature.bundle } : {}),
        });
        const json = new TextEncoder().encode(spec);
        this.#write(
          encodeFrame(FrameType.LoadRego, [
            index,
            json.length,
            json,
            bundled ? new Uint8Array() : signature.wasm,
          ]),
        );
      } else {
        this.#write(
          encodeFrame(FrameType.LoadTypeScript, [
            index,
            JSON.stringify({ code: signature.code }),
          ]),
        );
      }
    });
  }

  #send(batch: PendingBatch): void {
    this.#write(
      encodeBatch(batch.id, batch.events, batch.routes, batch.isolated),
    );
  }

  #write(frame: Uint8Array): void {
    this.#writer?.write(frame).catch(() => {
      // The process died; recovery resends what was unanswered.
    });
  }

  #checkDeadline(): void {
    // A check that comes late means this thread was blocked (parsing a large
    // answer, printing findings) or not scheduled: the sandbox's answers may
    // be waiting unread in the pipe, so that time is not charged to it.
    const now = performance.now();
    const late = now - this.#lastWatch - this.#watchInterval;
    this.#lastWatch = now;
    if (late > 0) this.#lastProgress += late;
    if (this.#closed || (this.#restarting && !this.#loading)) return;
    if (!this.#loading && this.#pending.length === 0) return;
    const [limit, what] = this.#loading
      ? [this.#loadDeadlineMs, "load deadline"]
      : [this.#deadlineMs, "deadline"];
    if (now - this.#lastProgress > limit) {
      this.#recover(`exceeded the ${limit} ms ${what}`);
    }
  }

  /** Kills the current process; its exit is then not treated as a crash. */
  #kill(): void {
    this.#generation++;
    if (this.#process) kill(this.#process);
    this.#process = undefined;
    this.#writer = undefined;
  }

  /**
   * Handles a hang or crash: the signature running at the time (the loading
   * one, or the first unanswered route of the oldest batch) is charged, the
   * process restarted, and the unanswered work sent again. When the oldest
   * batch was in fast mode and the culprit is not certain, no one is named
   * yet: it is sent again isolated, and a repeat names the culprit.
   */
  #recover(reason: string): void {
    if (this.#closed) return;
    if (this.#loading) {
      const loading = this.#loading;
      this.#loading = undefined;
      this.#kill();
      loading.resolve({ ok: false, error: `it ${reason}` });
      return;
    }
    if (this.#restarting) return;
    this.#restarting = true;
    const oldest = this.#pending[0];
    let culprit = oldest?.routes.keys().next().value;
    if (oldest && !oldest.isolated && !this.#certain(oldest)) {
      oldest.isolated = true;
      culprit = undefined;
      this.#options.onDebug?.(
        `sandbox ${reason} with no certain culprit; retrying the batch isolated`,
      );
    }
    this.#kill();
    let quarantined = false;
    if (culprit !== undefined) {
      quarantined = ++this.#offences[culprit]! >= this.#quarantineAfter;
      if (quarantined) this.#quarantined.add(culprit);
      this.#report({ signature: culprit, reason, quarantined });
      this.#skipCulprit(culprit, reason);
    }
    (async () => {
      await this.#backoff();
      if (this.#closed) return;
      const outcomes = await this.#spawnAndLoad();
      this.#restarting = false;
      outcomes.forEach((outcome, signature) => {
        if (outcome.ok) return;
        this.#report({
          signature,
          reason: `could not be loaded again after a restart: ${outcome.error}`,
          quarantined: true,
        });
      });
      for (const batch of this.#pending) {
        for (const signature of this.#quarantined) {
          batch.routes.delete(signature);
        }
      }
      this.#settle();
      for (const batch of this.#pending) this.#send(batch);
      this.#lastProgress = performance.now();
    })();
  }

  /** Reports an offence with the oldest batch, or with the next one sent. */
  #report(offence: Offence): void {
    const batch = this.#pending[0];
    if (batch) batch.result.offences.push(offence);
    else this.#unreported.push(offence);
  }

  /** Drops the culprit's share of the oldest batch, recording the failure. */
  #skipCulprit(culprit: number, reason: string): void {
    const batch = this.#pending[0];
    if (!batch?.routes.has(culprit)) return;
    batch.routes.delete(culprit);
    batch.result.failures.push({
      signature: culprit,
      event: -1,
      message: `it ${reason}`,
    });
    batch.result.micros.set(culprit, this.#deadlineMs * 1000);
  }
}

function kill(process: Deno.ChildProcess): void {
  try {
    process.kill("SIGKILL");
  } catch {
    // Already gone.
  }
}

function parseLoadOutcome(text: string): LoadOutcome {
  try {
    const value = parseJsonExact(text) as Partial<
      LoadOutcome & { error: unknown }
    >;
    if (value.ok === true) {
      return { ok: true, metadata: value.metadata, selectors: value.selectors };
    }
    return { ok: false, error: String(value.error ?? "unknown error") };
  } catch {
    return { ok: false, error: "malformed load answer" };
  }
}

/** Validates one signature's answer for a batch and adds it to `result`. */
function collectResult(
  result: BatchResult,
  signature: number,
  routed: ReadonlySet<number>,
  text: string,
): void {
  let answer: { f?: unknown; e?: unknown };
  try {
    answer = parseJsonExact(text) as typeof answer;
    if (!Array.isArray(answer.f) || !Array.isArray(answer.e)) throw new Error();
  } catch {
    result.failures.push({ signature, event: -1, message: "malformed result" });
    return;
  }
  for (const item of answer.e as unknown[]) {
    const [event, message] = Array.isArray(item) ? item : [];
    result.failures.push({
      signature,
      event: typeof event === "number" && routed.has(event) ? event : -1,
      message: String(message).slice(0, 2048),
    });
  }
  for (const item of answer.f as unknown[]) {
    const [event, data] = Array.isArray(item) ? item : [];
    if (typeof event !== "number" || !routed.has(event)) {
      result.failures.push({
        signature,
        event: -1,
        message: `reported a finding for event ${
          JSON.stringify(event)
        } it was not sent`,
      });
    } else if (data === true) {
      result.findings.push({ signature, event, data: true });
    } else if (
      typeof data === "object" && data !== null && !Array.isArray(data)
    ) {
      result.findings.push({
        signature,
        event,
        data: data as Record<string, unknown>,
      });
    } else if (data !== false) {
      result.failures.push({
        signature,
        event,
        message: `tracee_match gave ${
          Array.isArray(data) ? "an array" : typeof data
        }, not true or an object`,
      });
    }
  }
}
