// Not an attack: a slow, honest signature that says when it starts each
// event and then works for 40 ms, so that a test can kill the sandbox from
// outside while a batch is surely pending. It reports opens under /etc.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "ANNOUNCER",
  version: "1.0.0",
  name: "Announcer",
  eventName: "announcer",
  description: "Announces its work",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

export const onEvent: OnEvent = (event, report) => {
  const path = event.args.find((arg) => arg.name === "pathname")?.value;
  console.log(`working on ${path}`);
  const until = performance.now() + 40;
  while (performance.now() < until) { /* work */ }
  if (typeof path === "string" && path.startsWith("/etc/")) report({ path });
};
