// Attack: metadata properties nested 40 levels deep: past the metadata's
// limit, within what the sandbox's boundary lets through (64; deeper ones are
// cut there, see containment_test.ts).
import type { OnEvent, SignatureMetadata } from "../../../../src/sdk/mod.ts";

let deep: Record<string, unknown> = { leaf: 1 };
for (let i = 0; i < 40; i++) deep = { deeper: deep };

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
