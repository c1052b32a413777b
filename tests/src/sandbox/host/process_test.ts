import assert from "node:assert/strict";
import {
  cpuWaitsMs,
  dataLimitMiB,
  dataMiB,
  describeExit,
} from "../../../../src/sandbox/host/process.ts";

Deno.test("dataLimitMiB() gives each isolate V8's reservation and all signatures four heap caps", () => {
  assert.equal(dataLimitMiB(0, 128), 576 * 2 + 512);
  assert.equal(dataLimitMiB(3, 64), 576 * 5 + 256);
});

Deno.test("dataMiB() and cpuWaitsMs() read a live process, and give undefined for one that is gone", () => {
  assert.ok(dataMiB(Deno.pid)! > 0);
  const waits = cpuWaitsMs(Deno.pid)!;
  assert.ok(waits.size > 0);
  for (const ms of waits.values()) assert.ok(Number.isFinite(ms) && ms >= 0);
  assert.equal(dataMiB(0x7ffffffe), undefined);
  assert.equal(cpuWaitsMs(0x7ffffffe), undefined);
});

Deno.test("describeExit() names the signal, else the exit code", () => {
  assert.equal(
    describeExit({ success: false, code: 137, signal: "SIGKILL" }),
    "was killed by SIGKILL",
  );
  assert.equal(
    describeExit({ success: false, code: 1, signal: null }),
    "exited with code 1",
  );
});
