// Imports a file at run time: refused at load.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-DYNAMIC-IMPORT",
  version: "1.0.0",
  name: "Dynamic import",
  eventName: "dynamic_import",
  description: "Imports /etc/hostname as text",
};

export const selectedEvents: EventSelector[] = [
  { source: "tracee", name: "openat" },
];

export const onEvent: OnEvent = (_event, report) => {
  import("file:///etc/hostname", { with: { type: "text" } }).then((m) =>
    report({ text: m.default })
  );
};
