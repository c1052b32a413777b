// Says it started (a log line), then works for 3.6 s on its first event:
// it answers 600 ms after the host, which that log line keeps busy for 3 s,
// is free again.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-HOST-BUSY",
  version: "1.0.0",
  name: "Host busy",
  eventName: "host_busy",
  description: "Outlasts a host that is busy",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

let first = true;
export const onEvent: OnEvent = (_event, report) => {
  if (!first) return;
  first = false;
  console.log("started");
  const until = performance.now() + 3600;
  while (performance.now() < until) { /* work */ }
  report({ done: true });
};
