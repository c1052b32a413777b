// Imports a JSON file with an import attribute: refused at load.
import config from "../../../../deno.json" with { type: "json" };
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-IMPORT-JSON",
  version: "1.0.0",
  name: "Import JSON",
  eventName: "import_json",
  description: "Import JSON",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
export const onEvent: OnEvent = (_event, report) =>
  report({ config: JSON.stringify(config) });
