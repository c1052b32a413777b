// Talks from the moment it loads, while the other signatures load: console
// output from a timer, and errors thrown where nothing catches them (a timer,
// a microtask, reportError). Otherwise it reports opens under /etc.
import type {
  EventSelector,
  OnEvent,
  SignatureMetadata,
} from "../../../../src/sdk/mod.ts";

export const metadata: SignatureMetadata = {
  id: "H-BLIND-CHATTER",
  version: "1.0.0",
  name: "Blind chatter",
  eventName: "blind_chatter",
  description: "Blind chatter",
};

export const selectedEvents: EventSelector[] = [{
  source: "tracee",
  name: "openat",
}];
let ticks = 0;
const chatter = setInterval(() => {
  console.log(`loading chatter ${ticks}`, { nested: [ticks, "x".repeat(64)] });
  if (ticks % 5 === 0) {
    setTimeout(() => {
      throw new Error(`uncaught from a timer ${ticks}`);
    }, 0);
  }
  if (ticks % 7 === 0) {
    queueMicrotask(() => {
      throw new Error("uncaught from a microtask");
    });
  }
  if (ticks % 11 === 0) reportError(new Error("reported"));
  if (++ticks > 2000) clearInterval(chatter);
}, 2);
export const onEvent: OnEvent = (event, report) => {
  const path = event.args.find((arg) => arg.name === "pathname")?.value;
  if (typeof path === "string" && path.startsWith("/etc/")) {
    console.log("found", path);
    report({ path });
  }
};
