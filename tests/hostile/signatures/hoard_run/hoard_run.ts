// Asks for gigabytes outside the V8 heap on every event: a 3 GiB array buffer,
// then a WebAssembly memory of 4 GiB, filling and holding what it gets.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-HOARD-RUN",
  version: "1.0.0",
  name: "Hoard while running",
  eventName: "hoard_run",
  description: "Hoard while running",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
const held: unknown[] = [];
export const onEvent: OnEvent = (_event, report) => {
  try {
    held.push(new Uint8Array(3 * 1024 * 1024 * 1024).fill(1));
  } catch {
    // Then WebAssembly's memory.
  }
  const memory = new WebAssembly.Memory({ initial: 65535 });
  new Uint8Array(memory.buffer).fill(1);
  held.push(memory);
  report({ held: held.length });
};
