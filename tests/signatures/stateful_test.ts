import assert from "node:assert/strict";
import type { TraceeEvent } from "../../src/event/event.ts";
import type { OnEvent } from "../../src/sdk/mod.ts";
import { tracee } from "../_helpers/replay.ts";

type Arg = [string, string, unknown];

let instances = 0;

/**
 * A fresh instance of a TypeScript signature (its module state is new) and
 * a `feed` that returns what it reported for one event.
 */
async function load(name: string) {
  const url = new URL(`../../signatures/ts/${name}.ts`, import.meta.url);
  url.search = `instance=${++instances}`;
  const { onEvent } = await import(url.href) as { onEvent: OnEvent };
  return (
    eventName: string,
    args: Arg[],
    context: Record<string, unknown> = {},
  ): unknown[] => {
    const reports: unknown[] = [];
    onEvent(
      tracee(eventName, args, context) as unknown as TraceeEvent,
      (data) => reports.push(data ?? true),
    );
    return reports;
  };
}

function process(
  pid: number,
  name: string,
  extra: Record<string, unknown> = {},
) {
  return {
    processId: pid,
    hostProcessId: pid,
    threadId: pid,
    hostThreadId: pid,
    processName: name,
    ...extra,
  };
}

function inet(address: string, port: number): Record<string, string> {
  return address.includes(":")
    ? {
      sa_family: "AF_INET6",
      sin6_addr: address,
      sin6_flowinfo: "0",
      sin6_port: String(port),
      sin6_scopeid: "0",
    }
    : { sa_family: "AF_INET", sin_addr: address, sin_port: String(port) };
}

function connect(fd: number, addr: unknown): Arg[] {
  return [["sockfd", "int", fd], ["addr", "struct sockaddr*", addr], [
    "addrlen",
    "int",
    16,
  ]];
}

function dup2(oldfd: number, newfd: number): Arg[] {
  return [["oldfd", "int", oldfd], ["newfd", "int", newfd]];
}

function fork(parent: number, child: number): Arg[] {
  return [
    ["parent_pid", "int", parent],
    ["child_pid", "int", child],
  ];
}

function exec(pathname: string, argv: string[], cmdpath = pathname): Arg[] {
  return [
    ["cmdpath", "const char*", cmdpath],
    ["pathname", "const char*", pathname],
    ["argv", "const char**", argv],
  ];
}

const EXIT: Arg[] = [["exit_code", "long", 0], [
  "process_group_exit",
  "bool",
  true,
]];

Deno.test("reverse_shell reports a shell whose stdin and stdout are dup2'd from a remote socket, once", async () => {
  const feed = await load("reverse_shell");
  const bash = process(700, "bash", { executable: { path: "/usr/bin/bash" } });
  assert.deepEqual(
    feed("connect", connect(3, inet("203.0.113.9", 443)), bash),
    [],
  );
  assert.deepEqual(feed("dup2", dup2(3, 0), { ...bash, returnValue: 0 }), []);
  assert.deepEqual(feed("dup2", dup2(3, 1), { ...bash, returnValue: 1 }), [
    { remote_address: "203.0.113.9:443", shell: "/usr/bin/bash" },
  ]);
  assert.deepEqual(feed("dup2", dup2(3, 2), { ...bash, returnValue: 2 }), []);
});

Deno.test("reverse_shell follows the socket through dup, fork and exec of busybox sh", async () => {
  const feed = await load("reverse_shell");
  const python = process(800, "python3");
  feed("security_socket_connect", [
    ["sockfd", "int", 5],
    ["type", "string", "SOCK_STREAM"],
    ["remote_addr", "struct sockaddr*", inet("2001:db8::7", 8443)],
  ], python);
  feed("close", [["fd", "int", 0]], python);
  assert.deepEqual(
    feed("dup", [["oldfd", "int", 5]], { ...python, returnValue: 0 }),
    [],
  );
  assert.deepEqual(
    feed("dup3", [...dup2(0, 1), ["flags", "int", 0]], {
      ...python,
      returnValue: 1,
    }),
    [],
  );
  feed("sched_process_fork", fork(800, 801), python);
  assert.deepEqual(
    feed(
      "sched_process_exec",
      exec("/bin/busybox", ["sh", "-i"]),
      process(801, "sh"),
    ),
    [{ remote_address: "[2001:db8::7]:8443", shell: "/bin/busybox" }],
  );
});

Deno.test("reverse_shell ignores loopback peers, failed connects and non-shells", async () => {
  const feed = await load("reverse_shell");
  const loopback = process(900, "bash");
  feed("connect", connect(3, inet("127.0.0.1", 8080)), loopback);
  feed("dup2", dup2(3, 0), loopback);
  assert.deepEqual(
    feed("dup2", dup2(3, 1), { ...loopback, returnValue: 1 }),
    [],
  );
  const refused = process(901, "bash");
  feed("connect", connect(3, inet("198.51.100.1", 80)), {
    ...refused,
    returnValue: -111,
  });
  feed("dup2", dup2(3, 0), refused);
  assert.deepEqual(
    feed("dup2", dup2(3, 1), { ...refused, returnValue: 1 }),
    [],
  );
  const client = process(902, "python3");
  feed("connect", connect(3, inet("198.51.100.1", 80)), client);
  feed("dup2", dup2(3, 0), client);
  assert.deepEqual(feed("dup2", dup2(3, 1), { ...client, returnValue: 1 }), []);
  assert.deepEqual(
    feed(
      "sched_process_exec",
      exec("/usr/bin/python3.11", ["python3"]),
      client,
    ),
    [],
  );
});

Deno.test("reverse_shell forgets a descriptor reused for a local socket, and a process at exit", async () => {
  const feed = await load("reverse_shell");
  const reused = process(1000, "bash");
  feed("connect", connect(3, inet("198.51.100.1", 80)), reused);
  feed(
    "connect",
    connect(3, { sa_family: "AF_UNIX", sun_path: "/run/nscd/socket" }),
    reused,
  );
  feed("dup2", dup2(3, 0), reused);
  assert.deepEqual(feed("dup2", dup2(3, 1), { ...reused, returnValue: 1 }), []);
  const exited = process(1001, "bash");
  feed("connect", connect(3, inet("198.51.100.1", 80)), exited);
  feed("sched_process_exit", EXIT, exited);
  feed("dup2", dup2(3, 0), exited);
  assert.deepEqual(feed("dup2", dup2(3, 1), { ...exited, returnValue: 1 }), []);
});

Deno.test("reverse_shell hands connections on only through a fork naming both pids", async () => {
  const feed = await load("reverse_shell");
  const python = process(1100, "python3");
  feed("connect", connect(3, inet("203.0.113.9", 443)), python);
  feed("dup2", dup2(3, 0), { ...python, returnValue: 0 });
  feed("dup2", dup2(3, 1), { ...python, returnValue: 1 });
  // Neither fork says which process inherits whose descriptors.
  feed("sched_process_fork", [["parent_pid", "int", 1100]], python);
  feed("sched_process_fork", [["child_pid", "int", 1300]], process(1200, "x"));
  assert.deepEqual(
    feed("sched_process_exec", exec("/bin/sh", ["sh"]), process(1300, "sh")),
    [],
  );
});

Deno.test("reverse_shell tracks at most 4096 processes, forgetting the oldest", async () => {
  const feed = await load("reverse_shell");
  for (let pid = 10000; pid <= 14096; pid++) {
    feed("connect", connect(3, inet("198.51.100.1", 80)), process(pid, "bash"));
  }
  const oldest = process(10000, "bash");
  feed("dup2", dup2(3, 0), oldest);
  assert.deepEqual(feed("dup2", dup2(3, 1), { ...oldest, returnValue: 1 }), []);
  const newest = process(14096, "bash");
  feed("dup2", dup2(3, 0), newest);
  assert.equal(
    feed("dup2", dup2(3, 1), { ...newest, returnValue: 1 }).length,
    1,
  );
});

Deno.test("self_deleting_executable reports an unlink of the process's own binary", async () => {
  const feed = await load("self_deleting_executable");
  const dropper = process(2000, "helper");
  feed(
    "sched_process_exec",
    exec("/tmp/.x/helper", ["./helper"], "./helper"),
    dropper,
  );
  assert.deepEqual(
    feed("unlink", [["pathname", "const char*", "/tmp/.x/other"]], dropper),
    [],
  );
  assert.deepEqual(
    feed("unlink", [["pathname", "const char*", "/tmp/.x/helper"]], {
      ...dropper,
      returnValue: -13,
    }),
    [],
  );
  assert.deepEqual(
    feed("unlinkat", [["dirfd", "int", -100], [
      "pathname",
      "const char*",
      "helper",
    ], ["flags", "int", 0x200]], dropper),
    [],
  );
  assert.deepEqual(
    feed("unlinkat", [["dirfd", "int", -100], [
      "pathname",
      "const char*",
      "./helper",
    ], ["flags", "int", 0]], dropper),
    [{ pathname: "./helper", executable: "/tmp/.x/helper" }],
  );
  assert.deepEqual(
    feed("unlink", [["pathname", "const char*", "/tmp/.x/helper"]], dropper),
    [],
  );
});

Deno.test("self_deleting_executable follows forks and forgets exited processes", async () => {
  const feed = await load("self_deleting_executable");
  const parent = process(2100, "agent");
  feed(
    "sched_process_exec",
    exec("/opt/agent/agent", ["/opt/agent/agent"]),
    parent,
  );
  feed("sched_process_fork", fork(2100, 2101), parent);
  feed("sched_process_exit", EXIT, parent);
  assert.deepEqual(
    feed("unlink", [["pathname", "const char*", "/opt/agent/agent"]], parent),
    [],
  );
  assert.deepEqual(
    feed(
      "unlink",
      [["pathname", "const char*", "/opt/agent/agent"]],
      process(2101, "agent"),
    ),
    [{ pathname: "/opt/agent/agent", executable: "/opt/agent/agent" }],
  );
});

Deno.test("self_deleting_executable hands a binary on only through a fork naming both pids", async () => {
  const feed = await load("self_deleting_executable");
  const agent = process(2200, "agent");
  feed("sched_process_exec", exec("/opt/agent/agent", ["agent"]), agent);
  feed("sched_process_fork", [["parent_pid", "int", 2200]], agent);
  feed("sched_process_fork", [["child_pid", "int", 2301]], process(2300, "x"));
  assert.deepEqual(
    feed(
      "unlink",
      [["pathname", "const char*", "/opt/agent/agent"]],
      process(2301, "x"),
    ),
    [],
  );
});

Deno.test("self_deleting_executable remembers at most 8192 processes", async () => {
  const feed = await load("self_deleting_executable");
  for (let pid = 20000; pid <= 28192; pid++) {
    feed("sched_process_exec", exec(`/tmp/p${pid}`, ["p"]), process(pid, "p"));
  }
  assert.deepEqual(
    feed(
      "unlink",
      [["pathname", "const char*", "/tmp/p20000"]],
      process(20000, "p"),
    ),
    [],
  );
  assert.equal(
    feed(
      "unlink",
      [["pathname", "const char*", "/tmp/p28192"]],
      process(28192, "p"),
    ).length,
    1,
  );
});

const CONTAINER = {
  containerId: "4f1d8a52c0b3",
  container: { id: "4f1d8a52c0b3" },
  contextFlags: { containerStarted: true, isCompat: false },
};
const ELF = btoa("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00");

function magicWrite(pathname: string, inode: number, bytes = ELF): Arg[] {
  return [
    ["pathname", "const char*", pathname],
    ["bytes", "bytes", bytes],
    ["dev", "dev_t", 46],
    ["inode", "unsigned long", inode],
  ];
}

function containerExec(pathname: string, inode: number): Arg[] {
  return [...exec(pathname, [pathname]), ["dev", "dev_t", 46], [
    "inode",
    "unsigned long",
    inode,
  ]];
}

Deno.test("dropped_executable_executed reports the first run of an ELF written in the same container", async () => {
  const feed = await load("dropped_executable_executed");
  const curl = { ...CONTAINER, ...process(31, "curl") };
  const shell = { ...CONTAINER, ...process(32, "sh") };
  assert.deepEqual(feed("magic_write", magicWrite("/tmp/x", 5233), curl), []);
  assert.deepEqual(
    feed(
      "magic_write",
      magicWrite("/tmp/run.sh", 5234, btoa("#!/bin/sh\n")),
      curl,
    ),
    [],
  );
  assert.deepEqual(
    feed("sched_process_exec", containerExec("/tmp/run.sh", 5234), shell),
    [],
  );
  assert.deepEqual(
    feed("sched_process_exec", containerExec("/tmp/x", 5233), shell),
    [
      { pathname: "/tmp/x", written_as: "/tmp/x", writer: "curl" },
    ],
  );
  assert.deepEqual(
    feed("sched_process_exec", containerExec("/tmp/x", 5233), shell),
    [],
  );
});

Deno.test("dropped_executable_executed recognises a renamed file by inode, and only in its container", async () => {
  const feed = await load("dropped_executable_executed");
  feed("magic_write", magicWrite("/tmp/.t", 7301), {
    ...CONTAINER,
    ...process(40, "wget"),
  });
  const other = {
    ...CONTAINER,
    containerId: "9b2d0c7e5a4f",
    container: { id: "9b2d0c7e5a4f" },
  };
  assert.deepEqual(
    feed("sched_process_exec", containerExec("/tmp/.t", 7301), {
      ...other,
      ...process(41, "sh"),
    }),
    [],
  );
  assert.deepEqual(
    feed("sched_process_exec", containerExec("/usr/local/bin/h", 7301), {
      ...CONTAINER,
      ...process(42, "sh"),
    }),
    [
      { pathname: "/usr/local/bin/h", written_as: "/tmp/.t", writer: "wget" },
    ],
  );
});

Deno.test("dropped_executable_executed remembers at most 4096 files", async () => {
  const feed = await load("dropped_executable_executed");
  const writer = { ...CONTAINER, ...process(50, "tar") };
  for (let inode = 1; inode <= 4097; inode++) {
    feed("magic_write", magicWrite(`/opt/bin/f${inode}`, inode), writer);
  }
  const shell = { ...CONTAINER, ...process(51, "sh") };
  assert.deepEqual(
    feed("sched_process_exec", containerExec("/opt/bin/f1", 1), shell),
    [],
  );
  assert.equal(
    feed("sched_process_exec", containerExec("/opt/bin/f4097", 4097), shell)
      .length,
    1,
  );
});
