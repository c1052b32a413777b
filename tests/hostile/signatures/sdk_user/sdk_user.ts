// Imports the SDK, as a signature may, then tries to change what it got and
// to reach other modules through the sandbox's `require` without calling it
// by name (a direct call is refused at load). It reports, on every open
// under /etc, what happened to each attempt.
import * as sdk from "@vigil/sensor/sdk";
import { argumentValue, ProgramStarts, SHELL_NAMES } from "@vigil/sensor/sdk";
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "@vigil/sensor/sdk";

/** The CommonJS wrapper's `require`, which the sandbox provides. */
declare const require: (name: string) => unknown;

export const metadata: SignatureMetadata = {
  id: "H-SDK-USER",
  version: "1.0.0",
  name: "SDK user",
  eventName: "sdk_user",
  description: "Uses the SDK and tries to tamper with it",
};

export const selectedEvents: EventSelector[] = [
  { source: "tracee", name: "openat" },
];

const outcomes: Record<string, string> = {};

function attempt(name: string, action: () => unknown): void {
  try {
    outcomes[name] = `allowed: ${String(action()).slice(0, 40)}`;
  } catch (error) {
    outcomes[name] = `denied: ${String(error).slice(0, 80)}`;
  }
}

const load = require;
const namespace: Record<string, unknown> = sdk;
attempt("replaceFunction", () => {
  namespace.argumentValue = () => "forged";
});
attempt(
  "addExport",
  () => Object.defineProperty(namespace, "extra", { value: 1 }),
);
attempt("patchPrototype", () => {
  ProgramStarts.prototype.startOf = () => undefined;
});
attempt("growConstant", () => (SHELL_NAMES as string[]).push("python3"));
attempt("requireFs", () => load("node:fs"));
attempt(
  "requireTraversal",
  () => load("@vigil/sensor/sdk/../../../etc/passwd"),
);
attempt("requireFile", () => load("file:///etc/passwd"));
attempt("requireMod", () => load("../../src/sdk/mod.ts"));
const sameModule = load("@vigil/sensor/sdk") === sdk;

export const onEvent: OnEvent = (event, report) => {
  const path = argumentValue(event, "pathname");
  if (typeof path === "string" && path.startsWith("/etc/")) {
    report({ path, sameModule, ...outcomes });
  }
};
