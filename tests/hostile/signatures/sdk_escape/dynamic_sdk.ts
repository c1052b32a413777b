// Imports the SDK at run time: refused at load.

import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "@vigil/sensor/sdk";

export const metadata: SignatureMetadata = {
  id: "H-SDK-DYNAMIC",
  version: "1.0.0",
  name: "Imports the SDK at run time",
  eventName: "sdk_escape",
  description: "Imports the SDK at run time",
};

export const selectedEvents: EventSelector[] = [
  { source: "tracee", name: "openat" },
];
export const onEvent: OnEvent = (_event, report) => {
  import("@vigil/sensor/sdk").then((sdk) => report({ keys: Object.keys(sdk) }));
};
