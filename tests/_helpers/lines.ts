/**
 * A child process's output read line by line while it runs, so a test can
 * wait for a line and later look at everything printed.
 *
 * @module
 */

/** The lines of a stream, collected as they come. */
export class Lines {
  readonly lines: string[] = [];
  #partial = "";
  #done: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#done = (async () => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        const parts = (this.#partial + text).split("\n");
        this.#partial = parts.pop()!;
        this.lines.push(...parts);
        for (const wake of this.#waiters.splice(0)) wake();
      }
      if (this.#partial !== "") this.lines.push(this.#partial);
      for (const wake of this.#waiters.splice(0)) wake();
    })();
  }

  /**
   * The first line from index `from` on that satisfies `match`; throws after
   * `timeoutMs` or when the stream ends without one.
   */
  async waitFor(
    match: (line: string) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<{ line: string; index: number }> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    this.#done.then(() => ended = true);
    for (;;) {
      const index = this.lines.findIndex((line, i) => i >= from && match(line));
      if (index >= 0) return { line: this.lines[index]!, index };
      const left = deadline - Date.now();
      if (ended || left <= 0) {
        throw new Error(
          `No matching line within ${timeoutMs} ms; last lines:\n${
            this.lines.slice(-10).join("\n")
          }`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, Math.min(left, 200));
      });
      clearTimeout(timer);
    }
  }

  /** Resolves once the stream has ended. */
  ended(): Promise<void> {
    return this.#done;
  }
}
