// An argument pattern longer than Vigil accepts.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-GLOB-TOO-LONG",
  version: "1.0.0",
  name: "Too long a glob",
  eventName: "glob_too_long",
  description: "Globs",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
  args: { pathname: [`/${"*a".repeat(600)}*b`] },
}];

export const onEvent: OnEvent = (_event, report) => report({});
