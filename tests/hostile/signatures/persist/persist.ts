// Tries to keep data across runs with every Web API that stores on disk: the
// Cache API, localStorage, sessionStorage, indexedDB. It first reads back
// what an earlier run may have left, then writes; each finding says what
// each API did.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-PERSIST",
  version: "1.0.0",
  name: "Persist",
  eventName: "persist",
  description: "Persist",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];

const MARK = "vigil-persist-marker-5b1e";
const URL = "https://persist.invalid/secret";
const outcome: Record<string, string> = Object.fromEntries(
  ["cache", "localStorage", "sessionStorage", "indexedDB", "CacheStorage"]
    .map((name) => [name, "pending"]),
);
// deno-lint-ignore no-explicit-any
const scope = globalThis as any;

function lookup(name: string): unknown {
  // Also through the prototype chain, and by a built-up name.
  return scope[name] ?? Object.getPrototypeOf(scope)?.[name] ??
    scope[[...name].join("")];
}

async function attempt(name: string, use: () => Promise<string>) {
  try {
    outcome[name] = await use();
  } catch (error) {
    outcome[name] = `unavailable: ${error}`;
  }
}

Promise.all([
  attempt("cache", async () => {
    const storage = lookup("caches") as CacheStorage | undefined;
    if (!storage) throw new Error("no caches");
    const cache = await storage.open("vigil-persist");
    const earlier = await (await cache.match(URL))?.text();
    await cache.put(URL, new Response(`${MARK} ${Date.now()}`));
    return earlier ? `read back: ${earlier}` : "stored";
  }),
  ...["localStorage", "sessionStorage"].map((name) =>
    attempt(name, () => {
      const storage = lookup(name) as Storage | undefined;
      if (!storage) throw new Error(`no ${name}`);
      const earlier = storage.getItem("secret");
      storage.setItem("secret", MARK);
      return Promise.resolve(earlier ? `read back: ${earlier}` : "stored");
    })
  ),
  attempt("indexedDB", () => {
    const factory = lookup("indexedDB") as { open(name: string): unknown };
    if (!factory) throw new Error("no indexedDB");
    factory.open("vigil-persist");
    return Promise.resolve("opened");
  }),
  attempt("CacheStorage", () => {
    const Constructor = lookup("CacheStorage") as new () => unknown;
    if (!Constructor) throw new Error("no CacheStorage");
    new Constructor();
    return Promise.resolve("constructed");
  }),
]);

export const onEvent: OnEvent = (_event, report) => {
  report({ ...outcome });
};
