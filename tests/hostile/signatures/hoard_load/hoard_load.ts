// Grabs memory outside the V8 heap while it loads: array buffers of 256 MiB,
// as many as it can get (the first one filled), and holds them.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-HOARD-LOAD",
  version: "1.0.0",
  name: "Hoard at load",
  eventName: "hoard_load",
  description: "Hoard at load",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
const held: Uint8Array[] = [];
for (let i = 0; i < 64; i++) {
  try {
    const buffer = new Uint8Array(256 * 1024 * 1024);
    held.push(i === 0 ? buffer.fill(1) : buffer);
  } catch {
    break;
  }
}
export const onEvent: OnEvent = (_event, report) =>
  report({ held: held.length });
