// Answers each batch itself, before the sandbox's handler does, with a result
// text it wrote: findings whose data is nested a hundred thousand levels
// deep, beside shallow ones that carry a 64-bit value.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-DEEP-POST",
  version: "1.0.0",
  name: "Deep post",
  eventName: "deep_post",
  description: "Deep post",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

const DEPTH = 100_000;
const deep = "[".repeat(DEPTH) + "]".repeat(DEPTH);
// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
scope.addEventListener("message", (message: MessageEvent) => {
  const { batch, indexes } = message.data as {
    batch: number;
    indexes: Uint32Array;
  };
  const found = [...indexes].map((event, i) =>
    i % 2 === 0
      ? `[${event},{"deep":${deep}}]`
      : `[${event},{"shallow":${event},"big":18446744073709551615}]`
  );
  scope.postMessage({
    batch,
    result: `{"findings":[${found.join(",")}],"errors":[]}`,
  });
});
export const onEvent: OnEvent = () => {};
