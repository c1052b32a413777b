import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checkScope,
  type KernelScopeFilter,
  kernelScopeOf,
  scopeFlags,
} from "../../../../src/sources/kernel/scope_filter.ts";
import { parseScope } from "../../../../src/sources/mod.ts";
import { checkProperty } from "../../../_helpers/property.ts";
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

/** Whether the kernel's scope filter keeps a task (no mount namespace test). */
function kernelKeeps(
  filter: KernelScopeFilter | undefined,
  task: { uid: number; pid: number; comm: string },
): boolean {
  if (filter === undefined) return true;
  const cut = (comm: string) =>
    new TextDecoder().decode(new TextEncoder().encode(comm).slice(0, 15));
  return (!filter.uids || filter.uids.includes(task.uid)) &&
    (!filter.pids || filter.pids.includes(task.pid)) &&
    (!filter.comms || filter.comms.some((c) => cut(c) === cut(task.comm)));
}

Deno.test("kernelScopeOf() never drops a task the --scope keeps", () => {
  const small = fc.integer({ min: 0, max: 3 });
  const comm = fc.constantFrom("sh", "cat", "nginx", "ngi");
  const value = (field: string) =>
    field === "comm"
      ? fc.oneof(comm, comm.map((c) => `${c.slice(0, 2)}*`))
      : small.map(String);
  const filterText = fc.constantFrom("uid", "pid", "comm").chain((field) =>
    fc.tuple(
      fc.constantFrom("=", "!="),
      fc.array(value(field), { minLength: 1, maxLength: 3 }),
    ).map(([op, values]) => `${field}${op}${values.join(",")}`)
  );
  checkProperty(
    fc.property(
      fc.array(filterText, { maxLength: 3 }),
      fc.record({ uid: small, pid: small, comm }),
      (texts, task) => {
        const scope = parseScope(texts);
        const context = {
          containerId: "",
          processName: task.comm,
          userId: task.uid,
          hostProcessId: task.pid,
        };
        if (scope.matchesContext(context)) {
          assert.ok(kernelKeeps(kernelScopeOf(scope), task), texts.join(" "));
        }
      },
    ),
  );
});

Deno.test("kernelScopeOf() pushes exact uids, pids, comms and container", () => {
  assert.deepEqual(
    kernelScopeOf(parseScope(["uid=0,1", "pid=7", "comm=nginx", "container"])),
    { uids: [0, 1], pids: [7], comms: ["nginx"], containerOnly: true },
  );
  assert.equal(kernelScopeOf(parseScope(["comm=ngin*", "uid!=0"])), undefined);
  assert.equal(kernelScopeOf(parseScope(["not-container"])), undefined);
});
