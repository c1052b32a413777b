// Attack: 100,000 selectors, each indexed by the engine.
import type { OnEvent, SignatureMetadata } from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-MANY-SELECTORS",
  version: "1",
  name: "Many selectors",
  eventName: "many_selectors",
  description: "Wide selection",
};

export const selectedEvents = Array.from({ length: 100_000 }, (_, i) => ({
  source: "tracee",
  name: `event_${i}`,
}));

export const onEvent: OnEvent = (_event, report) => report({ path: "wide" });
