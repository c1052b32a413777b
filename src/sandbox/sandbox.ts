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

import {
  type LoadOutcome,
  parseLoadOutcome,
  type RawFinding,
  readAnswer,
  type SignatureFailure,
} from "./answer.ts";
import {
  dataLimitMiB,
  dataMiB,
  describeExit,
  ISOLATE_RESERVATION_MIB,
  spawnSandboxProcess,
} from "./_process.ts";
import { DeadlineClock } from "./_deadline.ts";
import {
  decodeSandboxFrame,
  encodeBatch,
  encodeFrame,
  FrameType,
  readFrames,
  type SandboxMessage,
} from "./protocol.ts";

export type { LoadOutcome, RawFinding, SignatureFailure } from "./answer.ts";

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
interface Fault {
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
  /** Whether a kill from outside already came while it was pending. */
  spared: boolean;
}

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
  #dataLimitMiB: number;
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
  /** Why the process died while a signature loaded, and who is charged. */
  #loadDeath: { cause: string; signature: number | undefined } | undefined;
  /** Signatures whose load was already interrupted by a kill from outside. */
  #sparedLoads = new Set<number>();
  /** Loads the current process answered. */
  #loadsAnswered = 0;
  /** Time since the outstanding work last got an answer. */
  #clock: DeadlineClock;
  /** How often the deadline is checked. */
  #tickMs: number;
  #nextBatch = 1;
  #watchdog: ReturnType<typeof setInterval> | undefined;
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
    this.#dataLimitMiB = dataLimitMiB(
      signatures.filter((s) => s.kind === "typescript").length,
      this.#memoryMiB,
    );
    this.#quarantineAfter = options.quarantineAfter ?? 3;
    this.#tickMs = Math.max(10, this.#deadlineMs / 4);
    this.#clock = new DeadlineClock(this.#tickMs);
    this.#options = options;
    this.#offences = signatures.map(() => 0);
  }

  /** Signatures quarantined so far. */
  get quarantined(): ReadonlySet<number> {
    return this.#quarantined;
  }

  /** The sandbox process's data memory cap, in MiB (see `dataLimitMiB`). */
  get dataLimitMiB(): number {
    return this.#dataLimitMiB;
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
    this.#watchdog = setInterval(() => this.#checkDeadline(), this.#tickMs);
    return await this.#spawnAndLoad();
  }

  /**
   * Spawns the sandbox process and loads the signatures not quarantined. A
   * signature that fails to load is quarantined; one that hangs, crashes the
   * process or holds too much memory while loading also costs a restart.
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
        const death = this.#loadDeath;
        this.#loadDeath = undefined;
        if (death === undefined || death.signature !== undefined) {
          this.#quarantined.add(index);
        }
        if (this.#process === undefined) {
          if (this.#closed) return outcomes;
          // The signatures loaded before it died with the process: start
          // again without the culprit.
          await this.#backoff({
            cause: death?.cause ?? "the sandbox process ended",
            signature: death?.signature,
          });
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

  /** Counts and reports a restart, then waits before it (longer each time). */
  async #backoff(
    restart: Omit<SandboxRestart, "count">,
  ): Promise<void> {
    const delay = Math.min(
      MAX_BACKOFF_MS,
      50 * 2 ** Math.min(this.#restarts, 6),
    );
    this.#restarts++;
    const report = { ...restart, count: this.#restarts };
    this.#notify(() => this.#options.onRestart?.(report));
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
        spared: false,
      };
      if (this.#pending.length === 0) this.#clock.progress();
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
    const { process, capped } = spawnSandboxProcess({
      memoryMiB: this.#memoryMiB,
      dataLimitMiB: this.#dataLimitMiB,
    });
    if (!capped) {
      this.#options.onDebug?.(
        "prlimit (util-linux) not found: the sandbox's memory is capped per isolate only",
      );
    }
    this.#process = process;
    this.#loadsAnswered = 0;
    for (const listener of this.#spawnListeners) listener(process.pid);
    this.#writer = process.stdin.getWriter();
    this.#clock.progress();
    this.#readFrames(process, generation);
    this.#readStderr(process);
    process.status.then((status) => {
      if (generation !== this.#generation || this.#closed) return;
      const ended = describeExit(status);
      this.#recover({
        reason: `crashed the sandbox (it ${ended})`,
        cause: `the sandbox process ${ended}`,
        external: status.signal === "SIGKILL",
      });
    });
  }

  async #readFrames(
    process: Deno.ChildProcess,
    generation: number,
  ): Promise<void> {
    try {
      for await (const frame of readFrames(process.stdout)) {
        if (generation !== this.#generation) return;
        this.#onMessage(decodeSandboxFrame(frame));
      }
    } catch (error) {
      if (generation === this.#generation && !this.#closed) {
        this.#recover({
          reason: `wrote an unreadable answer (${error})`,
          cause:
            `Vigil killed the sandbox process: it wrote an unreadable answer`,
          external: false,
        });
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
          if (line.trim()) this.#notify(() => this.#options.onDebug?.(line));
        }
      }
    } catch {
      // The process is gone.
    }
  }

  /**
   * Handles a frame. Only an answer to the outstanding work counts as
   * progress: the loading signature's, or one for the oldest batch.
   */
  #onMessage(message: SandboxMessage): void {
    switch (message.type) {
      case FrameType.Loaded: {
        if (this.#loading?.index !== message.index) return;
        const loading = this.#loading;
        this.#loading = undefined;
        this.#loadsAnswered++;
        this.#clock.progress();
        loading.resolve(parseLoadOutcome(message.text));
        return;
      }
      case FrameType.Result:
        this.#onResult(message);
        return;
      case FrameType.Log: {
        const path = this.#signatures[message.index]?.path;
        if (path === undefined) return;
        this.#notify(() =>
          this.#options.onLog?.(message.index, message.text, path)
        );
        return;
      }
    }
  }

  /** Calls back the embedder; its failure must not cost the sandbox. */
  #notify(call: () => void): void {
    try {
      call();
    } catch (error) {
      try {
        this.#options.onDebug?.(`a sandbox callback failed: ${error}`);
      } catch {
        // Nothing more to tell.
      }
    }
  }

  #onResult(
    message: Extract<SandboxMessage, { type: typeof FrameType.Result }>,
  ): void {
    const { batch: batchId, index: signature, micros, text } = message;
    const batch = this.#pending.find((b) => b.id === batchId);
    const routed = batch?.routes.get(signature);
    if (!batch || !routed) return;
    if (batch === this.#pending[0]) this.#clock.progress();
    batch.routes.delete(signature);
    batch.result.micros.set(signature, micros);
    const answer = readAnswer(signature, new Set(routed), text);
    batch.result.findings.push(...answer.findings);
    batch.result.failures.push(...answer.failures);
    this.#settle();
  }

  /** Resolves the batches every signature has answered. */
  #settle(): void {
    for (const batch of [...this.#pending]) {
      if (batch.routes.size > 0) continue;
      this.#pending.splice(this.#pending.indexOf(batch), 1);
      batch.resolve(batch.result);
      // The next batch's time starts now.
      this.#clock.progress();
    }
  }

  /**
   * Loads one signature; refuses it, killing the process, when the
   * process's data memory grew by more than one isolate and its heap cap.
   * (Before the process's first load, its size is taken to be that of its
   * two isolates.)
   */
  async #load(index: number): Promise<LoadOutcome> {
    const pid = this.#process?.pid;
    const before = pid === undefined
      ? undefined
      : this.#loadsAnswered === 0
      ? 2 * ISOLATE_RESERVATION_MIB
      : dataMiB(pid);
    const outcome = await this.#sendLoad(index);
    const after = pid === undefined ? undefined : dataMiB(pid);
    if (!outcome.ok || before === undefined || after === undefined) {
      return outcome;
    }
    const isolate = this.#signatures[index]?.kind === "typescript"
      ? ISOLATE_RESERVATION_MIB
      : 0;
    const held = Math.round(after - before - isolate);
    if (held <= this.#memoryMiB) return outcome;
    const error =
      `it held ${held} MiB after loading, more than its ${this.#memoryMiB} MiB`;
    this.#loadDeath = {
      cause: `Vigil killed the sandbox process: a signature ${error.slice(3)}`,
      signature: index,
    };
    this.#kill();
    return { ok: false, error };
  }

  #sendLoad(index: number): Promise<LoadOutcome> {
    const signature = this.#signatures[index]!;
    return new Promise((resolve) => {
      this.#loading = { index, resolve };
      this.#clock.progress();
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

  /**
   * Kills the sandbox when the outstanding work got no answer within the
   * deadline (of the sandbox's own time, see `DeadlineClock`).
   */
  #checkDeadline(): void {
    const [limit, what] = this.#loading
      ? [this.#loadDeadlineMs, "load deadline"]
      : [this.#deadlineMs, "deadline"];
    const elapsed = this.#clock.tick(this.#process?.pid, limit);
    if (this.#closed || (this.#restarting && !this.#loading)) return;
    if (!this.#loading && this.#pending.length === 0) return;
    if (elapsed > limit) {
      this.#recover({
        reason: `exceeded the ${limit} ms ${what}`,
        cause:
          `Vigil killed the sandbox process: no answer within the ${limit} ms ${what}`,
        external: false,
      });
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
   * batch was in fast mode and the culprit is not certain, or the process
   * was killed from outside, no one is named yet: the batch is sent again
   * isolated, and a repeat names the culprit.
   */
  #recover(fault: Fault): void {
    if (this.#closed) return;
    if (this.#loading) {
      this.#recoverLoad(fault);
      return;
    }
    if (this.#restarting) return;
    this.#restarting = true;
    const oldest = this.#pending[0];
    let culprit = oldest?.routes.keys().next().value;
    if (oldest && fault.external && !oldest.spared) {
      oldest.spared = true;
      oldest.isolated = true;
      culprit = undefined;
    } else if (oldest && !oldest.isolated && !this.#certain(oldest)) {
      oldest.isolated = true;
      culprit = undefined;
      this.#options.onDebug?.(
        `sandbox ${fault.reason} with no certain culprit; retrying the batch isolated`,
      );
    }
    this.#kill();
    if (culprit !== undefined) {
      const quarantined = ++this.#offences[culprit]! >= this.#quarantineAfter;
      if (quarantined) this.#quarantined.add(culprit);
      this.#report({ signature: culprit, reason: fault.reason, quarantined });
      this.#skipCulprit(culprit, fault.reason);
    }
    (async () => {
      await this.#backoff({ cause: fault.cause, signature: culprit });
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
      this.#clock.progress();
    })();
  }

  /**
   * A fault while a signature loads fails its load, unless the process was
   * killed from outside for the first time during it: then it is loaded
   * again after the restart.
   */
  #recoverLoad(fault: Fault): void {
    const loading = this.#loading!;
    this.#loading = undefined;
    const spared = fault.external && !this.#sparedLoads.has(loading.index);
    if (spared) this.#sparedLoads.add(loading.index);
    this.#loadDeath = {
      cause: fault.cause,
      signature: spared ? undefined : loading.index,
    };
    this.#kill();
    loading.resolve({ ok: false, error: `it ${fault.reason}` });
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
