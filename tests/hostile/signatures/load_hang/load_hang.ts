// Never finishes loading: loops at the top level.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

while (true) { /* spin */ }

export const metadata: SignatureMetadata = {
  id: "H-LOAD-HANG",
  version: "1.0.0",
  name: "Load hang",
  eventName: "load_hang",
  description: "Hangs while loading",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
export const onEvent: OnEvent = (_event, report) => report();
