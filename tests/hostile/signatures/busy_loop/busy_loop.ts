// Loops forever on every event.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-BUSY",
  version: "1.0.0",
  name: "Busy loop",
  eventName: "busy_loop",
  description: "Busy loop",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
export const onEvent: OnEvent = () => {
  while (true) { /* spin */ }
};
