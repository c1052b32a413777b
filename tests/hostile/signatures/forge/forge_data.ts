// Puts another signature's identity in its finding data: it stays data.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-FORGE-DATA",
  version: "1.0.0",
  name: "Forged data",
  eventName: "forged_data",
  description: "Forged data",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

export const onEvent: OnEvent = (_event, report) =>
  report({
    eventName: "benign_rego",
    signatureID: "BENIGN-REGO",
    metadata: { Properties: {} },
  });
