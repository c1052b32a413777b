/**
 * Reads a BPF ring buffer map without blocking Deno's event loop: waiting
 * (a nonblocking `epoll_wait` on the map's fd, on a worker thread) is kept
 * apart from reading (one synchronous FFI call that copies every pending
 * record into a reused buffer on the JS thread).
 *
 * @module
 */

import { Epoll } from "./libc.ts";
import { helper } from "./libbpf.ts";
import { BpfError } from "./errors.ts";
import type { BpfMap } from "./bpf_object.ts";

/** Options of {@linkcode RingBufferReader}. */
export interface RingBufferReaderOptions {
  /**
   * Bytes copied out per {@linkcode RingBufferReader.drain} call.
   * @default {1048576}
   */
  batchBytes?: number;
}

/**
 * A batch of records: `view`/`bytes` cover the drained bytes; each record is
 * a little-endian u32 length, the record, then padding to 4 bytes.
 */
export interface RecordBatch {
  /** The drained bytes. */
  readonly bytes: Uint8Array;
  /** A view of the same bytes. */
  readonly view: DataView;
}

/**
 * Where the records of a drained batch are: `[offset, length]` pairs, flat
 * (record `i` starts at `[2 * i]` and has `[2 * i + 1]` bytes).
 */
export function recordOffsets(batch: RecordBatch): Uint32Array {
  const { view } = batch;
  const found: number[] = [];
  let offset = 0;
  while (offset + 4 <= view.byteLength) {
    const length = view.getUint32(offset, true);
    found.push(offset + 4, length);
    offset += 4 + ((length + 3) & ~3);
  }
  return Uint32Array.from(found);
}

/** A consumer of one ring buffer map. */
export class RingBufferReader implements Disposable {
  #ring: Deno.PointerObject | null;
  readonly #size: number;
  readonly #epoll: Epoll;
  readonly #buffer: Uint8Array<ArrayBuffer>;

  /**
   * Maps the ring of `map` and watches its fd.
   *
   * @param map A loaded `BPF_MAP_TYPE_RINGBUF` map.
   * @throws {BpfError} When the ring cannot be mapped.
   */
  constructor(map: BpfMap, options: RingBufferReaderOptions = {}) {
    const { batchBytes = 1 << 20 } = options;
    this.#size = map.maxEntries;
    const ring = helper().vigil_ring_open(map.fd, this.#size);
    if (!ring) throw new BpfError("map ring buffer", map.name, -12);
    this.#ring = ring;
    try {
      this.#epoll = new Epoll(map.fd);
    } catch (error) {
      helper().vigil_ring_close(ring, this.#size);
      this.#ring = null;
      throw error;
    }
    this.#buffer = new Uint8Array(batchBytes);
  }

  /** Bytes written by the kernel and not yet drained. */
  pending(): number {
    return this.#ring ? Number(helper().vigil_ring_pending(this.#ring)) : 0;
  }

  /**
   * Resolves when the kernel signals data or after `timeoutMs` (the BPF side
   * batches wakeups, so callers drain after a timeout too).
   */
  wait(timeoutMs: number): Promise<boolean> {
    return this.#epoll.wait(timeoutMs);
  }

  /**
   * Copies pending records out. The returned batch is overwritten by the
   * next call; an empty batch means nothing was pending.
   */
  drain(): RecordBatch {
    if (!this.#ring) {
      return {
        bytes: new Uint8Array(0),
        view: new DataView(new ArrayBuffer(0)),
      };
    }
    const length = Number(
      helper().vigil_ring_drain(
        this.#ring,
        this.#buffer,
        BigInt(this.#buffer.byteLength),
      ),
    );
    const bytes = this.#buffer.subarray(0, length);
    return {
      bytes,
      view: new DataView(this.#buffer.buffer, 0, length),
    };
  }

  /** Waits for a pending `wait()` and releases the ring. Idempotent. */
  async close(): Promise<void> {
    await this.#epoll.closeAsync();
    this.#release();
  }

  #release(): void {
    this.#epoll.close();
    if (!this.#ring) return;
    helper().vigil_ring_close(this.#ring, this.#size);
    this.#ring = null;
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.#release();
  }
}
