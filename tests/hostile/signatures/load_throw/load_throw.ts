// Throws at the top level while it loads, after starting a timer that would
// chatter forever.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-LOAD-THROW",
  version: "1.0.0",
  name: "Load throw",
  eventName: "load_throw",
  description: "Throws while loading",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

setInterval(() => console.log("still here"), 1);
throw new Error("thrown at load");
export const onEvent: OnEvent = (_event, report) => report();
