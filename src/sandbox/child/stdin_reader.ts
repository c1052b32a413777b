/**
 * Standard input read by a worker of the sandbox process. The main thread
 * evaluates a batch synchronously for tens of milliseconds; reading stdin
 * only between batches would leave the engine unable to write the next one
 * (a pipe holds 64 KiB), so both processes would wait on each other.
 *
 * @module
 */

/** Posts every chunk of stdin to the parent, then `null` at its end. */
const READER_SOURCE = `
for await (const chunk of Deno.stdin.readable) {
  self.postMessage(chunk, [chunk.buffer]);
}
self.postMessage(null);
self.close();
`;

/** Standard input, read ahead by a worker into memory. */
export function readStdinAhead(): ReadableStream<Uint8Array> {
  const worker = new Worker(
    `data:text/javascript,${encodeURIComponent(READER_SOURCE)}`,
    { type: "module" },
  );
  return new ReadableStream({
    start(controller) {
      worker.addEventListener("message", (event: MessageEvent) => {
        if (event.data === null) controller.close();
        else controller.enqueue(event.data as Uint8Array);
      });
      worker.addEventListener("error", (event) => {
        event.preventDefault();
        controller.error(new Error(`Cannot read stdin: ${event.message}`));
      });
    },
    cancel() {
      worker.terminate();
    },
  });
}
