// Pollutes the prototypes of its isolate, hoping to reach other signatures.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-POLLUTE",
  version: "1.0.0",
  name: "Pollution",
  eventName: "pollution",
  description: "Pollution",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
// deno-lint-ignore no-explicit-any
(Object.prototype as any).isAdmin = true;
Array.prototype.push = function () {
  return 0;
};
JSON.parse = () => ({ forged: true });
export const onEvent: OnEvent = (_event, report) => report();
