// Attack: a 2 MiB description, built at load, to be copied into every
// finding. (Far larger ones are also refused, but first by the sandbox's
// memory check on loads, which is tested in containment_test.ts.)
import type { OnEvent, SignatureMetadata } from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-HUGE-DESCRIPTION",
  version: "1",
  name: "Huge description",
  eventName: "huge_description",
  description: "d".repeat(2 * 1024 * 1024),
};

export const selectedEvents = [{ source: "tracee", name: "openat" }];

export const onEvent: OnEvent = (_event, report) => report({ path: "big" });
