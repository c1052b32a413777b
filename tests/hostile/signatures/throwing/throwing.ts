// Throws on every event.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-THROW",
  version: "1.0.0",
  name: "Throwing",
  eventName: "throwing",
  description: "Throwing",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
export const onEvent: OnEvent = () => {
  throw new Error("boom");
};
