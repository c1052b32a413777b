/**
 * A bounded spool on disk for messages that could not be published: a
 * directory of append-only segment files and a `head` file naming the oldest
 * message still held. It survives the sensor's restart (the next run sends
 * what it finds); past its size limit the oldest messages are dropped and
 * counted. Writes are not synced: a crash of the machine may lose its tail.
 *
 * @module
 */

/** One message to publish. */
export interface SpooledMessage {
  subject: string;
  /** The JetStream message id (`Nats-Msg-Id`). */
  id: string;
  payload: string;
}

/** Options of {@linkcode Spool.open}. */
export interface SpoolOptions {
  /**
   * Most bytes held (records' headers included); past it the oldest go.
   * @default {67108864}
   */
  maxBytes?: number;
}

interface Slot {
  segment: number;
  offset: number;
  size: number;
}

const HEADER_BYTES = 4;
const SEGMENT_REGEXP = /^(\d{12})\.seg$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function segmentName(segment: number): string {
  return `${String(segment).padStart(12, "0")}.seg`;
}

/** Messages waiting for the broker, oldest first. */
export class Spool {
  readonly dir: string;
  #maxBytes: number;
  #segmentBytes: number;
  #slots: Slot[] = [];
  #first = 0;
  #bytes = 0;
  #dropped = 0;
  #tail: { segment: number; size: number; file: Deno.FsFile } | undefined;
  /** The highest segment number used so far (or implied by the head). */
  #lastSegment = -1;

  private constructor(dir: string, maxBytes: number) {
    this.dir = dir;
    this.#maxBytes = maxBytes;
    this.#segmentBytes = Math.min(
      8 << 20,
      Math.max(64 << 10, Math.floor(maxBytes / 16)),
    );
  }

  /**
   * Opens the spool in `dir` (created if missing) and indexes what an
   * earlier run left; a record cut short by a crash is discarded.
   *
   * @throws {RangeError} When `maxBytes` is not a positive integer.
   */
  static open(dir: string, options: SpoolOptions = {}): Spool {
    const { maxBytes = 64 << 20 } = options;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new RangeError(
        `Cannot open spool "${dir}": the size limit must be a positive integer`,
      );
    }
    Deno.mkdirSync(dir, { recursive: true });
    const spool = new Spool(dir, maxBytes);
    spool.#index();
    return spool;
  }

  /** Messages held. */
  get count(): number {
    return this.#slots.length - this.#first;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Messages dropped by this process because the spool was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Appends `messages`; drops the oldest held while over the limit. */
  append(messages: readonly SpooledMessage[]): void {
    for (const message of messages) {
      const body = encoder.encode(
        `${message.subject}\n${message.id}\n${message.payload}`,
      );
      const record = new Uint8Array(HEADER_BYTES + body.length);
      new DataView(record.buffer).setUint32(0, body.length, true);
      record.set(body, HEADER_BYTES);
      const tail = this.#tailFor(record.length);
      writeAll(tail.file, record);
      this.#slots.push({
        segment: tail.segment,
        offset: tail.size,
        size: record.length,
      });
      tail.size += record.length;
      this.#bytes += record.length;
    }
    let dropped = 0;
    while (this.#bytes > this.#maxBytes && this.count > 0) {
      this.#bytes -= this.#slots[this.#first++]!.size;
      dropped++;
    }
    this.#dropped += dropped;
    if (dropped > 0) this.#advance();
  }

  /** The oldest `max` messages held, oldest first. */
  peek(max: number): SpooledMessage[] {
    const slots = this.#slots.slice(this.#first, this.#first + max);
    const messages: SpooledMessage[] = [];
    let file: Deno.FsFile | undefined;
    let open = -1;
    try {
      for (const slot of slots) {
        if (slot.segment !== open) {
          file?.close();
          file = Deno.openSync(`${this.dir}/${segmentName(slot.segment)}`);
          open = slot.segment;
        }
        file!.seekSync(slot.offset + HEADER_BYTES, Deno.SeekMode.Start);
        const body = readExactly(file!, slot.size - HEADER_BYTES);
        messages.push(parseBody(decoder.decode(body)));
      }
    } finally {
      file?.close();
    }
    return messages;
  }

  /** Forgets the oldest `count` messages (sent and acknowledged). */
  remove(count: number): void {
    const end = Math.min(this.#slots.length, this.#first + count);
    for (; this.#first < end; this.#first++) {
      this.#bytes -= this.#slots[this.#first]!.size;
    }
    this.#advance();
  }

  /** Closes the segment being written. Idempotent. */
  close(): void {
    this.#tail?.file.close();
    this.#tail = undefined;
  }

  /** Persists the head, deletes segments left behind, compacts the index. */
  #advance(): void {
    const head = this.#slots[this.#first];
    // Empty: the head is the next segment, so every one written is gone.
    const segment = head?.segment ?? this.#lastSegment + 1;
    const offset = head?.offset ?? 0;
    writeFileAtomically(`${this.dir}/head`, `${segment} ${offset}\n`);
    for (const name of this.#segments()) {
      const number = Number(SEGMENT_REGEXP.exec(name)![1]);
      if (number >= segment) continue;
      if (this.#tail?.segment === number) this.close();
      Deno.removeSync(`${this.dir}/${name}`);
    }
    if (this.#first > 4096 && this.#first * 2 > this.#slots.length) {
      this.#slots = this.#slots.slice(this.#first);
      this.#first = 0;
    }
  }

  #tailFor(size: number): { segment: number; size: number; file: Deno.FsFile } {
    const tail = this.#tail;
    if (tail && tail.size + size <= this.#segmentBytes) return tail;
    const segment = ++this.#lastSegment;
    tail?.file.close();
    const file = Deno.openSync(`${this.dir}/${segmentName(segment)}`, {
      create: true,
      write: true,
      truncate: true,
    });
    this.#tail = { segment, size: 0, file };
    return this.#tail;
  }

  #segments(): string[] {
    return [...Deno.readDirSync(this.dir)]
      .map((entry) => entry.name)
      .filter((name) => SEGMENT_REGEXP.test(name))
      .sort();
  }

  /** Reads the head and every record after it. */
  #index(): void {
    let head = { segment: 0, offset: 0 };
    try {
      const [segment, offset] = Deno.readTextFileSync(`${this.dir}/head`)
        .trim().split(" ").map(Number);
      if (Number.isSafeInteger(segment) && Number.isSafeInteger(offset)) {
        head = { segment: segment!, offset: offset! };
      }
    } catch {
      // No head yet: everything present is held.
    }
    this.#lastSegment = head.segment - 1;
    for (const name of this.#segments()) {
      const segment = Number(SEGMENT_REGEXP.exec(name)![1]);
      this.#lastSegment = Math.max(this.#lastSegment, segment);
      if (segment < head.segment) continue;
      const data = Deno.readFileSync(`${this.dir}/${name}`);
      const view = new DataView(data.buffer, data.byteOffset, data.length);
      let offset = segment === head.segment ? head.offset : 0;
      while (offset + HEADER_BYTES <= data.length) {
        const size = HEADER_BYTES + view.getUint32(offset, true);
        if (offset + size > data.length) break;
        this.#slots.push({ segment, offset, size });
        this.#bytes += size;
        offset += size;
      }
    }
  }
}

function parseBody(text: string): SpooledMessage {
  const first = text.indexOf("\n");
  const second = text.indexOf("\n", first + 1);
  return {
    subject: text.slice(0, first),
    id: text.slice(first + 1, second),
    payload: text.slice(second + 1),
  };
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let rest = bytes;
  while (rest.length > 0) rest = rest.subarray(file.writeSync(rest));
}

function readExactly(file: Deno.FsFile, size: number): Uint8Array {
  const buffer = new Uint8Array(size);
  let read = 0;
  while (read < size) {
    const count = file.readSync(buffer.subarray(read));
    if (count === null) {
      throw new Error("Cannot read the spool: a record is cut short");
    }
    read += count;
  }
  return buffer;
}

function writeFileAtomically(path: string, text: string): void {
  Deno.writeTextFileSync(`${path}.tmp`, text);
  Deno.renameSync(`${path}.tmp`, path);
}
