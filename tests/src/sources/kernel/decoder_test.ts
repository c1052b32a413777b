import assert from "node:assert/strict";
import {
  type DecodeContext,
  RingRecordDecoder,
} from "../../../../src/sources/kernel/decoder.ts";
import {
  FieldKind,
  FileOffset,
  HeaderOffset,
  Limits,
  PathIndex,
  RingRecordFlag,
  RingRecordKind,
  Slot,
} from "../../../../ffi/ring_record_layout.ts";
import type { TraceeEvent } from "../../../../src/event/event.ts";
import { formatEventJson } from "../../../../src/event/json.ts";

const BOOT_TO_EPOCH = 1_700_000_000_000_000_000n;
const encoder = new TextEncoder();

function newDecoder(gate?: DecodeContext["gate"]): RingRecordDecoder {
  return new RingRecordDecoder({
    bootToEpochNs: BOOT_TO_EPOCH,
    containerOf: (cgroupId) =>
      cgroupId === 0x1_0000_0001n
        ? { id: "c".repeat(64), runtime: "docker", root: true }
        : undefined,
    ...(gate ? { gate } : {}),
  });
}

/** Builds a record as the BPF programs write it. */
class RecordBuilder {
  readonly bytes = new Uint8Array(4096);
  readonly view = new DataView(this.bytes.buffer);
  length: number = Limits.HEADER_SIZE;

  constructor(kind: number, flags: number, syscall: number) {
    const v = this.view;
    v.setBigUint64(HeaderOffset.ts, 5_000_000_000n, true);
    v.setBigUint64(HeaderOffset.startTime, 4_000_000_000n, true);
    v.setBigUint64(HeaderOffset.leaderStart, 4_000_000_000n, true);
    v.setBigUint64(HeaderOffset.parentStart, 1_000_000_000n, true);
    v.setBigUint64(HeaderOffset.cgroupId, 0x1_0000_0001n, true);
    v.setUint32(HeaderOffset.mntNs, 4026531841, true);
    v.setUint32(HeaderOffset.pidNs, 4026531836, true);
    v.setUint32(HeaderOffset.hostPid, 1000, true);
    v.setUint32(HeaderOffset.hostTid, 1001, true);
    v.setUint32(HeaderOffset.hostPpid, 999, true);
    v.setUint32(HeaderOffset.pid, 10, true);
    v.setUint32(HeaderOffset.tid, 11, true);
    v.setUint32(HeaderOffset.ppid, 0, true);
    v.setUint32(HeaderOffset.uid, 1000, true);
    v.setUint32(HeaderOffset.cpu, 1, true);
    v.setInt32(HeaderOffset.syscallNr, syscall, true);
    v.setUint8(HeaderOffset.kind, kind);
    v.setUint8(HeaderOffset.flags, flags);
    this.bytes.set(encoder.encode("cat\0"), HeaderOffset.comm);
    this.bytes.set(
      encoder.encode("a-very-long-hostname"),
      HeaderOffset.hostname,
    );
  }

  args(...values: bigint[]): this {
    values.forEach((value, i) =>
      this.view.setBigUint64(
        HeaderOffset.args + 8 * i,
        BigInt.asUintN(64, value),
        true,
      )
    );
    return this;
  }

  ret(value: bigint): this {
    this.view.setBigInt64(HeaderOffset.ret, value, true);
    return this;
  }

  field(kind: number, index: number, data: Uint8Array): this {
    this.view.setUint8(this.length, kind);
    this.view.setUint8(this.length + 1, index);
    this.view.setUint16(this.length + 2, data.length, true);
    this.bytes.set(data, this.length + 4);
    this.length += 4 + data.length;
    return this;
  }

  text(kind: number, index: number, value: string): this {
    return this.field(kind, index, encoder.encode(value));
  }

  file(index: number, inode: bigint, flags: number, mode = 0o100644): this {
    const data = new Uint8Array(Limits.FILE_SIZE);
    const view = new DataView(data.buffer);
    view.setBigUint64(FileOffset.inode, inode, true);
    view.setBigUint64(FileOffset.ctime, 1_712_345_678_123_456_789n, true);
    view.setUint32(FileOffset.dev, (8 << 20) | 1, true);
    view.setUint32(FileOffset.flags, flags, true);
    view.setUint16(FileOffset.mode, mode, true);
    return this.field(FieldKind.File, index, data);
  }

  /** The record's events, checking that each one's JSON is its own. */
  decode(decoder: RingRecordDecoder = newDecoder()): TraceeEvent[] {
    this.view.setUint32(HeaderOffset.size, this.length, true);
    return decoder.decode(this.bytes, this.view, 0, this.length).map(
      (record) => {
        const event = record.event();
        assert.equal(record.json, formatEventJson(event));
        assert.equal(record.eventName, event.eventName);
        return event;
      },
    );
  }
}

Deno.test("RingRecordDecoder.decode() builds openat and security_file_open from one record", () => {
  const events = new RecordBuilder(
    RingRecordKind.Syscall,
    RingRecordFlag.EmitSyscall | RingRecordFlag.EmitDerived,
    257,
  )
    .args(-100n, 0x7ffd_0000n, 0o1101n, 0o644n)
    .ret(3n)
    .text(FieldKind.Str, 1, "../etc/./x")
    .text(FieldKind.Path, Slot.Base, "tmp\0home\0")
    .file(Slot.File, 77n, 0o100001)
    .text(FieldKind.Path, Slot.File, "x\0etc\0")
    .decode();
  assert.deepEqual(events.map((event) => event.eventName), [
    "openat",
    "security_file_open",
  ]);
  const [openat, fileOpen] = events as [TraceeEvent, TraceeEvent];
  assert.equal(openat.eventId, 257);
  assert.equal(openat.timestamp, BOOT_TO_EPOCH + 5_000_000_000n);
  assert.equal(openat.threadStartTime, BOOT_TO_EPOCH + 4_000_000_000n);
  assert.equal(openat.cgroupId, 0x1_0000_0001n);
  assert.equal(openat.processName, "cat");
  assert.equal(openat.hostName, "a-very-long-hos");
  assert.equal(openat.processId, 10);
  assert.equal(openat.threadId, 11);
  assert.equal(openat.hostProcessId, 1000);
  assert.equal(openat.hostThreadId, 1001);
  assert.equal(openat.hostParentProcessId, 999);
  assert.equal(openat.parentProcessId, 0);
  assert.equal(openat.mountNamespace, 4026531841);
  assert.equal(openat.syscall, "openat");
  assert.equal(openat.containerId, "c".repeat(64));
  assert.deepEqual(openat.container, { id: "c".repeat(64) });
  assert.deepEqual(openat.contextFlags, {
    containerStarted: true,
    isCompat: false,
  });
  assert.equal(openat.returnValue, 3);
  assert.deepEqual(openat.args, [
    { name: "dirfd", type: "int", value: -100 },
    { name: "pathname", type: "const char*", value: "/home/etc/x" },
    { name: "flags", type: "string", value: "O_WRONLY|O_CREAT|O_TRUNC" },
    { name: "mode", type: "umode_t", value: 0o644 },
  ]);
  assert.deepEqual(fileOpen.args, [
    { name: "pathname", type: "const char*", value: "/etc/x" },
    {
      name: "flags",
      type: "string",
      value: "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE",
    },
    { name: "dev", type: "dev_t", value: (8 << 20) | 1 },
    { name: "inode", type: "unsigned long", value: 77 },
    { name: "ctime", type: "unsigned long", value: 1_712_345_678_123_456_789n },
    { name: "syscall_pathname", type: "const char*", value: "../etc/./x" },
  ]);
  assert.equal(fileOpen.returnValue, 0);
  assert.equal(fileOpen.eventId, 732);
});

Deno.test("RingRecordDecoder.decode() drops, uncounted as events, what fails its gate, and builds the rest as without one", () => {
  const asked: string[] = [];
  const gated = newDecoder((eventName) => {
    asked.push(eventName);
    return eventName === "security_file_open"
      ? { name: "pathname", matches: (value) => value === "/etc/shadow" }
      : eventName === "openat"
      ? { name: "flags", matches: () => false } // converted: not testable
      : undefined;
  });
  const open = (path: string) =>
    new RecordBuilder(
      RingRecordKind.Syscall,
      RingRecordFlag.EmitSyscall | RingRecordFlag.EmitDerived,
      257,
    )
      .args(-100n, 0x7ffd_0000n, 0n)
      .ret(3n)
      .text(FieldKind.Str, 1, path)
      .file(Slot.File, 77n, 0)
      .text(FieldKind.Path, Slot.File, path.split("/").reverse().join("\0"));
  const passwd = open("/etc/passwd").decode(gated);
  assert.deepEqual(passwd.map((event) => event.eventName), ["openat"]);
  assert.equal(gated.unwanted, 1);
  const shadow = open("/etc/shadow");
  assert.deepEqual(shadow.decode(gated), shadow.decode(newDecoder()));
  assert.equal(gated.unwanted, 1);
  assert.deepEqual(asked, ["openat", "security_file_open"], "once per name");
});

Deno.test("RingRecordDecoder.decode() reports only what the record's flags ask for", () => {
  const derivedOnly = new RecordBuilder(
    RingRecordKind.Syscall,
    RingRecordFlag.EmitDerived,
    257,
  )
    .ret(-2n)
    .text(FieldKind.Str, 1, "/missing")
    .decode();
  assert.deepEqual(derivedOnly, []);
});

Deno.test("RingRecordDecoder.decode() raises mem_prot_alert when a writable mapping becomes executable", () => {
  const [alert] = new RecordBuilder(
    RingRecordKind.Syscall,
    RingRecordFlag.EmitDerived,
    10,
  )
    .args(0x7f00_0000_0000n, 0n, 5n)
    .ret(0n)
    .field(
      FieldKind.U64,
      Slot.PrevProt,
      new Uint8Array([0x73, 0, 0, 0, 0, 0, 0, 0]),
    )
    .decode();
  assert.ok(alert);
  assert.deepEqual(alert.args, [
    { name: "alert", type: "string", value: "Protection changed from W to E!" },
    { name: "addr", type: "void*", value: "0x7f0000000000" },
    { name: "len", type: "size_t", value: 4096 },
    { name: "prot", type: "string", value: "PROT_READ|PROT_EXEC" },
    { name: "prev_prot", type: "string", value: "PROT_READ|PROT_WRITE" },
    { name: "pathname", type: "const char*", value: "" },
    { name: "dev", type: "dev_t", value: 0 },
    { name: "inode", type: "unsigned long", value: 0 },
    { name: "ctime", type: "u64", value: 0 },
  ]);
  const none = new RecordBuilder(
    RingRecordKind.Syscall,
    RingRecordFlag.EmitDerived,
    10,
  )
    .args(0x1000n, 4096n, 1n)
    .field(
      FieldKind.U64,
      Slot.PrevProt,
      new Uint8Array([0x73, 0, 0, 0, 0, 0, 0, 0]),
    )
    .decode();
  assert.deepEqual(none, []);
});

Deno.test("RingRecordDecoder.decode() builds sched_process_exec with argv padded to argc", () => {
  const argc = new Uint8Array(8);
  argc[0] = 3;
  const events = new RecordBuilder(
    RingRecordKind.Exec,
    RingRecordFlag.EmitSyscall | RingRecordFlag.EmitDerived,
    59,
  )
    .text(FieldKind.KernelStr, Slot.Cmdpath, "./run")
    .text(FieldKind.KernelStr, Slot.Interp, "./run")
    .text(FieldKind.KernelStr, Slot.PrevComm, "bash")
    .field(FieldKind.U64, Slot.Argc, argc)
    .text(FieldKind.ArgArea, Slot.Argv, "./run\0-v\0")
    .text(FieldKind.ArgArea, Slot.Envp, "A=1\0B=2\0")
    .file(Slot.Stdin, 5n, 2, 0o20620)
    .text(FieldKind.Path, Slot.Stdin, "0\0pts\0dev\0")
    .file(Slot.File, 42n, 0o100000, 0o100755)
    .text(FieldKind.Path, Slot.File | PathIndex.Bare, "memfd:payload")
    .file(Slot.Interpreter, 43n, 0o100000)
    .text(FieldKind.Path, Slot.Interpreter, "ld.so\0lib\0")
    .decode();
  const [exec, bprm] = events as [TraceeEvent, TraceeEvent];
  assert.equal(exec.eventName, "sched_process_exec");
  assert.equal(exec.syscall, "execve");
  assert.deepEqual(exec.executable, { path: "memfd:payload" });
  const args = Object.fromEntries(
    exec.args.map((arg) => [arg.name, arg.value]),
  );
  assert.equal(args.cmdpath, "./run");
  assert.equal(args.pathname, "memfd:payload");
  assert.equal(args.inode, 42);
  assert.equal(args.inode_mode, 0o100755);
  assert.deepEqual(args.argv, ["./run", "-v", "?"]);
  assert.equal(args.stdin_type, "S_IFCHR");
  assert.equal(args.stdin_path, "/dev/pts/0");
  assert.equal(args.prev_comm, "bash");
  assert.deepEqual(args.env, ["A=1", "B=2"]);
  assert.equal(args.interpreter_pathname, "/lib/ld.so");
  assert.equal(args.interpreter_inode, 43);
  assert.equal(exec.argsNum, 17);
  assert.equal(bprm.eventName, "security_bprm_check");
  assert.deepEqual(bprm.args.map((arg) => arg.name), [
    "pathname",
    "dev",
    "inode",
    "argv",
    "envp",
  ]);
});

Deno.test("RingRecordDecoder.decode() ignores a record shorter than its header", () => {
  const decoder = new RingRecordDecoder({
    bootToEpochNs: 0n,
    containerOf: () => undefined,
  });
  const bytes = new Uint8Array(100);
  assert.deepEqual(
    decoder.decode(bytes, new DataView(bytes.buffer), 0, 100),
    [],
  );
});

Deno.test("RingRecordDecoder.decode() decodes UTF-8 names and paths", () => {
  const [open] = new RecordBuilder(
    RingRecordKind.Syscall,
    RingRecordFlag.EmitSyscall,
    257,
  )
    .args(-100n, 0n, 0n, 0n)
    .text(FieldKind.Str, 1, "/tmp/café-日本")
    .decode();
  assert.equal(
    open?.args.find((arg) => arg.name === "pathname")?.value,
    "/tmp/café-日本",
  );
  const [file] = new RecordBuilder(
    RingRecordKind.Syscall,
    RingRecordFlag.EmitDerived,
    257,
  )
    .text(FieldKind.Str, 1, "x")
    .file(Slot.File, 1n, 0)
    .text(FieldKind.Path, Slot.File, "é\0tmp\0")
    .decode();
  assert.equal(file?.args[0]?.value, "/tmp/é");
});

Deno.test("RingRecordDecoder.decode() follows a thread's context from record to record", () => {
  const decoder = newDecoder();
  const openat = () =>
    new RecordBuilder(RingRecordKind.Syscall, RingRecordFlag.EmitSyscall, 257)
      .args(-100n, 0n, 0n, 0n)
      .text(FieldKind.Str, 1, "/etc/hostname");
  const first = openat().decode(decoder)[0]!;
  const again = openat().decode(decoder)[0]!;
  assert.equal(again.processName, "cat");
  assert.equal(again.executable, first.executable);

  // The same thread after exec: new comm, new executable, new user.
  const exec = new RecordBuilder(
    RingRecordKind.Exec,
    RingRecordFlag.EmitSyscall,
    59,
  )
    .text(FieldKind.Path, Slot.File, "bash\0bin\0usr\0")
    .file(Slot.File, 5n, 0, 0o100755);
  exec.bytes.set(encoder.encode("bash\0"), HeaderOffset.comm);
  const [execEvent] = exec.decode(decoder);
  assert.deepEqual(execEvent!.executable, { path: "/usr/bin/bash" });
  assert.equal(execEvent!.processName, "bash");

  const after = openat();
  after.bytes.set(encoder.encode("bash\0"), HeaderOffset.comm);
  after.view.setUint32(HeaderOffset.uid, 0, true);
  after.view.setUint32(HeaderOffset.cpu, 0, true);
  after.view.setBigUint64(HeaderOffset.ts, 6_000_000_000n, true);
  const [later] = after.decode(decoder);
  assert.deepEqual(later!.executable, { path: "/usr/bin/bash" });
  assert.equal(later!.processName, "bash");
  assert.equal(later!.userId, 0);
  assert.equal(later!.processorId, 0);
  assert.equal(later!.timestamp, BOOT_TO_EPOCH + 6_000_000_000n);

  // exec again without a change of comm: only the executable tells.
  const reexec = new RecordBuilder(RingRecordKind.Exec, 0, 59)
    .text(FieldKind.Path, Slot.File, "bash2\0tmp\0")
    .file(Slot.File, 6n, 0, 0o100755);
  reexec.bytes.set(encoder.encode("bash\0"), HeaderOffset.comm);
  reexec.view.setUint32(HeaderOffset.uid, 0, true);
  assert.deepEqual(reexec.decode(decoder), []);
  after.view.setBigUint64(HeaderOffset.ts, 7_000_000_000n, true);
  const [relaunched] = after.decode(decoder);
  assert.deepEqual(relaunched!.executable, { path: "/tmp/bash2" });

  // Another thread of the process keeps its own context.
  const other = openat();
  other.view.setUint32(HeaderOffset.hostTid, 1002, true);
  other.view.setUint32(HeaderOffset.tid, 12, true);
  const [sibling] = other.decode(decoder);
  assert.equal(sibling!.hostThreadId, 1002);
  assert.equal(sibling!.threadId, 12);
  assert.deepEqual(sibling!.executable, { path: "/tmp/bash2" });
});

Deno.test("RingRecordDecoder.decode() gives each record its own strings when texts repeat, collide or are not ASCII", () => {
  const decoder = newDecoder();
  const open = (raw: string, leafFirst: string) =>
    new RecordBuilder(RingRecordKind.Syscall, RingRecordFlag.EmitDerived, 257)
      .args(-100n, 0x7ffd_0000n, 0n, 0n)
      .ret(3n)
      .text(FieldKind.Str, 1, raw)
      .file(Slot.File, 77n, 0)
      .text(FieldKind.Path, Slot.File, leafFirst)
      .decode(decoder)
      .map((event) => [
        event.args.find((arg) => arg.name === "pathname")?.value,
        event.args.find((arg) => arg.name === "syscall_pathname")?.value,
      ]);
  // "Aa" and "BB" have the same 31-based hash: the bytes decide.
  const cases: [string, string, string][] = [
    ["Aa", "x\0etc\0", "/etc/x"],
    ["BB", "y\0etc\0", "/etc/y"],
    ["Aa", "x\0etc\0", "/etc/x"],
    ["caf\u00e9", "caf\u00e9\0tmp\0", "/tmp/caf\u00e9"],
    ["BB", "y\0etc\0", "/etc/y"],
  ];
  for (const [raw, leafFirst, path] of cases) {
    assert.deepEqual(open(raw, leafFirst), [[path, raw]]);
  }
});
