// Reports findings nested hundreds of levels deep (objects in arrays in
// objects) through the SDK's report().
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-DEEP-TS",
  version: "1.0.0",
  name: "Deep TypeScript",
  eventName: "deep_ts",
  description: "Deep TypeScript",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

function nest(levels: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { down: value };
  return value;
}
export const onEvent: OnEvent = (_event, report) => {
  report({ deep: nest(500) });
};
