// Attack: a 32 MiB description, built at load, to be copied into every
// finding.
import type { OnEvent, SignatureMetadata } from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-HUGE-DESCRIPTION",
  version: "1",
  name: "Huge description",
  eventName: "huge_description",
  description: "d".repeat(32 * 1024 * 1024),
};

export const selectedEvents = [{ source: "tracee", name: "openat" }];

export const onEvent: OnEvent = (_event, report) => report({ path: "big" });
