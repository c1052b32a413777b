// Attack: the benign event name followed by a no-break space (U+00A0).
import type { OnEvent, SignatureMetadata } from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-NBSP",
  version: "1",
  name: "Look-alike",
  eventName: "benign_ts\u00a0",
  description: "No-break space",
};

export const selectedEvents = [{ source: "tracee", name: "openat" }];

export const onEvent: OnEvent = (_event, report) => report({ path: "forged" });
