/**
 * The BPF programs' load-time configuration (`struct vigil_config` in
 * `.rodata`) for a plan: Vigil's tgid, the scheduler and per-syscall flags,
 * how to capture each syscall's arguments, the helpers the kernel offers and
 * the cgroup hierarchy whose ids records carry.
 *
 * @module
 */

import {
  BpfError,
  type BpfObject,
  ConfigOffset,
  FeatureFlag,
  FeatureName,
  Limits,
  SysFlag,
} from "../../../ffi/mod.ts";
import { argKind, type KernelPlan, SYSCALLS_BY_NUMBER } from "./plan.ts";

/** What the configuration holds besides the plan and the features. */
export interface ConfigSettings {
  /** The hierarchy whose cgroup ids records carry (`vigil_config.cgroup_subsys`). */
  readonly cgroupSubsys: number;
  /** The argument filters loaded (`FilterFlag` bits). */
  readonly filterFlags: number;
  /** The scope filters loaded (`ScopeFlag` bits). */
  readonly scopeFlags: number;
  /** The inode of the host's mount namespace, for `ScopeFlag.Container`. */
  readonly hostMntNs: number;
  /** Bit b set: an anywhere entry of the path filter starts with byte b. */
  readonly anywhereFirst?: Uint8Array;
}

/** Writes the BPF configuration of a plan into the object's `.rodata`. */
export function writeConfig(
  object: BpfObject,
  plan: KernelPlan,
  features: ReadonlyMap<string, boolean | undefined>,
  settings: ConfigSettings,
): void {
  const rodata = object.map(".rodata");
  const data = new Uint8Array(rodata.initialValue());
  if (data.byteLength < Limits.CONFIG_SIZE) {
    throw new BpfError("configure", ".rodata", -22);
  }
  const view = new DataView(data.buffer);
  view.setUint32(ConfigOffset.selfTgid, Deno.pid, true);
  view.setUint32(ConfigOffset.schedFlags, plan.schedFlags, true);
  let featureFlags = 0;
  if (features.get(FeatureName.FindVma)) featureFlags |= FeatureFlag.FindVma;
  if (features.get(FeatureName.TaskPtRegs)) {
    featureFlags |= FeatureFlag.TaskPtRegs;
  }
  view.setUint32(ConfigOffset.features, featureFlags, true);
  view.setUint32(ConfigOffset.cgroupSubsys, settings.cgroupSubsys, true);
  view.setUint32(ConfigOffset.filterFlags, settings.filterFlags, true);
  view.setUint32(ConfigOffset.scopeFlags, settings.scopeFlags, true);
  view.setUint32(ConfigOffset.hostMntNs, settings.hostMntNs, true);
  if (settings.anywhereFirst) {
    data.set(settings.anywhereFirst, ConfigOffset.anywhereFirst);
  }
  for (const [nr, flags] of plan.sysFlags) {
    data[ConfigOffset.sysFlags + nr] = flags;
    const params = SYSCALLS_BY_NUMBER.get(nr)?.params ?? [];
    params.forEach((param, i) => {
      data[ConfigOffset.argKinds + nr * Limits.ARGS + i] = argKind(param);
    });
  }
  rodata.setInitialValue(data);
}

/**
 * The plan as this kernel can run it: without bpf_task_pt_regs, syscalls
 * followed at exit alone keep their entry hook.
 */
export function adaptPlan(
  plan: KernelPlan,
  features: ReadonlyMap<string, boolean | undefined>,
): KernelPlan {
  if (features.get(FeatureName.TaskPtRegs)) return plan;
  const sysFlags = new Map(
    [...plan.sysFlags].map(([nr, flags]) => [nr, flags & ~SysFlag.ExitOnly]),
  );
  return { ...plan, sysFlags };
}
