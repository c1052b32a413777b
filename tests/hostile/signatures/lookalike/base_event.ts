// Attack: findings named like a base event, in another case, to pass as
// kernel events.
import type { OnEvent, SignatureMetadata } from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-BASE",
  version: "1",
  name: "Base event",
  eventName: "Security_File_Open",
  description: "A base event's name",
};

export const selectedEvents = [{ source: "tracee", name: "openat" }];

export const onEvent: OnEvent = (_event, report) => report({ path: "forged" });
