import assert from "node:assert/strict";
import { cgroupHierarchy } from "../../../../src/sources/kernel/cgroup_hierarchy.ts";
import { CgroupResolver } from "../../../../src/sources/kernel/cgroup_resolver.ts";
import { RingRecordDecoder } from "../../../../src/sources/kernel/decoder.ts";
import {
  FieldKind,
  HeaderOffset,
  Limits,
  RingRecordFlag,
  RingRecordKind,
  Slot,
} from "../../../../ffi/ring_record_layout.ts";
import type { TraceeEvent } from "../../../../src/event/event.ts";

const PROC_CGROUPS = `#subsys_name	hierarchy	num_cgroups	enabled
cpuset	3	1	1
cpu	1	1	1
memory	4	57	1
net_cls	0	2	1
pids	8	1	1
`;
const V1_MOUNTS = [
  "tmpfs /sys/fs/cgroup tmpfs rw 0 0",
  "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0",
  "cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0",
  "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0",
  "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0",
].join("\n");
const HYBRID_MOUNTS =
  `${V1_MOUNTS}\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0`;

Deno.test("cgroupHierarchy() takes v2 where it is mounted, hybrid or v2-only", () => {
  const v2 = {
    subsys: 0,
    hierarchyId: 0,
    mountPoint: "/sys/fs/cgroup/unified",
    controller: "",
  };
  assert.deepEqual(cgroupHierarchy(HYBRID_MOUNTS, PROC_CGROUPS), v2);
  assert.deepEqual(
    cgroupHierarchy("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n", ""),
    { ...v2, mountPoint: "/sys/fs/cgroup" },
  );
});

Deno.test("cgroupHierarchy() takes the memory controller on v1-only hosts, by its subsystem id", () => {
  const memory = {
    subsys: 3,
    hierarchyId: 4,
    mountPoint: "/sys/fs/cgroup/memory",
    controller: "memory",
  };
  assert.deepEqual(cgroupHierarchy(V1_MOUNTS, PROC_CGROUPS), memory);
  // Asked for, even where v2 is mounted.
  assert.deepEqual(
    cgroupHierarchy(HYBRID_MOUNTS, PROC_CGROUPS, { controller: "memory" }),
    memory,
  );
  assert.deepEqual(
    cgroupHierarchy(HYBRID_MOUNTS, PROC_CGROUPS, { controller: "pids" }),
    {
      subsys: 5,
      hierarchyId: 8,
      mountPoint: "/sys/fs/cgroup/pids",
      controller: "pids",
    },
  );
});

Deno.test("cgroupHierarchy() passes over a v2 hierarchy with no cgroups for a v1 controller, and takes it when there is none", () => {
  const unused = { v2InUse: () => false };
  assert.equal(
    cgroupHierarchy(HYBRID_MOUNTS, PROC_CGROUPS, unused)?.controller,
    "memory",
  );
  const v2Only = "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n";
  assert.equal(
    cgroupHierarchy(v2Only, PROC_CGROUPS, unused)?.mountPoint,
    "/sys/fs/cgroup",
  );
});

Deno.test("cgroupHierarchy() falls back to the first v1 controller mounted, and to none", () => {
  const noMemory = V1_MOUNTS.split("\n").filter((line) =>
    !line.includes("memory")
  ).join("\n");
  assert.equal(cgroupHierarchy(noMemory, PROC_CGROUPS)?.controller, "cpuset");
  // net_cls is enabled but in no v1 hierarchy; hugetlb is not listed.
  assert.equal(
    cgroupHierarchy(HYBRID_MOUNTS, PROC_CGROUPS, { controller: "net_cls" }),
    undefined,
  );
  assert.equal(
    cgroupHierarchy(HYBRID_MOUNTS, PROC_CGROUPS, { controller: "hugetlb" }),
    undefined,
  );
  assert.equal(cgroupHierarchy("proc /proc proc rw 0 0\n", ""), undefined);
});

const CONTAINER = "ab".repeat(32);
const CONTAINER_CGROUP = 7001n;
const encoder = new TextEncoder();

/** A header-only ring record of `kind` from thread `hostTid` in `cgroupId`. */
function record(
  kind: number,
  cgroupId: bigint,
  hostTid: number,
  extra: { args?: bigint[]; path?: string } = {},
): { bytes: Uint8Array; view: DataView; length: number } {
  const bytes = new Uint8Array(1024);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(HeaderOffset.cgroupId, cgroupId, true);
  view.setUint32(HeaderOffset.hostPid, hostTid, true);
  view.setUint32(HeaderOffset.hostTid, hostTid, true);
  view.setInt32(HeaderOffset.syscallNr, -1, true);
  view.setUint8(HeaderOffset.kind, kind);
  (extra.args ?? []).forEach((value, i) =>
    view.setBigUint64(HeaderOffset.args + 8 * i, value, true)
  );
  bytes.set(encoder.encode("sh\0"), HeaderOffset.comm);
  let length: number = Limits.HEADER_SIZE;
  if (extra.path !== undefined) {
    const text = encoder.encode(extra.path);
    view.setUint8(length, FieldKind.KernelStr);
    view.setUint8(length + 1, Slot.CgroupPath);
    view.setUint16(length + 2, text.length, true);
    bytes.set(text, length + 4);
    length += 4 + text.length;
  }
  view.setUint32(HeaderOffset.size, length, true);
  return { bytes, view, length };
}

/** A decoder with a resolver that walks no file system, as the source wires them. */
function newDecoder(): RingRecordDecoder {
  const resolver = new CgroupResolver({
    subsys: 0,
    hierarchyId: 0,
    mountPoint: "",
    controller: "",
  });
  return new RingRecordDecoder({
    bootToEpochNs: 0n,
    containerOf: (cgroupId, hostPid) => resolver.containerOf(cgroupId, hostPid),
    containerStarted: (cgroupId) => resolver.hasStarted(cgroupId),
    get cgroupGeneration() {
      return resolver.generation;
    },
    cgroups: resolver,
  });
}

function decode(
  decoder: RingRecordDecoder,
  { bytes, view, length }: ReturnType<typeof record>,
): TraceeEvent[] {
  return decoder.decode(bytes, view, 0, length).map((r) => r.event());
}

/**
 * The container fields of a sched_process_exec from `hostTid` in
 * `cgroupId` (an exec record keeps the thread's context cached).
 */
function execContext(
  decoder: RingRecordDecoder,
  cgroupId: bigint,
  hostTid: number,
): [string, boolean] {
  const exec = record(RingRecordKind.Exec, cgroupId, hostTid);
  exec.view.setUint8(HeaderOffset.flags, RingRecordFlag.EmitSyscall);
  const [event] = decode(decoder, exec);
  return [event!.containerId, event!.contextFlags.containerStarted];
}

const podPath = `/kubepods/besteffort/pod${crypto.randomUUID()}/${CONTAINER}`;

Deno.test("cgroup records give no events and name the container of later records, started at its first exec", () => {
  const decoder = newDecoder();
  const made = record(RingRecordKind.CgroupMkdir, 1n, 50, {
    args: [CONTAINER_CGROUP, 0n],
    path: podPath,
  });
  assert.deepEqual(decode(decoder, made), []);
  // runc's init, before the container's first exec: container-init.
  assert.deepEqual(execContext(decoder, CONTAINER_CGROUP, 61), [
    CONTAINER,
    false,
  ]);
  const started = record(RingRecordKind.CgroupStarted, CONTAINER_CGROUP, 62);
  assert.deepEqual(decode(decoder, started), []);
  assert.deepEqual(execContext(decoder, CONTAINER_CGROUP, 62), [
    CONTAINER,
    true,
  ]);
  const removed = record(RingRecordKind.CgroupRmdir, 1n, 50, {
    args: [CONTAINER_CGROUP, 0n],
  });
  assert.deepEqual(decode(decoder, removed), []);
  assert.deepEqual(execContext(decoder, CONTAINER_CGROUP, 63), ["", false]);
});

Deno.test("cgroup records of another hierarchy are ignored", () => {
  const decoder = newDecoder();
  decode(
    decoder,
    record(RingRecordKind.CgroupMkdir, 1n, 50, {
      args: [CONTAINER_CGROUP, 4n],
      path: podPath,
    }),
  );
  assert.deepEqual(execContext(decoder, CONTAINER_CGROUP, 70), ["", false]);
});

Deno.test("a cgroup looked up in vain is not a miss for good: a thread's context is decoded again once it is known", () => {
  const decoder = newDecoder();
  assert.deepEqual(execContext(decoder, CONTAINER_CGROUP, 80), ["", false]);
  decode(
    decoder,
    record(RingRecordKind.CgroupMkdir, 1n, 50, {
      args: [CONTAINER_CGROUP, 0n],
      path: podPath,
    }),
  );
  // The same thread, the same context bytes: its cached context is redone.
  assert.deepEqual(execContext(decoder, CONTAINER_CGROUP, 80), [
    CONTAINER,
    false,
  ]);
});
