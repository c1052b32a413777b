/**
 * A compiled Rego module instantiated inside the sandbox: one signature, or a
 * bundle of many compiled together. `@open-policy-agent/opa-wasm` instantiates
 * it (imports, builtins); evaluation then calls the ABI exports directly on
 * the event's JSON bytes, so an event is never parsed or serialised in
 * JavaScript, and a non-match is detected without decoding a result.
 *
 * Two ways to evaluate: `evaluate()` runs one rule with `opa_eval`, which
 * parses the input each time; `parse()` + `evaluateParsed()` parse an event
 * once and run any number of rules on it, which is what makes many
 * signatures per event cheap (parsing a Tracee event costs several times more
 * than running a typical rule on it).
 *
 * An evaluation that throws (a trap such as a stack overflow in a deeply
 * nested value, an abort, a builtin's error) unwinds the module without
 * restoring its shadow stack or heap, which then corrupts every later
 * evaluation, other signatures' included when the module is a bundle: the
 * module is instantiated afresh after any throw.
 *
 * @module
 */

import * as opaWasm from "@open-policy-agent/opa-wasm";

/**
 * opa-wasm's ES module exports only `loadPolicy`; its synchronous loader is
 * on the default export (the CommonJS module), which its types omit.
 */
const { loadPolicySync } = (opaWasm as unknown as {
  default: {
    loadPolicySync(
      wasm: WebAssembly.Module,
      memory: WebAssembly.MemoryDescriptor,
    ): unknown;
  };
}).default;

/** The parts of opa-wasm's `LoadedPolicy` used here. */
interface LoadedPolicy {
  wasmInstance: WebAssembly.Instance;
  mem: WebAssembly.Memory;
  dataAddr: number;
  dataHeapPtr: number;
  minorVersion: number;
  entrypoints: Record<string, number>;
}

/** The ABI 1.2 exports used here. */
interface OpaExports {
  opa_eval(
    reserved: number,
    entrypoint: number,
    data: number,
    input: number,
    inputLength: number,
    heap: number,
    format: number,
  ): number;
  opa_json_parse(address: number, length: number): number;
  opa_json_dump(value: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(address: number): void;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(context: number, value: number): void;
  opa_eval_ctx_set_data(context: number, value: number): void;
  opa_eval_ctx_set_entrypoint(context: number, entrypoint: number): void;
  opa_eval_ctx_get_result(context: number): number;
  eval(context: number): number;
}

const RESULT_PREFIX = '[{"result":';
const PAGE_BYTES = 64 * 1024;
const decoder = new TextDecoder();

/** A compiled Rego module in its own, capped, WebAssembly memory. */
export class RegoModule {
  #module: WebAssembly.Module;
  #maxPages: number;
  #policy!: LoadedPolicy;
  #opa!: OpaExports;
  /** Heap mark after the current parsed input; evaluations reset to it. */
  #mark = 0;
  /** Detached (length 0) once the memory grows. */
  #view: Uint8Array<ArrayBufferLike> = new Uint8Array();
  #resets = 0;

  constructor(module: WebAssembly.Module, maxPages: number) {
    this.#module = module;
    this.#maxPages = maxPages;
    this.#instantiate();
  }

  /**
   * How many times the module was instantiated afresh after a throw; an
   * input from `parse()` is valid only while this stays the same.
   */
  get resets(): number {
    return this.#resets;
  }

  #instantiate(): void {
    const policy = loadPolicySync(this.#module, {
      initial: 5,
      maximum: this.#maxPages,
    }) as LoadedPolicy;
    if (policy.minorVersion < 2) {
      throw new RangeError(
        "Cannot run policy: OPA wasm ABI 1.2 or later needed",
      );
    }
    this.#policy = policy;
    this.#opa = policy.wasmInstance.exports as unknown as OpaExports;
    this.#mark = 0;
    this.#view = new Uint8Array();
  }

  /** Instantiates the module afresh after a throw. */
  #reset(): void {
    this.#resets++;
    this.#instantiate();
  }

  /**
   * Instantiates a compiled module.
   *
   * @param wasm The compiled module.
   * @param maxPages Cap on its memory, in 64 KiB pages.
   * @throws {RangeError} When the module's ABI is older than 1.2.
   */
  static async create(wasm: Uint8Array, maxPages: number): Promise<RegoModule> {
    const module = await WebAssembly.compile(wasm as BufferSource);
    return new RegoModule(module, maxPages);
  }

  /**
   * The id of the entrypoint called `name`.
   *
   * @throws {RangeError} When the module has no such entrypoint.
   */
  entrypoint(name: string): number {
    const id = this.#policy.entrypoints[name];
    if (id === undefined) throw new RangeError(`Cannot find rule "${name}"`);
    return id;
  }

  /**
   * Evaluates a rule with `bytes[start, end)` (JSON) as input. Returns the
   * rule's value as JSON text, or `null` when it is undefined.
   */
  evaluate(
    entrypoint: number,
    bytes: Uint8Array,
    start: number,
    end: number,
  ): string | null {
    try {
      const input = this.#copyInput(bytes, start, end);
      const result = this.#opa.opa_eval(
        0,
        entrypoint,
        this.#policy.dataAddr,
        input,
        end - start,
        input + end - start,
        0,
      );
      return this.#readResult(result);
    } catch (error) {
      this.#reset();
      throw error;
    }
  }

  /**
   * Parses `bytes[start, end)` (JSON) as the input of the next
   * `evaluateParsed()` calls; returns its address, or 0 when it is not JSON.
   */
  parse(bytes: Uint8Array, start: number, end: number): number {
    try {
      const input = this.#copyInput(bytes, start, end);
      this.#opa.opa_heap_ptr_set(input + end - start);
      const value = this.#opa.opa_json_parse(input, end - start);
      this.#mark = this.#opa.opa_heap_ptr_get();
      return value;
    } catch (error) {
      this.#reset();
      throw error;
    }
  }

  /** Evaluates a rule on an input from `parse()`, like `evaluate()`. */
  evaluateParsed(entrypoint: number, input: number): string | null {
    const opa = this.#opa;
    try {
      opa.opa_heap_ptr_set(this.#mark);
      const context = opa.opa_eval_ctx_new();
      opa.opa_eval_ctx_set_input(context, input);
      opa.opa_eval_ctx_set_data(context, this.#policy.dataAddr);
      opa.opa_eval_ctx_set_entrypoint(context, entrypoint);
      opa.eval(context);
      return this.#readResult(
        opa.opa_json_dump(opa.opa_eval_ctx_get_result(context)),
      );
    } catch (error) {
      this.#reset();
      throw error;
    }
  }

  /** Copies input bytes to the start of the free heap; returns their address. */
  #copyInput(bytes: Uint8Array, start: number, end: number): number {
    const policy = this.#policy;
    const input = policy.dataHeapPtr;
    const needed = input + end - start - policy.mem.buffer.byteLength;
    if (needed > 0) policy.mem.grow(Math.ceil(needed / PAGE_BYTES));
    this.#bytes().set(bytes.subarray(start, end), input);
    return input;
  }

  /** A view of the module's memory, renewed when the memory grows. */
  #bytes(): Uint8Array<ArrayBufferLike> {
    if (this.#view.byteLength === 0) {
      this.#view = new Uint8Array(this.#policy.mem.buffer);
    }
    return this.#view;
  }

  /** Reads a result set `[{"result": value}]` at `address`: the value, or null. */
  #readResult(address: number): string | null {
    const memory = this.#bytes();
    // "[]": the rule is undefined for this input.
    if (memory[address + 1] === 0x5d) return null;
    const text = decoder.decode(
      memory.subarray(address, memory.indexOf(0, address)),
    );
    if (!text.startsWith(RESULT_PREFIX) || !text.endsWith("}]")) {
      throw new RangeError(`Cannot read rule result: ${text.slice(0, 80)}`);
    }
    return text.slice(RESULT_PREFIX.length, -2);
  }
}
