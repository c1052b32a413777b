// Metadata nested a thousand levels deep: refused at load, nothing more.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

let deep: unknown = "x";
for (let i = 0; i < 1_000; i++) deep = { deeper: deep };
export const metadata = {
  id: "H-DEEP-META",
  version: "1.0.0",
  name: "Deep metadata",
  eventName: "deep_meta",
  description: "Deep metadata",
  properties: { deep },
} as unknown as SignatureMetadata;

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
export const onEvent: OnEvent = (_event, report) => report();
