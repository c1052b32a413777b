// Grows its heap without bound on the first event.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-MEMORY",
  version: "1.0.0",
  name: "Memory bomb",
  eventName: "memory_bomb",
  description: "Memory bomb",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
const hoard: number[][] = [];
export const onEvent: OnEvent = () => {
  while (true) hoard.push(new Array(1_000_000).fill(7));
};
