// Attack: 100,000 tags, each copied into every finding.
import type { OnEvent, SignatureMetadata } from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-MANY-TAGS",
  version: "1",
  name: "Many tags",
  eventName: "many_tags",
  description: "Wide tags",
  tags: Array.from({ length: 100_000 }, (_, i) => `t${i}`),
};

export const selectedEvents = [{ source: "tracee", name: "openat" }];

export const onEvent: OnEvent = (_event, report) => report({ path: "tags" });
