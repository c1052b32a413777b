import assert from "node:assert/strict";
import {
  checkScope,
  scopeFlags,
} from "../../../../src/sources/kernel/scope_filter.ts";
import { ScopeFlag } from "../../../../ffi/mod.ts";

Deno.test("checkScope() refuses lists the kernel maps cannot hold or match", () => {
  for (
    const scope of [
      { uids: [] },
      { uids: [-1] },
      { uids: [2 ** 32] },
      { pids: [1.5] },
      { comms: [""] },
      { cgroupIds: [-1n] },
      { pids: Array.from({ length: 1025 }, (_, i) => i) },
    ]
  ) {
    assert.throws(() => checkScope(scope), RangeError, Object.keys(scope)[0]);
  }
});

Deno.test("checkScope() takes values at the edges of their ranges", () => {
  checkScope({
    uids: [0, 2 ** 32 - 1],
    pids: [1],
    comms: ["a-name-longer-than-fifteen-bytes"],
    cgroupIds: [0n, 2n ** 64n - 1n],
    containerOnly: true,
  });
});

Deno.test("scopeFlags() sets one flag per scope given, none without one", () => {
  assert.equal(scopeFlags(undefined), 0);
  assert.equal(scopeFlags({}), 0);
  assert.equal(
    scopeFlags({ uids: [0], comms: ["sh"] }),
    ScopeFlag.Uid | ScopeFlag.Comm,
  );
  assert.equal(
    scopeFlags({ pids: [1], cgroupIds: [1n], containerOnly: true }),
    ScopeFlag.Pid | ScopeFlag.Cgroup | ScopeFlag.Container,
  );
});
