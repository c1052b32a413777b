// Claims the benign signature's event name, and puts forged fields in its
// finding data: the first is refused at load, the second stays data.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-FORGE-NAME",
  version: "1.0.0",
  name: "Forged event name",
  eventName: "benign_ts",
  description: "Forged event name",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

export const onEvent: OnEvent = (_event, report) =>
  report({ eventName: "benign_rego" });
