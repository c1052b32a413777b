/**
 * Replays newline-delimited Tracee JSON events from a file or stdin. A line
 * that is not a JSON object with an `eventName` is reported with its number
 * and skipped; the stream goes on.
 *
 * @module
 */

import type { TraceeEvent } from "../event/event.ts";
import { type EventRecord, recordFromJson } from "../event/record.ts";
import type { EventSource } from "./source.ts";

/** Options of {@linkcode openReplaySource}. */
export interface ReplayOptions {
  /** A file path, or `-` for stdin. */
  path: string;
  /** Called for each skipped line. */
  onMalformed?: (line: number, reason: string) => void;
  /**
   * Most events per batch.
   * @default {1024}
   */
  batchSize?: number;
}

const READ_BYTES = 1024 * 1024;

/** Reads events from newline-delimited JSON. */
export class ReplaySource implements EventSource {
  readonly name: string;
  #file: Deno.FsFile | typeof Deno.stdin;
  #onMalformed: ReplayOptions["onMalformed"];
  #batchSize: number;
  #malformed = 0;
  #closed = false;

  constructor(file: Deno.FsFile | typeof Deno.stdin, options: ReplayOptions) {
    this.name = options.path === "-" ? "stdin" : options.path;
    this.#file = file;
    this.#onMalformed = options.onMalformed;
    this.#batchSize = options.batchSize ?? 1024;
  }

  /** Lines skipped so far. */
  get malformed(): number {
    return this.#malformed;
  }

  async *batches(signal: AbortSignal): AsyncGenerator<EventRecord[]> {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(READ_BYTES);
    let rest = "";
    let lineNumber = 0;
    let batch: EventRecord[] = [];
    while (!signal.aborted) {
      const read = await this.#file.read(buffer);
      const text = read === null
        ? rest + decoder.decode()
        : rest + decoder.decode(
          buffer.subarray(0, read),
          { stream: true },
        );
      const lines = text.split("\n");
      rest = read === null ? "" : lines.pop() ?? "";
      for (const line of lines) {
        lineNumber++;
        const record = this.#parse(line, lineNumber);
        if (record) batch.push(record);
        if (batch.length >= this.#batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
      if (read === null) return;
    }
  }

  #parse(line: string, lineNumber: number): EventRecord | undefined {
    const json = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (json.trim() === "") return undefined;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      return this.#skip(lineNumber, `not JSON (${(error as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return this.#skip(lineNumber, "not a JSON object");
    }
    const event = value as Partial<TraceeEvent>;
    if (typeof event.eventName !== "string" || event.eventName === "") {
      return this.#skip(lineNumber, "it has no eventName");
    }
    if (!Array.isArray(event.args)) {
      return this.#skip(lineNumber, "it has no args list");
    }
    return recordFromJson(json, event);
  }

  #skip(line: number, reason: string): undefined {
    this.#malformed++;
    this.#onMalformed?.(line, reason);
    return undefined;
  }

  summary(): string[] {
    return this.#malformed === 0
      ? []
      : [`${this.#malformed} malformed line(s) of ${this.name} skipped`];
  }

  close(): Promise<void> {
    if (!this.#closed && this.#file !== Deno.stdin) {
      (this.#file as Deno.FsFile).close();
    }
    this.#closed = true;
    return Promise.resolve();
  }
}

/** Opens a replay source on a file, or stdin for `-`. */
export async function openReplaySource(
  options: ReplayOptions,
): Promise<ReplaySource> {
  const file = options.path === "-"
    ? Deno.stdin
    : await Deno.open(options.path);
  return new ReplaySource(file, options);
}
