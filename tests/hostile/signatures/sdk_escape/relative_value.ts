// Imports the SDK by a relative path instead of its name: refused at load.
import { argumentValue } from "../../../../src/sdk/mod.ts";
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "@vigil/sensor/sdk";

export const metadata: SignatureMetadata = {
  id: "H-SDK-RELATIVE",
  version: "1.0.0",
  name: "Imports the SDK by a relative path instead of its name",
  eventName: "sdk_escape",
  description: "Imports the SDK by a relative path instead of its name",
};

export const selectedEvents: EventSelector[] = [
  { source: "tracee", name: "openat" },
];
export const onEvent: OnEvent = (event, report) =>
  report({ path: argumentValue(event, "pathname") });
