// Reports findings that are not objects.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-MALFORMED",
  version: "1.0.0",
  name: "Malformed finding",
  eventName: "malformed_finding",
  description: "Malformed finding",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
// deno-lint-ignore no-explicit-any
export const onEvent: OnEvent = (_event, report: any) => {
  report(42);
  report("text");
  report([1, 2]);
};
