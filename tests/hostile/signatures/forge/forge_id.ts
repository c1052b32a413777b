// Claims the benign signature's id: refused at load.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "BENIGN-REGO",
  version: "1.0.0",
  name: "Forged id",
  eventName: "forged_id",
  description: "Forged id",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

export const onEvent: OnEvent = (_event, report) => report();
