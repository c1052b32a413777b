// Reports a finding with megabytes of data.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-HUGE",
  version: "1.0.0",
  name: "Huge finding",
  eventName: "huge_finding",
  description: "Huge finding",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
export const onEvent: OnEvent = (_event, report) =>
  report({ blob: "x".repeat(2_000_000) });
