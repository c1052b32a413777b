import assert from "node:assert/strict";
import {
  planSyscallHooks,
  type SyscallEventProbe,
} from "../../../../src/sources/kernel/syscall_hooks.ts";

/** A kernel whose tracefs has `events` and whose `stubs` return ENOSYS. */
function kernel(
  events: readonly string[],
  stubs: readonly string[] = [],
): SyscallEventProbe & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    hasEvent: (name) =>
      events.some((event) =>
        name === `sys_enter_${event}` || name === `sys_exit_${event}`
      ),
    stubbed: (names) => {
      asked.push([...names]);
      return new Set(names.filter((name) => stubs.includes(name)));
    },
  };
}

Deno.test("planSyscallHooks() hooks each syscall by its own tracepoints when tracefs has them", () => {
  const probe = kernel(["openat", "ptrace", "dup"]);
  assert.deepEqual(planSyscallHooks(["openat", "ptrace"], probe), {
    kind: "tracepoints",
    events: ["openat", "ptrace"],
    absent: [],
  });
  assert.deepEqual(probe.asked, [[]]);
});

Deno.test("planSyscallHooks() finds a syscall whose event has another name (umount2 is umount)", () => {
  assert.deepEqual(planSyscallHooks(["umount2"], kernel(["umount"])), {
    kind: "tracepoints",
    events: ["umount"],
    absent: [],
  });
});

Deno.test("planSyscallHooks() leaves out syscalls the kernel was built without", () => {
  const probe = kernel(["openat"], ["finit_module", "init_module"]);
  assert.deepEqual(
    planSyscallHooks(["finit_module", "openat", "init_module"], probe),
    {
      kind: "tracepoints",
      events: ["openat"],
      absent: ["finit_module", "init_module"],
    },
  );
  assert.deepEqual(probe.asked, [["finit_module", "init_module"]]);
});

Deno.test("planSyscallHooks() keeps sys_enter/sys_exit when a syscall the kernel has lacks its event, naming it", () => {
  assert.deepEqual(
    planSyscallHooks(
      ["openat", "ptrace", "init_module"],
      kernel(["openat"], ["init_module"]),
    ),
    { kind: "sys_enter", reason: "tracefs has no syscall event for ptrace" },
  );
});

Deno.test("planSyscallHooks() needs both the entry and the exit event", () => {
  const probe: SyscallEventProbe = {
    hasEvent: (name) => name === "sys_enter_openat",
    stubbed: () => new Set(),
  };
  assert.equal(planSyscallHooks(["openat"], probe).kind, "sys_enter");
});
