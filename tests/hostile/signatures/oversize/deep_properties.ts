// Attack: metadata properties nested 200 levels deep.
import type { OnEvent, SignatureMetadata } from "../../../../src/sdk/mod.ts";

let deep: Record<string, unknown> = { leaf: 1 };
for (let i = 0; i < 200; i++) deep = { deeper: deep };

export const metadata: SignatureMetadata = {
  id: "H-DEEP-PROPERTIES",
  version: "1",
  name: "Deep properties",
  eventName: "deep_properties",
  description: "Deep metadata",
  properties: deep,
};

export const selectedEvents = [{ source: "tracee", name: "openat" }];

export const onEvent: OnEvent = (_event, report) => report({ path: "deep" });
