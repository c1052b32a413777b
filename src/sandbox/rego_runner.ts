/**
 * Runs one compiled Rego signature inside the sandbox. `@open-policy-agent/opa-wasm`
 * instantiates the module (imports, builtins); evaluation then calls the
 * ABI 1.2 `opa_eval` export directly on the event's JSON bytes, so an event
 * is never parsed or serialised in JavaScript and a non-match is detected
 * without decoding the result.
 *
 * @module
 */

import { loadPolicy } from "@open-policy-agent/opa-wasm";

/** The parts of opa-wasm's `LoadedPolicy` this runner uses. */
interface LoadedPolicy {
  wasmInstance: WebAssembly.Instance;
  mem: WebAssembly.Memory;
  dataAddr: number;
  dataHeapPtr: number;
  minorVersion: number;
  entrypoints: Record<string, number>;
}

type OpaEval = (
  reserved: number,
  entrypoint: number,
  data: number,
  input: number,
  inputLength: number,
  heap: number,
  format: number,
) => number;

const RESULT_PREFIX = '[{"result":';
const PAGE_BYTES = 64 * 1024;
const decoder = new TextDecoder();

/** A Rego signature instantiated in its own WebAssembly memory. */
export class RegoRunner {
  #policy: LoadedPolicy;
  #eval: OpaEval;
  #entrypoints: number[];

  constructor(policy: LoadedPolicy, entrypoints: string[]) {
    this.#policy = policy;
    this.#eval = policy.wasmInstance.exports.opa_eval as OpaEval;
    this.#entrypoints = entrypoints.map((name) => {
      const id = policy.entrypoints[name];
      if (id === undefined) throw new RangeError(`Cannot find rule "${name}"`);
      return id;
    });
  }

  /**
   * Instantiates a compiled policy.
   *
   * @param wasm The compiled policy.
   * @param entrypoints Names of the metadoc, selected-events and match rules.
   * @param maxPages Cap on the instance's memory, in 64 KiB pages.
   */
  static async create(
    wasm: Uint8Array,
    entrypoints: string[],
    maxPages: number,
  ): Promise<RegoRunner> {
    const policy = await loadPolicy(wasm as BufferSource, {
      initial: 5,
      maximum: maxPages,
    });
    const loaded = policy as unknown as LoadedPolicy;
    if (loaded.minorVersion < 2) {
      throw new RangeError(
        "Cannot run policy: OPA wasm ABI 1.2 or later needed",
      );
    }
    return new RegoRunner(loaded, entrypoints);
  }

  /** The `__rego_metadoc__` and `tracee_selected_events` values, as JSON text. */
  describe(): { metadata: string | null; selectors: string | null } {
    const empty = new TextEncoder().encode("{}");
    return {
      metadata: this.#run(this.#entrypoints[0]!, empty, 0, empty.length),
      selectors: this.#run(this.#entrypoints[1]!, empty, 0, empty.length),
    };
  }

  /**
   * Evaluates `tracee_match` with `bytes[start, end)` (an event's JSON) as
   * input. Returns the result value as JSON text, or `null` when undefined.
   */
  match(bytes: Uint8Array, start: number, end: number): string | null {
    return this.#run(this.#entrypoints[2]!, bytes, start, end);
  }

  #run(
    entrypoint: number,
    bytes: Uint8Array,
    start: number,
    end: number,
  ): string | null {
    const policy = this.#policy;
    const length = end - start;
    const input = policy.dataHeapPtr;
    const needed = input + length - policy.mem.buffer.byteLength;
    if (needed > 0) policy.mem.grow(Math.ceil(needed / PAGE_BYTES));
    let memory = new Uint8Array(policy.mem.buffer);
    memory.set(bytes.subarray(start, end), input);
    const result = this.#eval(
      0,
      entrypoint,
      policy.dataAddr,
      input,
      length,
      input + length,
      0,
    );
    memory = new Uint8Array(policy.mem.buffer);
    // "[]": the rule is undefined for this input.
    if (memory[result + 1] === 0x5d) return null;
    const text = decoder.decode(
      memory.subarray(result, memory.indexOf(0, result)),
    );
    if (!text.startsWith(RESULT_PREFIX) || !text.endsWith("}]")) {
      throw new RangeError(`Cannot read rule result: ${text.slice(0, 80)}`);
    }
    return text.slice(RESULT_PREFIX.length, -2);
  }
}
