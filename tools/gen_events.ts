/**
 * A deterministic, seeded stream of Tracee events for benchmarks: a realistic
 * mix of file, process, memory and network events from a pool of host and
 * container processes, with a small share of malicious ones (ptrace
 * PTRACE_TRACEME, a write-open of `/etc/ld.so.preload`, an exec from a
 * `memfd:`, a read of `/proc/kcore`, a kernel module load, ...). Lines carry
 * Tracee's full field set in its order, 19-digit timestamps and parsed
 * argument strings (`O_RDONLY|O_CLOEXEC`, `PTRACE_ATTACH`, `PROT_READ`).
 *
 * ```sh
 * deno run -A tools/gen_events.ts --seed 1 --count 100000 --out events.jsonl
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { EventArgument, TraceeEvent } from "../src/event/event.ts";
import { formatEventJson } from "../src/event/json.ts";
import { eventDefinition } from "../src/event/catalog.ts";
import { entityId } from "../src/event/entity_id.ts";
import {
  parseMmapProt,
  parseOpenFlags,
} from "../src/event/argument_parsers.ts";

/** Options of {@linkcode generateEvents}. */
export interface GenerateOptions {
  /**
   * Seed of the pseudo-random generator: the same seed gives the same lines.
   * @default {1}
   */
  seed?: number;
  /** How many events to yield. */
  count: number;
  /**
   * Share of malicious events, from 0 to 1.
   * @default {0.01}
   */
  maliciousShare?: number;
}

/**
 * Text that occurs in a malicious event of this generator and in no benign
 * one, so that a stream can be checked without a side channel.
 */
export const MALICIOUS_MARKERS: readonly string[] = [
  '"PTRACE_TRACEME"',
  '"PTRACE_POKETEXT"',
  '"/etc/ld.so.preload"',
  '"memfd:',
  '"/proc/kcore"',
  '"eventName":"init_module"',
  '"kernel-module"',
  "Protection changed from W to E!",
  "LD_PRELOAD=",
];

/** Whether a line of this generator is one of its malicious events. */
export function isMalicious(line: string): boolean {
  return MALICIOUS_MARKERS.some((marker) => line.includes(marker));
}

/**
 * mulberry32: a small, fast 32-bit PRNG. Returns floats in [0, 1).
 *
 * @param seed Any 32-bit integer.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------
// Argument parsing as Tracee does it (TRACEE-EVENTS.md section 2).

const O = {
  WRONLY: 0o1,
  RDWR: 0o2,
  CREAT: 0o100,
  EXCL: 0o200,
  NOCTTY: 0o400,
  TRUNC: 0o1000,
  APPEND: 0o2000,
  NONBLOCK: 0o4000,
  LARGEFILE: 0o100000,
  DIRECTORY: 0o200000,
  NOFOLLOW: 0o400000,
  CLOEXEC: 0o2000000,
} as const;

// ---------------------------------------------------------------------------
// The world: hosts, containers, processes.

const HOST_NAME = "ip-10-0-3-17";
const HOST_MNT_NS = 4026531841;
const HOST_PID_NS = 4026531836;
const BOOT_EPOCH_NS = 1795800000000000000n;
const STREAM_START_NS = 1795803780000000000n;

interface Container {
  id: string;
  name: string;
  image: string;
  imageDigest: string;
  pod?: { name: string; namespace: string; uid: string };
  hostName: string;
  cgroupId: number;
  mntNs: number;
  pidNs: number;
  nextPid: number;
}

interface Process {
  pid: number;
  hostPid: number;
  ppid: number;
  hostPpid: number;
  comm: string;
  exe: string;
  uid: number;
  startTime: bigint;
  entity: number;
  parentEntity: number;
  container: Container | undefined;
  /** What the process opens: paths and flags. */
  files: readonly FileUse[];
  /** Short-lived processes are replaced after they exit. */
  shortLived: boolean;
}

interface FileUse {
  path: string;
  flags: number;
}

const R = O.CLOEXEC;
const LIBS: FileUse[] = [
  { path: "/etc/ld.so.cache", flags: R },
  { path: "/lib/x86_64-linux-gnu/libc.so.6", flags: R },
  { path: "/lib/x86_64-linux-gnu/libm.so.6", flags: R },
  { path: "/lib/x86_64-linux-gnu/libpthread.so.0", flags: R },
  { path: "/usr/lib/locale/locale-archive", flags: R },
  { path: "/etc/nsswitch.conf", flags: R },
  { path: "/etc/passwd", flags: R },
  { path: "/proc/self/maps", flags: 0 },
  { path: "/dev/null", flags: O.RDWR },
  { path: "/usr/share/zoneinfo/UTC", flags: R },
];

interface Template {
  comm: string;
  exe: string;
  uid: number;
  files: FileUse[];
  shortLived?: boolean;
}

const HOST_TEMPLATES: Template[] = [
  {
    comm: "sshd-session",
    exe: "/usr/lib/openssh/sshd-session",
    uid: 0,
    files: [
      { path: "/etc/ssh/sshd_config", flags: R },
      { path: "/var/log/auth.log", flags: O.WRONLY | O.APPEND | O.CREAT },
    ],
  },
  {
    comm: "systemd-journal",
    exe: "/usr/lib/systemd/systemd-journald",
    uid: 0,
    files: [
      { path: "/var/log/journal/3f1e/system.journal", flags: O.RDWR | R },
      { path: "/proc/1/cmdline", flags: R },
      { path: "/run/systemd/journal/streams/8:2241", flags: R },
    ],
  },
  {
    comm: "containerd",
    exe: "/usr/bin/containerd",
    uid: 0,
    files: [
      {
        path: "/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db",
        flags: O.RDWR | R,
      },
      { path: "/sys/fs/cgroup/system.slice/cpu.stat", flags: R },
    ],
  },
  {
    comm: "kubelet",
    exe: "/usr/bin/kubelet",
    uid: 0,
    files: [
      { path: "/sys/fs/cgroup/kubepods.slice/memory.stat", flags: R },
      { path: "/var/lib/kubelet/pods", flags: O.DIRECTORY | O.NONBLOCK | R },
      { path: "/proc/meminfo", flags: R },
    ],
  },
  {
    comm: "bash",
    exe: "/usr/bin/bash",
    uid: 1000,
    files: [
      { path: "/home/dev/.bash_history", flags: O.WRONLY | O.APPEND | O.CREAT },
      { path: "/home/dev/.bashrc", flags: 0 },
      { path: "/etc/profile", flags: 0 },
    ],
  },
  {
    comm: "postgres",
    exe: "/usr/lib/postgresql/15/bin/postgres",
    uid: 999,
    files: [
      {
        path: "/var/lib/postgresql/15/main/base/16384/2619",
        flags: O.RDWR | R,
      },
      {
        path: "/var/lib/postgresql/15/main/pg_wal/000000010000000000000042",
        flags: O.RDWR | R,
      },
      {
        path: "/var/lib/postgresql/15/main/global/pg_control",
        flags: O.RDWR | R,
      },
    ],
  },
  {
    comm: "cron",
    exe: "/usr/sbin/cron",
    uid: 0,
    files: [{ path: "/etc/crontab", flags: R }],
  },
  {
    comm: "gdb",
    exe: "/usr/bin/gdb",
    uid: 1000,
    files: [{ path: "/home/dev/project/build/app", flags: R }],
  },
  {
    comm: "strace",
    exe: "/usr/bin/strace",
    uid: 1000,
    files: [{ path: "/home/dev/project/build/app", flags: R }],
  },
  {
    comm: "make",
    exe: "/usr/bin/make",
    uid: 1000,
    files: [{ path: "/home/dev/project/Makefile", flags: R }],
    shortLived: true,
  },
  {
    comm: "cc1",
    exe: "/usr/libexec/gcc/x86_64-linux-gnu/12/cc1",
    uid: 1000,
    files: [
      { path: "/home/dev/project/src/main.c", flags: 0 },
      { path: "/usr/include/stdio.h", flags: 0 },
      { path: "/tmp/ccA1b2C3.s", flags: O.WRONLY | O.CREAT | O.TRUNC },
    ],
    shortLived: true,
  },
  {
    comm: "git",
    exe: "/usr/bin/git",
    uid: 1000,
    files: [
      { path: "/home/dev/project/.git/index", flags: R },
      { path: "/home/dev/project/.git/HEAD", flags: R },
    ],
    shortLived: true,
  },
  {
    comm: "ls",
    exe: "/usr/bin/ls",
    uid: 1000,
    files: [{ path: "/home/dev/project", flags: O.DIRECTORY | O.NONBLOCK | R }],
    shortLived: true,
  },
  {
    comm: "cat",
    exe: "/usr/bin/cat",
    uid: 1000,
    files: [{ path: "/etc/os-release", flags: 0 }],
    shortLived: true,
  },
];

const CONTAINER_TEMPLATES: Template[] = [
  {
    comm: "nginx",
    exe: "/usr/sbin/nginx",
    uid: 101,
    files: [
      { path: "/usr/share/nginx/html/index.html", flags: O.NONBLOCK },
      {
        path: "/var/log/nginx/access.log",
        flags: O.WRONLY | O.APPEND | O.CREAT,
      },
      { path: "/etc/nginx/nginx.conf", flags: 0 },
    ],
  },
  {
    comm: "node",
    exe: "/usr/local/bin/node",
    uid: 1000,
    files: [
      { path: "/app/node_modules/express/index.js", flags: R },
      { path: "/app/package.json", flags: R },
      { path: "/tmp/upload-7f3a", flags: O.WRONLY | O.CREAT | O.TRUNC | R },
    ],
  },
  {
    comm: "python3",
    exe: "/usr/local/bin/python3.12",
    uid: 1000,
    files: [
      { path: "/usr/local/lib/python3.12/json/__init__.py", flags: R },
      { path: "/app/worker/tasks.py", flags: R },
      { path: "/app/data/cache.sqlite", flags: O.RDWR | O.CREAT | R },
    ],
  },
  {
    comm: "java",
    exe: "/opt/java/openjdk/bin/java",
    uid: 1001,
    files: [
      { path: "/opt/app/lib/spring-core-6.1.2.jar", flags: R },
      { path: "/opt/java/openjdk/lib/modules", flags: R },
    ],
  },
  {
    comm: "sh",
    exe: "/bin/sh",
    uid: 0,
    files: [{ path: "/etc/hosts", flags: R }],
    shortLived: true,
  },
];

const DESTINATIONS = [
  { sa_family: "AF_INET", sin_addr: "10.0.1.20", sin_port: "5432" },
  { sa_family: "AF_INET", sin_addr: "10.96.0.10", sin_port: "53" },
  { sa_family: "AF_INET", sin_addr: "140.82.121.4", sin_port: "443" },
  { sa_family: "AF_UNIX", sun_path: "/run/containerd/containerd.sock" },
  { sa_family: "AF_UNIX", sun_path: "/var/run/nscd/socket" },
];

// ---------------------------------------------------------------------------

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function hex(random: Random, digits: number): string {
  let text = "";
  for (let i = 0; i < digits; i++) {
    text += "0123456789abcdef"[int(random, 0, 15)];
  }
  return text;
}

class World {
  #random: Random;
  #nextHostPid = 40000;
  containers: Container[];
  processes: Process[];

  constructor(random: Random) {
    this.#random = random;
    const images = [
      ["web", "docker.io/library/nginx:1.27"],
      ["api", "ghcr.io/acme/api:2.14.0"],
      ["worker", "ghcr.io/acme/worker:2.14.0"],
    ];
    this.containers = images.map(([name, image], i) => {
      const id = hex(random, 64);
      return {
        id,
        name: `${name}-${hex(random, 5)}`,
        image: image!,
        imageDigest: `sha256:${hex(random, 64)}`,
        ...(i > 0
          ? {
            pod: {
              name: `${name}-7d9f8c6b5-${hex(random, 5)}`,
              namespace: "prod",
              uid: `${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}-${
                hex(random, 4)
              }-${hex(random, 12)}`,
            },
          }
          : {}),
        hostName: id.slice(0, 12),
        cgroupId: 20000 + i * 317,
        mntNs: 4026532300 + i * 7,
        pidNs: 4026532303 + i * 7,
        nextPid: 7,
      };
    });
    this.processes = [];
    for (let i = 0; i < 48; i++) this.processes.push(this.spawn(i % 3 === 2));
  }

  /** A new process, on the host or in a random container. */
  spawn(inContainer: boolean): Process {
    const random = this.#random;
    const container = inContainer ? pick(random, this.containers) : undefined;
    const template = pick(
      random,
      container ? CONTAINER_TEMPLATES : HOST_TEMPLATES,
    );
    const hostPid = this.#nextHostPid += int(random, 1, 40);
    const pid = container ? container.nextPid += int(random, 1, 3) : hostPid;
    const ppid = container ? 1 : int(random, 1, 2000);
    const hostPpid = int(random, 1, 30000);
    const startTime = BOOT_EPOCH_NS + BigInt(int(random, 1e9, 3.7e12));
    // The parent started in the first second after boot, before any child;
    // two draws, as the two random entity ids before, keep the stream.
    const parentStart = BOOT_EPOCH_NS +
      BigInt(int(random, 0, 5e8) + int(random, 0, 5e8));
    return {
      pid,
      hostPid,
      ppid,
      hostPpid,
      comm: template.comm,
      exe: template.exe,
      uid: template.uid,
      startTime,
      entity: entityId(hostPid, startTime),
      parentEntity: entityId(hostPpid, parentStart),
      container,
      files: [...LIBS, ...template.files],
      shortLived: template.shortLived ?? false,
    };
  }
}

interface Draft {
  name: string;
  syscall: string;
  returnValue?: number;
  args: EventArgument[];
  process?: Process;
}

function arg(name: string, type: string, value: unknown): EventArgument {
  return { name, type, value };
}

function userPointer(random: Random): string {
  return `0x7f${hex(random, 10)}`;
}

function ctime(random: Random): bigint {
  return 1795420800000000000n + BigInt(int(random, 0, 4e14));
}

function securityFileOpen(
  random: Random,
  path: string,
  flags: number,
): Draft {
  // The kernel's f_flags: O_LARGEFILE added, open-time-only bits cleared.
  const kernelFlags = (flags | O.LARGEFILE) &
    ~(O.CREAT | O.EXCL | O.NOCTTY | O.TRUNC);
  return {
    name: "security_file_open",
    syscall: "openat",
    args: [
      arg("pathname", "const char*", path),
      arg("flags", "string", parseOpenFlags(kernelFlags)),
      arg("dev", "dev_t", pick(random, [8388609, 8388610, 45])),
      arg("inode", "unsigned long", int(random, 2, 9e6)),
      arg("ctime", "unsigned long", ctime(random)),
      arg("syscall_pathname", "const char*", path),
    ],
  };
}

function exec(random: Random, process: Process, path: string): Draft {
  const argv = [process.comm, ...(random() < 0.5 ? ["-c", "true"] : [])];
  return {
    name: "sched_process_exec",
    syscall: "execve",
    args: [
      arg("cmdpath", "const char*", path),
      arg("pathname", "const char*", path),
      arg("dev", "dev_t", 8388609),
      arg("inode", "unsigned long", int(random, 2, 9e6)),
      arg("ctime", "unsigned long", ctime(random)),
      arg("inode_mode", "umode_t", 33261),
      arg(
        "interpreter_pathname",
        "const char*",
        "/usr/lib64/ld-linux-x86-64.so.2",
      ),
      arg("interpreter_dev", "dev_t", 8388609),
      arg("interpreter_inode", "unsigned long", 1573124),
      arg("interpreter_ctime", "unsigned long", 1795420802223473789n),
      arg("argv", "const char**", argv),
      arg("interp", "const char*", path),
      arg("stdin_type", "string", pick(random, ["S_IFCHR", "S_IFIFO", ""])),
      arg("stdin_path", "char*", "/dev/pts/0"),
      arg("invoked_from_kernel", "int", 0),
      arg("prev_comm", "const char*", process.comm),
      arg("env", "const char**", []),
    ],
  };
}

function execve(path: string, argv: string[], envp: string[]): Draft {
  return {
    name: "execve",
    syscall: "execve",
    args: [
      arg("pathname", "const char*", path),
      arg("argv", "const char*const*", argv),
      arg("envp", "const char*const*", envp),
    ],
  };
}

const ENV = [
  "PATH=/usr/local/bin:/usr/bin:/bin",
  "HOME=/home/dev",
  "LANG=C.UTF-8",
];
const BENIGN_PTRACE = [
  "PTRACE_ATTACH",
  "PTRACE_PEEKDATA",
  "PTRACE_GETREGS",
  "PTRACE_CONT",
  "PTRACE_DETACH",
  "PTRACE_SEIZE",
];

/** Benign event kinds and their weights (roughly a busy Kubernetes node). */
const BENIGN: readonly [
  number,
  (random: Random, p: Process, w: World) => Draft,
][] = [
  [22, (random, p) => {
    const file = pick(random, p.files);
    return securityFileOpen(random, file.path, file.flags);
  }],
  [22, (random, p) => {
    const file = pick(random, p.files);
    const missing = random() < 0.08;
    return {
      name: "openat",
      syscall: "openat",
      returnValue: missing ? -2 : int(random, 3, 40),
      args: [
        arg("dirfd", "int", -100),
        arg("pathname", "const char*", file.path),
        arg("flags", "string", parseOpenFlags(file.flags)),
        arg("mode", "umode_t", file.flags & O.CREAT ? 420 : 0),
      ],
    };
  }],
  [20, (random) => ({
    name: "close",
    syscall: "close",
    args: [arg("fd", "int", int(random, 3, 40))],
  })],
  [7, (random) => {
    const count = pick(random, [4096, 8192, 65536, 832]);
    return {
      name: "read",
      syscall: "read",
      returnValue: int(random, 0, count),
      args: [
        arg("fd", "int", int(random, 3, 40)),
        arg("buf", "void*", userPointer(random)),
        arg("count", "size_t", count),
      ],
    };
  }],
  [5, (random) => {
    const count = int(random, 1, 4096);
    return {
      name: "write",
      syscall: "write",
      returnValue: count,
      args: [
        arg("fd", "int", int(random, 1, 40)),
        arg("buf", "void*", userPointer(random)),
        arg("count", "size_t", count),
      ],
    };
  }],
  [4, (random) => ({
    name: "mmap",
    syscall: "mmap",
    returnValue: 139_800_000_000_000 + int(random, 0, 1e9) * 4096,
    args: [
      arg("addr", "void*", "0x0"),
      arg("length", "size_t", pick(random, [4096, 8192, 1835008, 2101248])),
      arg("prot", "string", parseMmapProt(pick(random, [1, 3, 5]))),
      arg("flags", "int", pick(random, [2, 34, 2066])),
      arg("fd", "int", pick(random, [-1, 3, 4])),
      arg("off", "off_t", 0),
    ],
  })],
  [5, (random) => ({
    name: "mprotect",
    syscall: "mprotect",
    args: [
      arg("addr", "void*", userPointer(random)),
      arg("len", "size_t", pick(random, [4096, 8192, 12288, 1605632])),
      arg("prot", "string", parseMmapProt(pick(random, [0, 1, 3, 5]))),
    ],
  })],
  [0.3, (random) => ({
    name: "mem_prot_alert",
    syscall: "mmap",
    args: [
      arg("alert", "string", "Mmaped region with W+E permissions!"),
      arg("addr", "void*", userPointer(random)),
      arg("len", "size_t", 4096),
      arg("prot", "string", parseMmapProt(7)),
      arg("prev_prot", "string", parseMmapProt(0)),
      arg("pathname", "const char*", ""),
      arg("dev", "dev_t", 0),
      arg("inode", "unsigned long", 0),
      arg("ctime", "u64", 0),
    ],
  })],
  [1.5, (_random, p) => execve(p.exe, [p.comm], ENV)],
  [1.5, (random, p) => ({
    name: "security_bprm_check",
    syscall: "execve",
    args: [
      arg("pathname", "const char*", p.exe),
      arg("dev", "dev_t", 8388609),
      arg("inode", "unsigned long", int(random, 2, 9e6)),
      arg("argv", "const char*const*", [p.comm]),
      arg("envp", "const char*const*", ENV),
    ],
  })],
  [1.5, (random, p) => exec(random, p, p.exe)],
  [1.5, (random, p) => {
    const start = p.startTime + BigInt(int(random, 1e6, 1e9));
    const child = p.hostPid + int(random, 1, 500);
    const ids = (prefix: string, tid: number, time: bigint) => [
      arg(`${prefix}tid`, "int", tid),
      arg(`${prefix}ns_tid`, "int", tid),
      arg(`${prefix}pid`, "int", tid),
      arg(`${prefix}ns_pid`, "int", tid),
      arg(`${prefix}start_time`, "unsigned long", time),
    ];
    return {
      name: "sched_process_fork",
      syscall: "clone",
      args: [
        ...ids("parent_", p.hostPid, p.startTime),
        ...ids("child_", child, start).map((a) =>
          a.name === "child_start_time" ? arg("start_time", a.type, a.value) : a
        ),
        ...ids("parent_process_", p.hostPid, p.startTime),
        ...ids("leader_", child, start),
      ],
    };
  }],
  [1.5, (random) => ({
    name: "sched_process_exit",
    syscall: "exit_group",
    args: [
      arg("exit_code", "long", pick(random, [0, 0, 0, 256])),
      arg("process_group_exit", "bool", true),
    ],
  })],
  [0.4, (random) => ({
    name: "ptrace",
    syscall: "ptrace",
    args: [
      arg("request", "string", pick(random, BENIGN_PTRACE)),
      arg("pid", "pid_t", int(random, 1000, 60000)),
      arg("addr", "void*", "0x0"),
      arg("data", "void*", "0x0"),
    ],
  })],
  [1, (random) => ({
    name: "socket",
    syscall: "socket",
    returnValue: int(random, 3, 40),
    args: [
      arg("domain", "string", pick(random, ["AF_INET", "AF_UNIX", "AF_INET6"])),
      arg("type", "string", "SOCK_STREAM|SOCK_CLOEXEC"),
      arg("protocol", "int", 0),
    ],
  })],
  [1, (random) => ({
    name: "connect",
    syscall: "connect",
    returnValue: random() < 0.2 ? -115 : 0,
    args: [
      arg("sockfd", "int", int(random, 3, 40)),
      arg("addr", "struct sockaddr*", pick(random, DESTINATIONS)),
      arg("addrlen", "int", 16),
    ],
  })],
  [1, (random) => ({
    name: "security_socket_connect",
    syscall: "connect",
    args: [
      arg("sockfd", "int", int(random, 3, 40)),
      arg("type", "string", "SOCK_STREAM"),
      arg("remote_addr", "struct sockaddr*", pick(random, DESTINATIONS)),
    ],
  })],
];

/** Malicious event kinds, each recognisable by one of `MALICIOUS_MARKERS`. */
const MALICIOUS: readonly ((random: Random, p: Process) => Draft)[] = [
  (random) => ({
    name: "ptrace",
    syscall: "ptrace",
    args: [
      arg("request", "string", "PTRACE_TRACEME"),
      arg("pid", "pid_t", 0),
      arg("addr", "void*", "0x0"),
      arg("data", "void*", "0x0"),
    ],
    returnValue: random() < 0.9 ? 0 : -1,
  }),
  (random) => ({
    name: "ptrace",
    syscall: "ptrace",
    args: [
      arg("request", "string", "PTRACE_POKETEXT"),
      arg("pid", "pid_t", int(random, 1000, 60000)),
      arg("addr", "void*", userPointer(random)),
      arg("data", "void*", `0x${hex(random, 16)}`),
    ],
  }),
  (random) =>
    securityFileOpen(
      random,
      "/etc/ld.so.preload",
      O.WRONLY | O.CREAT | O.TRUNC,
    ),
  (random, p) => exec(random, p, `memfd:${pick(random, ["x", "kworker", ""])}`),
  (random) => securityFileOpen(random, "/proc/kcore", 0),
  (random) => ({
    name: "init_module",
    syscall: "init_module",
    args: [
      arg("module_image", "void*", `0x55${hex(random, 10)}`),
      arg("len", "unsigned long", int(random, 8000, 900000)),
      arg("param_values", "const char*", ""),
    ],
  }),
  (random) => ({
    name: "security_kernel_read_file",
    syscall: "finit_module",
    args: [
      arg("pathname", "const char*", `/tmp/.${hex(random, 6)}.ko`),
      arg("dev", "dev_t", 45),
      arg("inode", "unsigned long", int(random, 2, 9e6)),
      arg("type", "string", "kernel-module"),
      arg("ctime", "unsigned long", ctime(random)),
    ],
  }),
  (random) => ({
    name: "mem_prot_alert",
    syscall: "mprotect",
    args: [
      arg("alert", "string", "Protection changed from W to E!"),
      arg("addr", "void*", userPointer(random)),
      arg("len", "size_t", 4096),
      arg("prot", "string", parseMmapProt(5)),
      arg("prev_prot", "string", parseMmapProt(3)),
      arg("pathname", "const char*", ""),
      arg("dev", "dev_t", 0),
      arg("inode", "unsigned long", 0),
      arg("ctime", "u64", 0),
    ],
  }),
  (_random, p) =>
    execve(p.exe, [p.comm], [...ENV, "LD_PRELOAD=/tmp/.libhook.so"]),
];

function toEvent(draft: Draft, p: Process, timestamp: bigint, cpu: number) {
  const c = p.container;
  const event: TraceeEvent = {
    timestamp,
    threadStartTime: p.startTime,
    processorId: cpu,
    processId: p.pid,
    cgroupId: c ? c.cgroupId : 9274,
    threadId: p.pid,
    parentProcessId: p.ppid,
    hostProcessId: p.hostPid,
    hostThreadId: p.hostPid,
    hostParentProcessId: p.hostPpid,
    userId: p.uid,
    mountNamespace: c ? c.mntNs : HOST_MNT_NS,
    pidNamespace: c ? c.pidNs : HOST_PID_NS,
    processName: p.comm,
    executable: { path: p.exe },
    hostName: c ? c.hostName : HOST_NAME,
    containerId: c ? c.id : "",
    container: c
      ? { id: c.id, name: c.name, image: c.image, imageDigest: c.imageDigest }
      : {},
    kubernetes: c?.pod
      ? {
        podName: c.pod.name,
        podNamespace: c.pod.namespace,
        podUID: c.pod.uid,
      }
      : {},
    eventId: String(eventDefinition(draft.name).id),
    eventName: draft.name,
    matchedPolicies: ["default"],
    argsNum: draft.args.length,
    returnValue: draft.returnValue ?? 0,
    syscall: draft.syscall,
    stackAddresses: null,
    contextFlags: { containerStarted: c !== undefined, isCompat: false },
    threadEntityId: p.entity,
    processEntityId: p.entity,
    parentEntityId: p.parentEntity,
    args: draft.args,
  };
  return event;
}

/**
 * Yields `count` Tracee JSON lines (without newlines). The same options give
 * the same lines.
 *
 * @throws {RangeError} When `count` is negative or `maliciousShare` is not in [0, 1].
 */
export function* generateEvents(options: GenerateOptions): Generator<string> {
  const { seed = 1, count, maliciousShare = 0.01 } = options;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`Cannot generate events: bad count ${count}`);
  }
  if (!(maliciousShare >= 0 && maliciousShare <= 1)) {
    throw new RangeError(
      `Cannot generate events: maliciousShare ${maliciousShare} is not in [0, 1]`,
    );
  }
  const random = mulberry32(seed);
  const world = new World(random);
  const total = BENIGN.reduce((sum, [weight]) => sum + weight, 0);
  let timestamp = STREAM_START_NS;
  for (let i = 0; i < count; i++) {
    timestamp += BigInt(int(random, 200, 20000));
    const slot = int(random, 0, world.processes.length - 1);
    const process = world.processes[slot]!;
    let draft: Draft;
    if (random() < maliciousShare) {
      draft = pick(random, MALICIOUS)(random, process);
    } else {
      let roll = random() * total;
      let kind = BENIGN[0]![1];
      for (const [weight, make] of BENIGN) {
        kind = make;
        if ((roll -= weight) < 0) break;
      }
      draft = kind(random, process, world);
      // Short-lived processes come and go: pid churn as on a real node.
      if (draft.name === "sched_process_exit" && process.shortLived) {
        world.processes[slot] = world.spawn(process.container !== undefined);
      }
    }
    yield formatEventJson(
      toEvent(draft, process, timestamp, int(random, 0, 7)),
    );
  }
}

/** Writes `count` events to `path` (or stdout), one per line, streaming. */
export async function writeEvents(
  path: string | undefined,
  options: GenerateOptions,
): Promise<void> {
  const encoder = new TextEncoder();
  const file = path === undefined
    ? Deno.stdout
    : await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    let chunk: string[] = [];
    let size = 0;
    const flush = async () => {
      const bytes = encoder.encode(chunk.join(""));
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      chunk = [];
      size = 0;
    };
    for (const line of generateEvents(options)) {
      chunk.push(line, "\n");
      size += line.length + 1;
      if (size >= 1 << 20) await flush();
    }
    await flush();
  } finally {
    if (file !== Deno.stdout) file.close();
  }
}

const USAGE =
  `Usage: deno run -A tools/gen_events.ts [--seed N] [--count N] [--malicious-share F] [--out PATH]

Writes a deterministic stream of Tracee JSON events, one per line: the same
options give the same lines.

  --seed N              seed of the stream (default 1)
  --count N             events to write (default 100000)
  --malicious-share F   share of malicious events, from 0 to 1 (default 0.01)
  --out PATH            file to write (default: stdout)
  -h, --help            show this text`;

/** A number option's value, or a RangeError naming the option. */
function numberOption(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    throw new RangeError(`--${name} must be a number, not "${text}"`);
  }
  return value;
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        seed: { type: "string", default: "1" },
        count: { type: "string", default: "100000" },
        "malicious-share": { type: "string", default: "0.01" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(USAGE);
    } else {
      await writeEvents(values.out, {
        seed: numberOption("seed", values.seed),
        count: numberOption("count", values.count),
        maliciousShare: numberOption(
          "malicious-share",
          values["malicious-share"],
        ),
      });
    }
  } catch (error) {
    console.error(`gen_events: ${(error as Error).message.split("\n")[0]}`);
    Deno.exit(2);
  }
}
