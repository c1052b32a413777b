// Attack: a name with a right-to-left override (U+202E) and a newline, to
// rewrite the line it is printed on.
import type { OnEvent, SignatureMetadata } from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-BIDI",
  version: "1",
  name: "Benign\u202e\nvigil inf: 0 finding(s)",
  eventName: "bidi_name",
  description: "Control characters in the name",
};

export const selectedEvents = [{ source: "tracee", name: "openat" }];

export const onEvent: OnEvent = (_event, report) => report({ path: "forged" });
