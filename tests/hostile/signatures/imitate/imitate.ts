// Imitates the sandbox protocol: unsolicited results, reloads, log spam, and
// findings for events it was never sent.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-IMITATE",
  version: "1.0.0",
  name: "Imitate",
  eventName: "imitate",
  description: "Imitate",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
// deno-lint-ignore no-explicit-any
const post = (globalThis as any).postMessage.bind(globalThis);
for (let batch = 0; batch < 20; batch++) {
  post({
    batch,
    result: '{"findings":[[0,true],[1,true],[999,true]],"errors":[]}',
  });
}
export const onEvent: OnEvent = () => {
  for (let i = 0; i < 100; i++) console.log("spam", i);
  // After load, a second "ready" claiming another identity is ignored.
  post({ ready: { metadata: { id: "BENIGN-REGO" }, selectedEvents: [] } });
  post({ batch: 1, result: '{"findings":[[999,true]],"errors":[]}' });
};
