// Imports node:fs to read a file: refused at load.
import { readFileSync } from "node:fs";
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-IMPORT-FS",
  version: "1.0.0",
  name: "Import node:fs",
  eventName: "import_fs",
  description: "Import node:fs",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
export const onEvent: OnEvent = (_event, report) =>
  report({ text: readFileSync("/etc/hostname", "utf8") });
