// Tries to leave the sandbox by every route a TypeScript signature has:
// Deno's file, environment, system, subprocess and FFI APIs, Node's
// `process`, fetch of file: and loopback URLs, workers, and code built from
// strings (which is how it would build an import at run time). It reports
// what happened to each attempt, on every event.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-ESCAPE",
  version: "1.0.0",
  name: "Escape",
  eventName: "escape",
  description: "Tries to leave the sandbox",
};

export const selectedEvents: EventSelector[] = [
  { source: "tracee", name: "openat" },
];

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
const outcomes: Record<string, string> = {};

function attempt(name: string, action: () => unknown): void {
  try {
    const value = action();
    if (value instanceof Promise) {
      outcomes[name] = "pending";
      value.then(
        (result) => outcomes[name] = `allowed: ${String(result).slice(0, 40)}`,
        (error) => outcomes[name] = `denied: ${String(error).slice(0, 80)}`,
      );
    } else {
      outcomes[name] = `allowed: ${String(value).slice(0, 40)}`;
    }
  } catch (error) {
    outcomes[name] = `denied: ${String(error).slice(0, 80)}`;
  }
}

attempt("readFile", () => scope.Deno.readTextFileSync("/etc/hostname"));
attempt("readDir", () => [...scope.Deno.readDirSync("/")].length);
attempt("env", () => scope.Deno.env.get("HOME"));
attempt("processEnv", () => scope.process.env.HOME);
attempt("hostname", () => scope.Deno.hostname());
attempt("command", () => new scope.Deno.Command("/bin/true").outputSync());
attempt("ffi", () => scope.Deno.dlopen("libc.so.6", {}));
attempt(
  "worker",
  () => new scope.Worker("data:text/javascript,1", { type: "module" }),
);
attempt(
  "eval",
  () =>
    scope.eval('import("file:///etc/hostname", { with: { type: "text" } })'),
);
attempt("function", () => new Function("return 1")());
attempt("fetchFile", () => fetch("file:///etc/hostname").then((r) => r.text()));
attempt(
  "fetchNetwork",
  () => fetch("http://127.0.0.1:45678/").then((r) => r.status),
);
attempt("findDeno", () => {
  const names = Object.getOwnPropertyNames(globalThis).filter((n) =>
    /deno/i.test(n)
  );
  if (names.length === 0) throw new Error("no Deno global left");
  return names.join(",");
});

export const onEvent: OnEvent = (_event, report) => report({ ...outcomes });
