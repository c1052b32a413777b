/**
 * A sensor kept running for a test: `vigil --input -` with stdin held open
 * (or watching the kernel), its output collected as it comes, stopped (and
 * waited for) when disposed.
 *
 * @module
 */

import { spawnVigil } from "./replay.ts";

/** A running `vigil` subprocess replaying what the test writes to it. */
export class RunningSensor implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  #stderr = "";
  #stdout = "";
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #reading: Promise<void>[];
  #status: Promise<Deno.CommandStatus>;

  /** Starts `vigil --input - ...args`, or `vigil ...args` when `live`. */
  constructor(args: string[], { live = false } = {}) {
    this.child = spawnVigil(live ? args : ["--input", "-", ...args], {
      stdin: "piped",
    });
    this.#writer = this.child.stdin.getWriter();
    this.#reading = [
      this.#collect(this.child.stderr, (text) => this.#stderr += text),
      this.#collect(this.child.stdout, (text) => this.#stdout += text),
    ];
    this.#status = this.child.status;
  }

  get stderr(): string {
    return this.#stderr;
  }

  get stdout(): string {
    return this.#stdout;
  }

  async #collect(
    stream: ReadableStream<Uint8Array>,
    add: (text: string) => void,
  ): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      add(decoder.decode(chunk, { stream: true }));
    }
  }

  /** Writes event lines to the sensor's stdin. */
  async feed(lines: string[]): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  }

  /**
   * Resolves with the first match of `regexp` in stderr.
   *
   * @throws {Error} When the sensor exits or `timeoutMs` passes first.
   */
  async waitForLog(
    regexp: RegExp,
    timeoutMs = 60_000,
  ): Promise<RegExpMatchArray> {
    const deadline = performance.now() + timeoutMs;
    let exited = false;
    this.#status.then(() => exited = true);
    while (performance.now() < deadline) {
      const match = this.#stderr.match(regexp);
      if (match) return match;
      if (exited) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`No ${regexp} in the sensor's log:\n${this.#stderr}`);
  }

  /** The base URL of its `--server`, once it says it serves. */
  async serverUrl(): Promise<string> {
    const [url] = await this.waitForLog(/http:\/\/127\.0\.0\.1:\d+/);
    return url;
  }

  /** Closes stdin (the replay ends) and waits for the exit code. */
  async finish(): Promise<number> {
    await this.#writer.close().catch(() => {});
    const { code } = await this.#status;
    await Promise.all(this.#reading);
    return code;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await this.finish();
  }
}

/** Polls `url` until `accept` likes the response (status and body). */
export async function pollUntil(
  url: string,
  accept: (status: number, body: string) => boolean,
  timeoutMs = 60_000,
): Promise<{ status: number; body: string }> {
  const deadline = performance.now() + timeoutMs;
  let last = { status: 0, body: "" };
  while (performance.now() < deadline) {
    try {
      const response = await fetch(url);
      last = { status: response.status, body: await response.text() };
      if (accept(last.status, last.body)) return last;
    } catch (error) {
      last = { status: 0, body: String(error) };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${url} never answered as expected; last: ${last.status} ${last.body}`,
  );
}
