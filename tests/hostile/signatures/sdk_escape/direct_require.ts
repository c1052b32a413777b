// Requires the SDK by name: refused at load.
/** The CommonJS wrapper's `require`. */
declare const require: (name: string) => unknown;
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "@vigil/sensor/sdk";

export const metadata: SignatureMetadata = {
  id: "H-SDK-REQUIRE",
  version: "1.0.0",
  name: "Requires the SDK by name",
  eventName: "sdk_escape",
  description: "Requires the SDK by name",
};

export const selectedEvents: EventSelector[] = [
  { source: "tracee", name: "openat" },
];
const sdk = require("@vigil/sensor/sdk");
export const onEvent: OnEvent = (_event, report) =>
  report({ keys: Object.keys(sdk as object) });
