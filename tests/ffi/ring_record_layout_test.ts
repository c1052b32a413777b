import assert from "node:assert/strict";
import {
  ArgKind,
  ConfigOffset,
  ExcludeMode,
  FeatureFlag,
  FieldKind,
  ForkTask,
  Limits,
  PATH_BARE,
  RingRecordFlag,
  RingRecordKind,
  SchedFlag,
  Slot,
  SysFlag,
} from "../../ffi/ring_record_layout.ts";

const HEADER = Deno.readTextFileSync(
  new URL("../../ffi/bpf/vigil_events.h", import.meta.url),
);

function defines(prefix: string): Map<string, number> {
  const found = new Map<string, number>();
  for (
    const match of HEADER.matchAll(/^#define VIGIL_(\w+) (0x[0-9a-f]+|\d+)/gm)
  ) {
    if (match[1]!.startsWith(prefix)) {
      found.set(match[1]!.slice(prefix.length), Number(match[2]));
    }
  }
  return found;
}

function assertMirrors(
  prefix: string,
  table: Record<string, number>,
  ignore: readonly string[] = [],
): void {
  const header = defines(prefix);
  for (const name of ignore) header.delete(name);
  const mirrored = new Map(
    Object.entries(table).map(([name, value]) => [
      name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase(),
      value,
    ]),
  );
  assert.deepEqual(mirrored, header, `VIGIL_${prefix}*`);
}

Deno.test("record_layout.ts mirrors every constant of vigil_events.h", () => {
  assertMirrors("KIND_", RingRecordKind);
  assertMirrors("FLAG_", {
    EmitSyscall: RingRecordFlag.EmitSyscall,
    EmitDerived: RingRecordFlag.EmitDerived,
    AtEntry: RingRecordFlag.AtEntry,
    Compat: RingRecordFlag.Compat,
    GroupExit: RingRecordFlag.GroupExit,
    KthreadParent: RingRecordFlag.KthreadParent,
  });
  assertMirrors("FIELD_", FieldKind);
  assertMirrors("SLOT_", Slot);
  assertMirrors("TASK_", ForkTask, ["SIZE"]);
  assertMirrors("ARG_", ArgKind);
  assertMirrors("SYS_", SysFlag);
  assertMirrors("SCHED_", SchedFlag);
  assertMirrors("FEATURE_", FeatureFlag);
  assertMirrors("EXCLUDE_", ExcludeMode);
  assert.equal(defines("PATH_").get("BARE"), PATH_BARE);
  const sizes = defines("");
  assert.equal(sizes.get("SYSCALL_MAX"), Limits.SYSCALL_MAX);
  assert.equal(sizes.get("ARGS"), Limits.ARGS);
  assert.equal(sizes.get("COMM_LEN"), Limits.COMM_LEN);
  assert.equal(sizes.get("HEADER_SIZE"), Limits.HEADER_SIZE);
  assert.equal(sizes.get("FILE_SIZE"), Limits.FILE_SIZE);
  assert.equal(sizes.get("TASK_SIZE"), Limits.TASK_SIZE);
  assert.equal(sizes.get("CONFIG_SIZE"), Limits.CONFIG_SIZE);
  assert.equal(sizes.get("ARGV_MAX"), Limits.ARGV_MAX);
  // The C compiler pins the struct sizes with _Static_assert on these names.
  assert.equal(
    ConfigOffset.argKinds,
    ConfigOffset.sysFlags + Limits.SYSCALL_MAX,
  );
});
