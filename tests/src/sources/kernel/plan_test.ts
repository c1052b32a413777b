import assert from "node:assert/strict";
import {
  argKind,
  KERNEL_EVENT_NAMES,
  KERNEL_EVENTS,
  kernelPlan,
} from "../../../../src/sources/kernel/plan.ts";
import { EVENTS_BY_NAME } from "../../../../src/event/catalog.ts";
import {
  ArgKind,
  SchedFlag,
  SysFlag,
} from "../../../../ffi/ring_record_layout.ts";

Deno.test("kernelPlan() records only the syscalls the selected events need", () => {
  const plan = kernelPlan(
    new Set(["openat", "security_file_open", "execve", "mem_prot_alert"]),
  );
  assert.deepEqual(
    new Map([...plan.sysFlags].sort(([a], [b]) => a - b)),
    new Map([
      // Opens only for security_file_open need no entry state; openat,
      // selected itself, does.
      [2, SysFlag.Derived | SysFlag.ExitOnly],
      [9, SysFlag.Derived],
      [10, SysFlag.Derived],
      [59, SysFlag.Emit | SysFlag.AtEntry],
      [257, SysFlag.Emit | SysFlag.Derived],
      [437, SysFlag.Derived | SysFlag.ExitOnly],
    ]),
  );
  assert.equal(plan.schedFlags, 0);
});

Deno.test("kernelPlan() saves exec entry state for sched_process_exec", () => {
  const plan = kernelPlan(
    new Set(["sched_process_exec", "sched_process_exit"]),
  );
  assert.equal(plan.schedFlags, SchedFlag.Exec | SchedFlag.Exit);
  assert.deepEqual([...plan.sysFlags], [[59, SysFlag.Save], [
    322,
    SysFlag.Save,
  ]]);
});

Deno.test("kernelPlan() throws a RangeError naming the supported events", () => {
  assert.throws(
    () => kernelPlan(new Set(["magic_write"])),
    (error: unknown) =>
      error instanceof RangeError &&
      error.message.startsWith('Cannot trace event "magic_write"') &&
      error.message.includes("sched_process_exec"),
  );
});

Deno.test("KERNEL_EVENTS carries Tracee's ids", () => {
  const ids = Object.fromEntries(
    KERNEL_EVENT_NAMES.map((name) => [name, KERNEL_EVENTS.get(name)!.id]),
  );
  assert.equal(ids.sched_process_exec, 715);
  assert.equal(ids.sched_process_fork, 714);
  assert.equal(ids.sched_process_exit, 716);
  assert.equal(ids.security_file_open, 732);
  assert.equal(ids.security_bprm_check, 731);
  assert.equal(ids.security_sb_mount, 740);
  assert.equal(ids.security_kernel_read_file, 743);
  assert.equal(ids.security_socket_connect, 736);
  assert.equal(ids.mem_prot_alert, 724);
  assert.equal(ids.openat, 257);
  assert.equal(ids.openat2, 437);
  assert.equal(ids.bpf, 321);
  assert.equal(ids.renameat2, 316);
});

Deno.test("argKind() captures strings, paths, arrays, sockaddrs and dirfds", () => {
  assert.equal(argKind(["const char*", "pathname"]), ArgKind.Path);
  assert.equal(argKind(["const char*", "name"]), ArgKind.Str);
  assert.equal(argKind(["const char*const*", "argv"]), ArgKind.StrArray);
  assert.equal(argKind(["struct sockaddr*", "addr"]), ArgKind.Sockaddr);
  assert.equal(argKind(["int", "olddirfd"]), ArgKind.Dirfd);
  assert.equal(argKind(["int", "flags"]), ArgKind.Raw);
});

Deno.test("KERNEL_EVENTS derives each event from what the catalog says", () => {
  for (const event of KERNEL_EVENTS.values()) {
    assert.deepEqual(
      { id: event.id, params: event.params },
      {
        id: EVENTS_BY_NAME.get(event.name)!.id,
        params: EVENTS_BY_NAME.get(event.name)!.params,
      },
    );
    if (event.kind === "common") {
      const from = EVENTS_BY_NAME.get(event.name)!.derivedFrom!;
      assert.deepEqual(event.syscalls, from.syscalls ?? [], event.name);
      assert.equal(
        event.sched !== 0,
        from.tracepoint !== undefined,
        event.name,
      );
    }
  }
  const derived = [...EVENTS_BY_NAME.values()].filter((event) =>
    event.derivedFrom
  );
  for (const event of derived) assert.ok(KERNEL_EVENTS.has(event.name));
});
