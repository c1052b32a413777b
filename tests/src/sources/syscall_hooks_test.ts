import assert from "node:assert/strict";
import { planSyscallHooks } from "../../../src/sources/syscall_hooks.ts";

/** A tracefs with the entry and exit events of `syscalls`. */
function tracefs(...syscalls: string[]): (name: string) => boolean {
  return (name) =>
    syscalls.some((syscall) =>
      name === `sys_enter_${syscall}` || name === `sys_exit_${syscall}`
    );
}

Deno.test("planSyscallHooks() hooks each syscall by its own tracepoints when tracefs has them", () => {
  assert.deepEqual(
    planSyscallHooks(["openat", "ptrace"], tracefs("openat", "ptrace", "dup")),
    { kind: "tracepoints", events: ["openat", "ptrace"] },
  );
});

Deno.test("planSyscallHooks() finds a syscall whose event has another name (umount2 is umount)", () => {
  assert.deepEqual(planSyscallHooks(["umount2"], tracefs("umount")), {
    kind: "tracepoints",
    events: ["umount"],
  });
});

Deno.test("planSyscallHooks() keeps sys_enter/sys_exit when a syscall has no event, naming each", () => {
  // A kernel built without module support has no module syscall events, yet
  // calling them must still be reported.
  assert.deepEqual(
    planSyscallHooks(
      ["openat", "init_module", "finit_module"],
      tracefs("openat"),
    ),
    {
      kind: "sys_enter",
      reason: "tracefs has no syscall event for init_module, finit_module",
    },
  );
});

Deno.test("planSyscallHooks() needs both the entry and the exit event", () => {
  const onlyEntry = (name: string) => name === "sys_enter_openat";
  assert.equal(planSyscallHooks(["openat"], onlyEntry).kind, "sys_enter");
});
