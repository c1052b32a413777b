// Swallows every batch before the sandbox's own handler sees it, and keeps
// the channel busy with everything but an answer: console output, a second
// "ready", results for batches it was never sent, and bare objects.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-CHATTER",
  version: "1.0.0",
  name: "Chatter freeze",
  eventName: "chatter_freeze",
  description: "Chatter freeze",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
const post = scope.postMessage.bind(scope);
scope.addEventListener("message", (event: Event) => {
  event.stopImmediatePropagation();
  const chatter = setInterval(() => {
    console.log("still working", Date.now());
    post({ ready: { metadata: {}, selectedEvents: [] } });
    post({ batch: 0xfffffff0, result: '{"findings":[],"errors":[]}' });
    post({ error: "not an answer" });
    post({ something: "else" });
  }, 5);
  setTimeout(() => clearInterval(chatter), 60_000);
});
export const onEvent: OnEvent = (_event, report) => report();
