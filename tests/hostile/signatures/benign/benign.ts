// The benign TypeScript signature loaded beside every hostile one. It also
// reports whether its own isolate's prototypes were polluted.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "BENIGN-TS",
  version: "1.0.0",
  name: "Benign TypeScript",
  eventName: "benign_ts",
  description: "Opens under /etc",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

export const onEvent: OnEvent = (event, report) => {
  const path = event.args.find((arg) => arg.name === "pathname")?.value;
  if (typeof path === "string" && path.startsWith("/etc/")) {
    // deno-lint-ignore no-explicit-any
    const polluted = ({} as any).isAdmin !== undefined ||
      [].push !== Array.prototype.push;
    report({ path, polluted });
  }
};
