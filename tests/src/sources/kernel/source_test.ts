import assert from "node:assert/strict";
import {
  KERNEL_EVENT_NAMES,
  openKernelSource,
} from "../../../../src/sources/kernel/source.ts";
import type { TraceeEvent } from "../../../../src/event/event.ts";
import {
  argsOf,
  ARRIVAL_MS,
  captureEvents,
  collectRecords,
  fixtureProgram,
  ignoreKernelTests,
  kernelHasModuleSyscalls,
  programsOf,
  stillLoaded,
  typesOf,
  waitFor,
} from "../../../_helpers/kernel.ts";

const ignore = ignoreKernelTests();

function only(events: TraceeEvent[], name: string): TraceeEvent {
  const found = events.filter((event) => event.eventName === name);
  assert.equal(
    found.length,
    1,
    `expected one ${name}, got ${found.length} of ${
      events.map((event) => event.eventName).join(",")
    }`,
  );
  return found[0]!;
}

function hostPpid(): number {
  return Deno.pid;
}

Deno.test("openKernelSource() rejects an unknown event name with the supported ones", async () => {
  await assert.rejects(
    openKernelSource({ events: new Set(["openat", "no_such_event"]) }),
    (error: unknown) =>
      error instanceof RangeError &&
      error.message.includes('"no_such_event"') &&
      error.message.includes("security_file_open"),
  );
});

Deno.test("KERNEL_EVENT_NAMES lists every event the issue asks for", () => {
  for (
    const name of [
      "sched_process_exec",
      "sched_process_fork",
      "sched_process_exit",
      "execve",
      "open",
      "openat",
      "openat2",
      "security_file_open",
      "security_bprm_check",
      "ptrace",
      "process_vm_writev",
      "memfd_create",
      "mprotect",
      "mem_prot_alert",
      "init_module",
      "finit_module",
      "security_kernel_read_file",
      "mount",
      "security_sb_mount",
      "connect",
      "security_socket_connect",
      "bind",
      "accept4",
      "setuid",
      "setgid",
      "kill",
      "unlink",
      "unlinkat",
      "rename",
      "renameat2",
      "chmod",
      "fchmodat",
      "dup2",
      "dup3",
      "bpf",
      "clone",
      "socket",
    ]
  ) assert.ok(KERNEL_EVENT_NAMES.includes(name), name);
});

Deno.test({
  name:
    "openKernelSource() reports openat of /etc/passwd with its flags and context",
  ignore,
  async fn() {
    const before = BigInt(Date.now()) * 1_000_000n;
    const { child, events } = await captureEvents(["openat"], [
      "open",
      "/etc/passwd",
    ]);
    const after = BigInt(Date.now()) * 1_000_000n;
    const open = events.find((event) =>
      argsOf(event).pathname === "/etc/passwd"
    );
    assert.ok(open, "no openat of /etc/passwd");
    assert.equal(open.eventName, "openat");
    assert.equal(open.eventId, 257);
    assert.equal(open.syscall, "openat");
    assert.equal(open.processName, "provoke");
    assert.equal(open.processId, child.pid);
    assert.equal(open.threadId, child.pid);
    assert.equal(open.hostProcessId, child.pid);
    assert.equal(open.hostThreadId, child.pid);
    assert.equal(open.hostParentProcessId, hostPpid());
    assert.equal(open.parentProcessId, hostPpid());
    assert.equal(open.userId, 0);
    assert.equal(typeof open.timestamp, "bigint");
    assert.ok(open.timestamp >= before && open.timestamp <= after);
    assert.equal(typeof open.threadStartTime, "bigint");
    assert.ok(open.threadStartTime <= open.timestamp);
    assert.equal(typeof open.cgroupId, "bigint");
    assert.equal(open.hostName, Deno.hostname().slice(0, 15));
    const selfNs = Deno.readLinkSync("/proc/self/ns/mnt");
    assert.equal(selfNs, `mnt:[${open.mountNamespace}]`);
    assert.equal(
      Deno.readLinkSync("/proc/self/ns/pid"),
      `pid:[${open.pidNamespace}]`,
    );
    assert.equal(open.returnValue, 3);
    assert.equal(open.argsNum, 4);
    assert.deepEqual(open.args, [
      { name: "dirfd", type: "int", value: -100 },
      { name: "pathname", type: "const char*", value: "/etc/passwd" },
      { name: "flags", type: "string", value: "O_RDONLY|O_CLOEXEC" },
      { name: "mode", type: "umode_t", value: 0 },
    ]);
    assert.ok(
      open.processorId >= 0 && open.processorId < navigator.hardwareConcurrency,
    );
    assert.equal(open.containerId, "");
    assert.deepEqual(open.contextFlags, {
      containerStarted: false,
      isCompat: false,
    });
    assert.ok(
      open.threadEntityId > 0 && open.processEntityId === open.threadEntityId,
    );
  },
});

Deno.test({
  name:
    "openKernelSource() resolves a relative path against the working directory",
  ignore,
  async fn() {
    const dir = Deno.realPathSync(Deno.makeTempDirSync());
    try {
      const { events } = await captureEvents(
        ["openat", "security_file_open"],
        ["create-relative", dir, "./new.txt"],
      );
      const open = only(
        events.filter((e) => String(argsOf(e).pathname).startsWith(dir)),
        "openat",
      );
      assert.equal(argsOf(open).pathname, `${dir}/new.txt`);
      assert.equal(argsOf(open).flags, "O_WRONLY|O_CREAT|O_TRUNC");
      assert.equal(argsOf(open).mode, 0o640);
      const file = only(
        events.filter((e) => argsOf(e).syscall_pathname === "./new.txt"),
        "security_file_open",
      );
      const stat = Deno.statSync(`${dir}/new.txt`);
      assert.deepEqual(argsOf(file), {
        pathname: `${dir}/new.txt`,
        flags: "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE",
        dev: argsOf(file).dev,
        inode: stat.ino,
        ctime: argsOf(file).ctime,
        syscall_pathname: "./new.txt",
      });
      assert.equal(file.syscall, "openat");
      assert.equal(file.eventId, 732);
      const ctime = argsOf(file).ctime as bigint;
      assert.equal(typeof ctime, "bigint");
      assert.equal(
        ctime / 1_000_000_000n,
        BigInt(Math.floor(stat.ctime!.getTime() / 1000)),
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "openKernelSource() reports open and openat2 with security_file_open",
  ignore,
  async fn() {
    const legacy = await captureEvents(["open", "security_file_open"], [
      "open-legacy",
      "/etc/hostname",
    ]);
    const open = only(
      legacy.events.filter((e) => argsOf(e).pathname === "/etc/hostname"),
      "open",
    );
    assert.equal(argsOf(open).flags, "");
    assert.equal(open.returnValue, 3);
    const fileOpen = only(
      legacy.events.filter((e) =>
        argsOf(e).syscall_pathname === "/etc/hostname"
      ),
      "security_file_open",
    );
    assert.equal(argsOf(fileOpen).flags, "O_RDONLY|O_LARGEFILE");
    assert.equal(fileOpen.syscall, "open");
    const two = await captureEvents(["openat2"], ["openat2", "/etc/hostname"]);
    const openat2 = only(two.events, "openat2");
    assert.equal(argsOf(openat2).pathname, "/etc/hostname");
    assert.match(String(argsOf(openat2).how), /^0x[0-9a-f]+$/);
    assert.equal(argsOf(openat2).size, 24);
    assert.equal(openat2.returnValue, 3);
  },
});

Deno.test({
  name:
    "openKernelSource() reports exec: sched_process_exec, execve and security_bprm_check",
  ignore,
  async fn() {
    const program = fixtureProgram("provoke");
    const { child, events } = await captureEvents(
      ["sched_process_exec", "execve", "security_bprm_check"],
      ["exit", "0"],
    );
    const exec = only(events, "sched_process_exec");
    const stat = Deno.statSync(program);
    assert.equal(exec.eventId, 715);
    assert.equal(exec.processName, "provoke");
    assert.equal(exec.processId, child.pid);
    assert.equal(exec.syscall, "execve");
    assert.deepEqual(exec.executable, { path: program });
    const args = argsOf(exec);
    assert.equal(args.cmdpath, program);
    assert.equal(args.pathname, program);
    assert.equal(args.inode, stat.ino);
    assert.equal(args.inode_mode, stat.mode);
    assert.deepEqual(args.argv, [program, "exit", "0"]);
    assert.equal(args.interp, program);
    const loader = Deno.realPathSync("/lib64/ld-linux-x86-64.so.2");
    assert.equal(args.interpreter_pathname, loader);
    assert.equal(args.interpreter_inode, Deno.statSync(loader).ino);
    assert.equal(args.invoked_from_kernel, 0);
    // The name the process had before exec: Deno's, whichever thread forked.
    assert.match(String(args.prev_comm), /^(deno|tokio)/);
    assert.ok(Array.isArray(args.env));
    assert.equal(typesOf(exec).stdin_type, "string");
    assert.equal(exec.argsNum, 17);
    const execve = only(events, "execve");
    assert.equal(execve.eventId, 59);
    assert.equal(argsOf(execve).pathname, program);
    assert.deepEqual(argsOf(execve).argv, [program, "exit", "0"]);
    assert.ok((argsOf(execve).envp as string[]).length > 0);
    assert.equal(execve.returnValue, 0);
    const bprm = only(events, "security_bprm_check");
    assert.equal(argsOf(bprm).pathname, program);
    assert.equal(argsOf(bprm).inode, stat.ino);
    assert.deepEqual(argsOf(bprm).argv, [program, "exit", "0"]);
  },
});

Deno.test({
  name:
    "openKernelSource() reports fork and exit with exit code and group exit",
  ignore,
  async fn() {
    const { child, events } = await captureEvents(
      ["sched_process_fork", "sched_process_exit"],
      ["fork"],
    );
    const grandchild = Number(child.stdout);
    const fork = only(events, "sched_process_fork");
    const args = argsOf(fork);
    assert.equal(fork.eventId, 714);
    assert.equal(args.parent_pid, child.pid);
    assert.equal(args.parent_tid, child.pid);
    assert.equal(args.child_pid, grandchild);
    assert.equal(args.child_tid, grandchild);
    assert.equal(args.child_ns_pid, grandchild);
    assert.equal(args.leader_pid, grandchild);
    assert.equal(args.parent_process_pid, child.pid);
    assert.equal(typeof args.start_time, "bigint");
    assert.equal(fork.argsNum, 20);
    const exits = events.filter((event) =>
      event.eventName === "sched_process_exit"
    );
    assert.equal(exits.length, 1); // the parent's own exit is filtered below
    const all = await captureEvents(["sched_process_exit"], ["fork"], {
      all: true,
    });
    const grandExit = all.events.find((event) =>
      event.eventName === "sched_process_exit" &&
      event.hostParentProcessId === all.child.pid
    );
    assert.ok(grandExit, "no exit of the forked child");
    assert.deepEqual(grandExit.args, [
      { name: "exit_code", type: "long", value: 3 << 8 },
      { name: "process_group_exit", type: "bool", value: true },
    ]);
  },
});

Deno.test({
  name:
    "openKernelSource() hooks only the selected syscalls, one tracepoint each, unless asked for sys_enter",
  ignore,
  async fn() {
    const perSyscall = await captureEvents(["openat", "ptrace"], ["traceme"]);
    assert.deepEqual(
      perSyscall.attached.filter((name) => name.startsWith("tracepoint/")),
      [
        "tracepoint/syscalls/sys_enter_openat",
        "tracepoint/syscalls/sys_exit_openat",
        "tracepoint/syscalls/sys_enter_ptrace",
        "tracepoint/syscalls/sys_exit_ptrace",
      ],
    );
    assert.ok(
      !perSyscall.attached.some((name) => /\/sys_(enter|exit)$/.test(name)),
      perSyscall.attached.join(", "),
    );
    const pair = await captureEvents(["openat", "ptrace"], ["traceme"], {
      syscallHooks: "sys_enter",
    });
    assert.ok(
      pair.attached.some((name) => name.endsWith("/sys_enter")) &&
        pair.attached.some((name) => name.endsWith("/sys_exit")),
      pair.attached.join(", "),
    );
    assert.ok(!pair.attached.some((name) => name.startsWith("tracepoint/")));
  },
});

Deno.test({
  name:
    "openKernelSource() follows opens for security_file_open alone at exit only, with the open's arguments",
  ignore,
  async fn() {
    const before = BigInt(Date.now()) * 1_000_000n;
    const run = await captureEvents(["security_file_open"], [
      "open",
      "/etc/passwd",
    ]);
    const after = BigInt(Date.now()) * 1_000_000n;
    const syscalls = run.attached.filter((name) =>
      name.startsWith("tracepoint/")
    );
    assert.deepEqual(syscalls, [
      "tracepoint/syscalls/sys_exit_open",
      "tracepoint/syscalls/sys_exit_openat",
      "tracepoint/syscalls/sys_exit_openat2",
    ]);
    const open = only(
      run.events.filter((event) => argsOf(event).pathname === "/etc/passwd"),
      "security_file_open",
    );
    assert.equal(open.syscall, "openat");
    assert.equal(open.processId, run.child.pid);
    assert.equal(argsOf(open).syscall_pathname, "/etc/passwd");
    // The open file's flags, as the kernel keeps them.
    assert.equal(argsOf(open).flags, "O_RDONLY|O_LARGEFILE");
    assert.equal(argsOf(open).inode, Deno.statSync("/etc/passwd").ino);
    assert.ok(open.timestamp >= before && open.timestamp <= after);
  },
});

Deno.test({
  name:
    "openKernelSource() reports the same syscall events through sys_enter/sys_exit and through the portable object as through per-syscall tracepoints",
  ignore,
  async fn() {
    const cases: [string[], string[]][] = [
      [["openat", "security_file_open"], ["open", "/etc/passwd"]],
      [["open", "security_file_open"], ["open-legacy", "/etc/hostname"]],
      [["ptrace"], ["traceme"]],
      [["mprotect", "mem_prot_alert"], ["w-to-x"]],
      [["mem_prot_alert"], ["mmap-wx"]],
    ];
    for (const [events, args] of cases) {
      const seen = async (
        options: { syscallHooks?: "sys_enter"; portable?: boolean },
      ) => {
        const run = await captureEvents(events, args, options);
        return run.events.filter((event) => events.includes(event.eventName))
          .map((event) => ({
            eventName: event.eventName,
            returnValue: event.returnValue,
            // The context read through kernel objects (the child differs).
            inOwnPidNamespace: event.processId === event.hostProcessId,
            parentProcessId: event.parentProcessId,
            pidNamespace: event.pidNamespace,
            mountNamespace: event.mountNamespace,
            userId: event.userId,
            // Mappings and the pid differ between the two runs.
            args: event.args.filter((arg) =>
              !["addr", "pid"].includes(arg.name)
            ),
          }));
      };
      const perSyscall = await seen({});
      assert.ok(perSyscall.length > 0, `no events for ${args.join(" ")}`);
      assert.deepEqual(
        await seen({ syscallHooks: "sys_enter" }),
        perSyscall,
        `${args.join(" ")} through sys_enter/sys_exit`,
      );
      assert.deepEqual(
        await seen({ portable: true }),
        perSyscall,
        `${args.join(" ")} through the portable object`,
      );
    }
  },
});

Deno.test({
  name:
    "openKernelSource() reports ptrace PTRACE_TRACEME and process_vm_writev",
  ignore,
  async fn() {
    const traced = await captureEvents(["ptrace"], ["traceme"]);
    const ptrace = only(traced.events, "ptrace");
    assert.equal(ptrace.eventId, 101);
    assert.deepEqual(ptrace.args, [
      { name: "request", type: "string", value: "PTRACE_TRACEME" },
      { name: "pid", type: "pid_t", value: 0 },
      { name: "addr", type: "void*", value: "0x0" },
      { name: "data", type: "void*", value: "0x0" },
    ]);
    assert.equal(ptrace.returnValue, 0);
    const written = await captureEvents(["process_vm_writev"], ["vm-writev"]);
    const writev = only(written.events, "process_vm_writev");
    assert.equal(argsOf(writev).pid, written.child.pid);
    assert.equal(argsOf(writev).liovcnt, 1);
    assert.equal(argsOf(writev).riovcnt, 1);
    assert.match(String(argsOf(writev).local_iov), /^0x[0-9a-f]+$/);
    assert.equal(writev.returnValue, 8);
  },
});

Deno.test({
  name: "openKernelSource() reports memfd_create, mprotect and mem_prot_alert",
  ignore,
  async fn() {
    const memfd = await captureEvents(["memfd_create"], ["memfd"]);
    assert.deepEqual(only(memfd.events, "memfd_create").args, [
      { name: "name", type: "const char*", value: "vigil-test" },
      { name: "flags", type: "unsigned int", value: 1 },
    ]);
    const { child, events } = await captureEvents(
      ["mprotect", "mem_prot_alert"],
      ["w-to-x"],
    );
    const page = `0x${BigInt(child.stdout).toString(16)}`;
    const mprotect = only(
      events.filter((e) => argsOf(e).addr === page),
      "mprotect",
    );
    assert.deepEqual(mprotect.args, [
      { name: "addr", type: "void*", value: page },
      { name: "len", type: "size_t", value: 4096 },
      { name: "prot", type: "string", value: "PROT_READ|PROT_EXEC" },
    ]);
    const alert = only(events, "mem_prot_alert");
    assert.equal(alert.eventId, 724);
    assert.equal(alert.syscall, "mprotect");
    const args = argsOf(alert);
    assert.equal(args.alert, "Protection changed from W to E!");
    assert.equal(args.addr, page);
    assert.equal(args.len, 4096);
    assert.equal(args.prot, "PROT_READ|PROT_EXEC");
    assert.match(String(args.prev_prot), /^PROT_READ\|PROT_WRITE/);
    assert.equal(args.pathname, "");
    const wx = await captureEvents(["mem_prot_alert"], ["mmap-wx"]);
    const mmapAlert = only(wx.events, "mem_prot_alert");
    assert.equal(
      argsOf(mmapAlert).alert,
      "Mmaped region with W+E permissions!",
    );
    assert.equal(
      argsOf(mmapAlert).addr,
      `0x${BigInt(wx.child.stdout).toString(16)}`,
    );
    assert.equal(argsOf(mmapAlert).prot, "PROT_READ|PROT_WRITE|PROT_EXEC");
    assert.equal(mmapAlert.syscall, "mmap");
  },
});

Deno.test({
  name:
    "openKernelSource() reports module loading through sys_enter: init_module, finit_module, security_kernel_read_file",
  ignore,
  async fn() {
    // sys_enter sees these calls even on a kernel without module support.
    const options = { syscallHooks: "sys_enter" } as const;
    const init = await captureEvents(
      ["init_module"],
      ["init-module"],
      options,
    );
    const initModule = only(init.events, "init_module");
    assert.equal(argsOf(initModule).len, 64);
    assert.equal(argsOf(initModule).param_values, "vigil=1");
    assert.ok((initModule.returnValue as number) < 0);
    const dir = Deno.realPathSync(Deno.makeTempDirSync());
    const path = `${dir}/fake.ko`;
    Deno.writeTextFileSync(path, "not a kernel module\n");
    try {
      const { events } = await captureEvents(
        ["finit_module", "security_kernel_read_file"],
        ["finit-module", path],
        options,
      );
      const finit = only(events, "finit_module");
      assert.equal(argsOf(finit).fd, 3);
      assert.equal(argsOf(finit).param_values, "vigil=1");
      const read = only(events, "security_kernel_read_file");
      assert.equal(read.eventId, 743);
      assert.equal(read.syscall, "finit_module");
      assert.deepEqual(
        { ...argsOf(read), dev: 0, ctime: 0 },
        {
          pathname: path,
          dev: 0,
          inode: Deno.statSync(path).ino,
          type: "kernel-module",
          ctime: 0,
        },
      );
      assert.equal(typesOf(read).type, "string");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "openKernelSource() hooks module loading by tracepoints where the kernel has it, else leaves it out and says so",
  ignore,
  async fn() {
    const hasModules = kernelHasModuleSyscalls();
    const messages: string[] = [];
    const run = await captureEvents(["init_module", "openat"], [
      "init-module",
    ], { log: (_level, message) => void messages.push(message) });
    const hooked = run.attached.includes(
      "tracepoint/syscalls/sys_enter_init_module",
    );
    assert.ok(run.attached.includes("tracepoint/syscalls/sys_enter_openat"));
    assert.equal(hooked, hasModules);
    assert.equal(
      run.events.filter((event) => event.eventName === "init_module").length,
      hasModules ? 1 : 0,
    );
    assert.equal(
      messages.some((message) =>
        message.startsWith("Not hooking init_module: this kernel was built")
      ),
      !hasModules,
      messages.join("\n"),
    );
  },
});

Deno.test({
  name: "openKernelSource() reports mount and security_sb_mount",
  ignore,
  async fn() {
    const dir = Deno.realPathSync(Deno.makeTempDirSync());
    try {
      const { child, events } = await captureEvents(
        ["mount", "security_sb_mount"],
        ["mount", dir],
      );
      assert.equal(child.code, 0);
      const mount = only(events, "mount");
      assert.equal(argsOf(mount).source, "vigil-test");
      assert.equal(argsOf(mount).target, dir);
      assert.equal(argsOf(mount).filesystemtype, "tmpfs");
      assert.equal(argsOf(mount).mountflags, 2);
      assert.equal(mount.returnValue, 0);
      assert.deepEqual(only(events, "security_sb_mount").args, [
        { name: "dev_name", type: "const char*", value: "vigil-test" },
        { name: "path", type: "const char*", value: dir },
        { name: "type", type: "const char*", value: "tmpfs" },
        { name: "flags", type: "unsigned long", value: 2 },
      ]);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "openKernelSource() reports connect, security_socket_connect, bind and accept4 addresses",
  ignore,
  async fn() {
    const connected = await captureEvents(
      ["socket", "connect", "security_socket_connect"],
      ["connect", "9"],
    );
    assert.deepEqual(only(connected.events, "socket").args, [
      { name: "domain", type: "string", value: "AF_INET" },
      { name: "type", type: "string", value: "SOCK_STREAM" },
      { name: "protocol", type: "int", value: 0 },
    ]);
    const address = {
      sa_family: "AF_INET",
      sin_addr: "127.0.0.1",
      sin_port: "9",
    };
    const connect = only(connected.events, "connect");
    assert.deepEqual(argsOf(connect).addr, address);
    assert.equal(connect.returnValue, -111);
    const security = only(connected.events, "security_socket_connect");
    assert.deepEqual(security.args, [
      { name: "sockfd", type: "int", value: 3 },
      { name: "type", type: "string", value: "SOCK_STREAM" },
      { name: "remote_addr", type: "struct sockaddr*", value: address },
    ]);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const served = await captureEvents(["bind", "accept4"], [
      "bind-accept",
      String(port),
    ]);
    const bind = only(served.events, "bind");
    assert.deepEqual(argsOf(bind).addr, {
      sa_family: "AF_INET",
      sin_addr: "127.0.0.1",
      sin_port: String(port),
    });
    assert.equal(bind.returnValue, 0);
    const accept = only(served.events, "accept4");
    assert.deepEqual(argsOf(accept).addr, {
      sa_family: "AF_INET",
      sin_addr: "127.0.0.1",
      sin_port: served.child.stdout,
    });
    assert.equal(argsOf(accept).flags, 0o2000000);
    assert.equal(accept.returnValue, 5);
  },
});

Deno.test({
  name:
    "openKernelSource() reports setuid, setgid, setreuid, setresgid and kill",
  ignore,
  async fn() {
    const { events } = await captureEvents(
      ["setuid", "setgid", "setreuid", "setresgid"],
      ["ids"],
    );
    assert.deepEqual(only(events, "setuid").args, [{
      name: "uid",
      type: "uid_t",
      value: 0,
    }]);
    assert.deepEqual(only(events, "setgid").args, [{
      name: "gid",
      type: "gid_t",
      value: 0,
    }]);
    assert.deepEqual(argsOf(only(events, "setreuid")), { ruid: -1, euid: 0 });
    assert.deepEqual(argsOf(only(events, "setresgid")), {
      rgid: -1,
      egid: -1,
      sgid: 0,
    });
    const killed = await captureEvents(["kill"], ["kill"]);
    const kill = only(killed.events, "kill");
    assert.deepEqual(argsOf(kill), { pid: killed.child.pid, sig: 0 });
    assert.equal(kill.returnValue, 0);
  },
});

Deno.test({
  name:
    "openKernelSource() reports rename, renameat2, chmod, fchmodat, unlink and unlinkat with resolved paths",
  ignore,
  async fn() {
    const dir = Deno.realPathSync(Deno.makeTempDirSync());
    try {
      const { events } = await captureEvents(
        ["rename", "renameat2", "chmod", "fchmodat", "unlink", "unlinkat"],
        ["files", dir],
      );
      assert.deepEqual(argsOf(only(events, "rename")), {
        oldpath: `${dir}/a`,
        newpath: `${dir}/b`,
      });
      assert.deepEqual(argsOf(only(events, "renameat2")), {
        olddirfd: -100,
        oldpath: `${dir}/b`,
        newdirfd: -100,
        newpath: `${dir}/c`,
        flags: 0,
      });
      assert.deepEqual(only(events, "chmod").args, [
        { name: "pathname", type: "const char*", value: `${dir}/c` },
        {
          name: "mode",
          type: "string",
          value: "S_IRWXU|S_IRGRP|S_IXGRP|S_IROTH|S_IXOTH",
        },
      ]);
      assert.equal(
        argsOf(only(events, "fchmodat")).mode,
        "S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH",
      );
      assert.deepEqual(argsOf(only(events, "unlink")), {
        pathname: `${dir}/c`,
      });
      assert.deepEqual(argsOf(only(events, "unlinkat")), {
        dirfd: -100,
        pathname: `${dir}/d`,
        flags: 0,
      });
      for (const event of events) {
        assert.equal(event.returnValue, 0, event.eventName);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "openKernelSource() reports dup2, dup3 and bpf",
  ignore,
  async fn() {
    const { events } = await captureEvents(["dup2", "dup3", "bpf"], ["dup"]);
    assert.deepEqual(argsOf(only(events, "dup2")), { oldfd: 1, newfd: 40 });
    assert.equal(only(events, "dup2").returnValue, 40);
    assert.deepEqual(argsOf(only(events, "dup3")), {
      oldfd: 1,
      newfd: 41,
      flags: 0o2000000,
    });
    const bpf = await captureEvents(["bpf"], ["bpf"]);
    const call = only(bpf.events, "bpf");
    assert.equal(argsOf(call).cmd, "BPF_PROG_GET_NEXT_ID");
    assert.equal(typesOf(call).cmd, "string");
    assert.equal(argsOf(call).size, 128);
  },
});

Deno.test({
  name:
    "openKernelSource() never traces itself nor excluded processes and their children",
  ignore,
  async fn() {
    const program = fixtureProgram("provoke");
    const marker = `/etc/hostname`;
    const waiting = new Deno.Command(program, {
      args: ["spawn", `exec ${program} open ${marker}`],
      stdin: "piped",
    });
    // The excluded process runs two shell children that open the marker.
    const source = await openKernelSource({
      events: new Set(["openat", "sched_process_exec"]),
    });
    const collector = collectRecords(source);
    try {
      const blocker = new Deno.Command(program, {
        args: ["sleep", marker],
        stdin: "piped",
      }).spawn();
      source.excludePid(blocker.pid);
      const writer = blocker.stdin.getWriter();
      await writer.write(new TextEncoder().encode("go\n"));
      await writer.close();
      await blocker.status;
      const excludedTree = waiting.spawn();
      source.excludePid(excludedTree.pid);
      await excludedTree.stdin.close();
      await excludedTree.status;
      Deno.readTextFileSync(marker); // Vigil's own open
      const visible = new Deno.Command(program, { args: ["open", marker] })
        .spawn();
      await visible.status;
      const opens = () =>
        collector.records.map((record) => record.event()).filter((event) =>
          event.eventName === "openat" && argsOf(event).pathname === marker
        );
      // The visible open comes last: once it is read, so are the others.
      assert.ok(
        await waitFor(() =>
          opens().some((event) => event.hostProcessId === visible.pid)
        ),
        "the visible open was not read",
      );
      await collector.stop();
      const seen = collector.records.map((record) => record.event());
      assert.deepEqual(opens().map((event) => event.hostProcessId), [
        visible.pid,
      ]);
      assert.ok(!seen.some((event) => event.hostProcessId === Deno.pid));
      // Its own exec may precede excludePid(); its children come after.
      assert.ok(
        !seen.some((event) => event.hostParentProcessId === excludedTree.pid),
      );
      assert.equal(source.stats().delivered, seen.length);
      assert.equal(source.stats().lost, 0);
      assert.deepEqual(source.summary(), []);
    } finally {
      await collector.stop();
      await source.close();
    }
  },
});

Deno.test({
  name:
    "KernelSource.close() detaches everything: bpftool lists none of its programs",
  ignore,
  async fn() {
    const before = await programsOf(Deno.pid);
    const source = await openKernelSource({
      events: new Set(["openat", "sched_process_exec"]),
    });
    const ours = [...await programsOf(Deno.pid)].filter((id) =>
      !before.has(id)
    );
    assert.ok(ours.length >= 3, `programs held: ${ours}`);
    await source.close();
    await source.close();
    assert.deepEqual(await stillLoaded(ours), []);
  },
});

Deno.test({
  name:
    "openKernelSource() refuses a non-root user with a one-line KernelUnavailableError",
  ignore: Deno.uid() !== 0,
  async fn() {
    const dir = Deno.makeTempDirSync();
    Deno.chmodSync(dir, 0o777);
    try {
      const module = new URL(
        "../../../../src/sources/kernel/source.ts",
        import.meta.url,
      );
      const output = await new Deno.Command("setpriv", {
        args: [
          "--reuid=65534",
          "--regid=65534",
          "--clear-groups",
          Deno.execPath(),
          "eval",
          "--no-lock",
          `import { openKernelSource } from "${module.href}";
           try { await openKernelSource({ events: new Set(["openat"]) }); }
           catch (error) { console.log(error.name + ": " + error.message); }`,
        ],
        env: { HOME: dir, DENO_DIR: `${dir}/deno` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(
        new TextDecoder().decode(output.stdout),
        "KernelUnavailableError: Cannot trace the kernel: Vigil must run as root (effective uid is 65534)\n",
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "openKernelSource() gives the container id of a docker-style cgroup",
  ignore,
  async fn() {
    const mounts = Deno.readTextFileSync("/proc/mounts").split("\n");
    const cgroup2 = mounts.map((line) => line.split(" ")).find((fields) =>
      fields[2] === "cgroup2"
    )?.[1];
    assert.ok(cgroup2, "no cgroup2 mount");
    const id = crypto.randomUUID().replaceAll("-", "").repeat(2);
    const dir = `${cgroup2}/docker-${id}.scope`;
    Deno.mkdirSync(dir);
    const program = fixtureProgram("provoke");
    const source = await openKernelSource({ events: new Set(["openat"]) });
    const collector = collectRecords(source);
    try {
      const child = new Deno.Command(program, {
        args: ["sleep", "/etc/hostname"],
        stdin: "piped",
      }).spawn();
      Deno.writeTextFileSync(`${dir}/cgroup.procs`, String(child.pid));
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode("go\n"));
      await writer.close();
      await child.status;
      const find = () =>
        collector.records.find((record) => {
          const event = record.event();
          return event.hostProcessId === child.pid &&
            argsOf(event).pathname === "/etc/hostname";
        });
      await waitFor(() => find() !== undefined);
      await collector.stop();
      const open = find();
      assert.ok(open, "no openat from the container");
      const event = open.event();
      assert.equal(event.containerId, id);
      assert.deepEqual(event.container, { id });
      assert.equal(event.contextFlags.containerStarted, true);
      assert.equal(open.origin, "container");
      assert.equal(event.cgroupId, BigInt(Deno.statSync(dir).ino!));
      // Decoded after the process is gone: found by walking the cgroup tree.
      const late = await openKernelSource({ events: new Set(["openat"]) });
      try {
        const gone = new Deno.Command(program, {
          args: ["sleep", "/etc/hostname"],
          stdin: "piped",
        }).spawn();
        Deno.writeTextFileSync(`${dir}/cgroup.procs`, String(gone.pid));
        const goneWriter = gone.stdin.getWriter();
        await goneWriter.write(new TextEncoder().encode("go\n"));
        await goneWriter.close();
        await gone.status;
        const lateController = new AbortController();
        const timer = setTimeout(() => lateController.abort(), ARRIVAL_MS);
        let found: TraceeEvent | undefined;
        for await (const batch of late.batches(lateController.signal)) {
          found ??= batch.map((record) => record.event()).find((e) =>
            e.hostProcessId === gone.pid &&
            argsOf(e).pathname === "/etc/hostname"
          );
          if (found) break;
        }
        clearTimeout(timer);
        assert.equal(found?.containerId, id);
      } finally {
        await late.close();
      }
    } finally {
      await collector.stop();
      await source.close();
      Deno.removeSync(dir);
    }
  },
});

Deno.test({
  name:
    "openKernelSource() reports clone with parsed flags and the child's pid",
  ignore,
  async fn() {
    const { child, events } = await captureEvents(["clone"], ["fork"]);
    const clone = only(events, "clone");
    assert.equal(clone.eventId, 56);
    assert.equal(
      argsOf(clone).flags,
      "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID",
    );
    assert.equal(typesOf(clone).flags, "string");
    assert.equal(clone.returnValue, Number(child.stdout));
  },
});
