import assert from "node:assert/strict";
import {
  formatPointer,
  parseBpfCommand,
  parseCloneFlags,
  parseInodeMode,
  parseKernelReadType,
  parseMemProtAlert,
  parseMmapProt,
  parseOpenFlags,
  parsePtraceRequest,
  parseSockaddr,
  parseSocketDomain,
  parseSocketType,
} from "../../../src/event/argument_parsers.ts";

Deno.test("parseOpenFlags() gives one access mode then flags in Tracee's order", () => {
  assert.equal(parseOpenFlags(0), "");
  assert.equal(parseOpenFlags(0o2000000), "O_RDONLY|O_CLOEXEC");
  assert.equal(parseOpenFlags(0o1101), "O_WRONLY|O_CREAT|O_TRUNC");
  assert.equal(parseOpenFlags(0o2), "O_RDWR");
  assert.equal(parseOpenFlags(0o3), "O_WRONLY");
  assert.equal(parseOpenFlags(0o100000), "O_RDONLY|O_LARGEFILE");
  assert.equal(
    parseOpenFlags(0o2000000 | 0o40000 | 0o1000000),
    "O_RDONLY|O_CLOEXEC|O_DIRECT|O_NOATIME",
  );
  assert.equal(parseOpenFlags(0o4010000), "O_RDONLY|O_SYNC");
  assert.equal(parseOpenFlags(0o10000), "O_RDONLY");
  assert.equal(parseOpenFlags(0o20200000), "O_RDONLY|O_DIRECTORY|O_TMPFILE");
});

Deno.test("parseMmapProt() names protection bits and PROT_NONE", () => {
  assert.equal(parseMmapProt(0), "PROT_NONE");
  assert.equal(parseMmapProt(5), "PROT_READ|PROT_EXEC");
  assert.equal(parseMmapProt(7), "PROT_READ|PROT_WRITE|PROT_EXEC");
  assert.equal(parseMmapProt(0x8 | 0x1), "PROT_READ|PROT_SEM");
  assert.equal(parseMmapProt(0x01000000), "PROT_GROWSDOWN");
  assert.equal(parseMmapProt(0x10), "");
});

Deno.test("parseInodeMode() gives the file type then permission classes", () => {
  assert.equal(parseInodeMode(0), "");
  assert.equal(
    parseInodeMode(0o755),
    "S_IRWXU|S_IRGRP|S_IXGRP|S_IROTH|S_IXOTH",
  );
  assert.equal(
    parseInodeMode(0o100644),
    "S_IFREG|S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH",
  );
  assert.equal(parseInodeMode(0o20000), "S_IFCHR");
  assert.equal(parseInodeMode(0o140777), "S_IFSOCK|S_IRWXU|S_IRWXG|S_IRWXO");
  assert.equal(parseInodeMode(0o4000), "");
});

Deno.test("parseCloneFlags() ignores the exit signal", () => {
  assert.equal(
    parseCloneFlags(0x1200011n),
    "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID",
  );
  assert.equal(parseCloneFlags(0x11n), "");
  assert.equal(parseCloneFlags(0x80000000n), "CLONE_IO");
});

Deno.test("parseMemProtAlert() gives Tracee's exact messages", () => {
  assert.equal(parseMemProtAlert(1), "Mmaped region with W+E permissions!");
  assert.equal(parseMemProtAlert(2), "Protection changed to Executable!");
  assert.equal(parseMemProtAlert(3), "Protection changed from E to W+E!");
  assert.equal(parseMemProtAlert(4), "Protection changed from W to E!");
  assert.equal(parseMemProtAlert(0), "Unknown alert");
  assert.equal(parseMemProtAlert(5), "Unknown alert");
});

Deno.test("parseKernelReadType() names kernel_read_file ids", () => {
  assert.equal(parseKernelReadType(2), "kernel-module");
  assert.equal(parseKernelReadType(1), "firmware");
  assert.equal(parseKernelReadType(6), "x509-certificate");
  assert.equal(parseKernelReadType(7), "");
});

Deno.test("parsePtraceRequest() knows Tracee's requests and nothing else", () => {
  assert.equal(parsePtraceRequest(0), "PTRACE_TRACEME");
  assert.equal(parsePtraceRequest(4), "PTRACE_POKETEXT");
  assert.equal(parsePtraceRequest(0x4206), "PTRACE_SEIZE");
  assert.equal(parsePtraceRequest(0x420e), "PTRACE_GET_SYSCALL_INFO");
  assert.equal(parsePtraceRequest(25), "");
  assert.equal(parsePtraceRequest(0x420f), "");
});

Deno.test("parseSocketDomain() and parseSocketType() follow Tracee's tables", () => {
  assert.equal(parseSocketDomain(2), "AF_INET");
  assert.equal(parseSocketDomain(12), "AF_DECnet");
  assert.equal(parseSocketDomain(44), "AF_XDP");
  assert.equal(parseSocketDomain(45), "");
  assert.equal(
    parseSocketType(0x80801),
    "SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC",
  );
  assert.equal(parseSocketType(2), "SOCK_DGRAM");
  assert.equal(parseSocketType(0), "0");
});

Deno.test("parseBpfCommand() names commands 0 to 34 only", () => {
  assert.equal(parseBpfCommand(0), "BPF_MAP_CREATE");
  assert.equal(parseBpfCommand(5), "BPF_PROG_LOAD");
  assert.equal(parseBpfCommand(34), "BPF_LINK_DETACH");
  assert.equal(parseBpfCommand(35), "");
});

Deno.test("formatPointer() writes lowercase hex without padding", () => {
  assert.equal(formatPointer(0n), "0x0");
  assert.equal(formatPointer(0x7ffdc0debeefn), "0x7ffdc0debeef");
  assert.equal(formatPointer(-1n), "0xffffffffffffffff");
});

function sockaddr(bytes: number[]): Uint8Array {
  return new Uint8Array(bytes);
}

Deno.test("parseSockaddr() decodes IPv4, IPv6 and Unix addresses as strings", () => {
  assert.deepEqual(
    parseSockaddr(
      sockaddr([2, 0, 0x01, 0xbb, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
    ),
    { sa_family: "AF_INET", sin_addr: "10.0.0.1", sin_port: "443" },
  );
  const v6 = new Uint8Array(28);
  v6.set([10, 0, 0, 80]); // family, port 80
  v6.set([0x20, 0x01, 0x0d, 0xb8], 8);
  v6[23] = 1;
  v6[24] = 3; // scope id 3
  assert.deepEqual(parseSockaddr(v6), {
    sa_family: "AF_INET6",
    sin6_addr: "2001:db8::1",
    sin6_flowinfo: "0",
    sin6_port: "80",
    sin6_scopeid: "3",
  });
  const mapped = new Uint8Array(28);
  mapped.set([10, 0]);
  mapped.set([0xff, 0xff, 127, 0, 0, 1], 18);
  assert.equal(parseSockaddr(mapped).sin6_addr, "127.0.0.1");
  const zero = new Uint8Array(28);
  zero[0] = 10;
  assert.equal(parseSockaddr(zero).sin6_addr, "::");
  const unix = new Uint8Array(110);
  unix[0] = 1;
  unix.set(new TextEncoder().encode("/run/docker.sock"), 2);
  assert.deepEqual(parseSockaddr(unix), {
    sa_family: "AF_UNIX",
    sun_path: "/run/docker.sock",
  });
  assert.deepEqual(parseSockaddr(sockaddr([0, 0])), { sa_family: "AF_UNSPEC" });
  assert.deepEqual(parseSockaddr(sockaddr([16, 0])), {
    sa_family: "AF_NETLINK",
  });
});
