/**
 * Kernel feature probes, as data: each feature has the kernel that introduced
 * it and a probe that answers `true` (supported), `false` (not) or
 * `undefined` (inconclusive). The kernel source attaches what the running
 * kernel supports and switches the rest off before load.
 *
 * @module
 */

import { libbpf } from "./libbpf.ts";

/** A kernel feature the BPF programs may use. */
export interface Feature {
  /** Short name for logs, e.g. `ringbuf`. */
  readonly name: string;
  /** The first kernel that has it. */
  readonly minimumKernel: string;
  /** Whether Vigil cannot run without it. */
  readonly required: boolean;
  /** `true` supported, `false` not, `undefined` inconclusive. */
  probe(): boolean | undefined;
}

/** The result of probing one feature. */
export interface FeatureResult {
  /** The probed feature. */
  readonly feature: Feature;
  /** `true` supported, `false` not, `undefined` inconclusive. */
  readonly supported: boolean | undefined;
}

const BPF_PROG_TYPE_RAW_TRACEPOINT = 17;
const BPF_MAP_TYPE_RINGBUF = 27;
const BPF_FUNC_TASK_PT_REGS = 175;
const BPF_FUNC_FIND_VMA = 180;
const BPF_FUNC_LOOP = 181;
const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";

function answer(result: number): boolean | undefined {
  return result > 0 ? true : result === 0 ? false : undefined;
}

function rawTracepointHelper(helper: number): () => boolean | undefined {
  return () =>
    answer(
      libbpf().libbpf_probe_bpf_helper(
        BPF_PROG_TYPE_RAW_TRACEPOINT,
        helper,
        null,
      ),
    );
}

/** Whether the running kernel's version is at least `minimum` ("5.5"). */
export function kernelAtLeast(
  minimum: string,
  release = Deno.osRelease(),
): boolean {
  const have = release.split(/[.-]/).map((part) => parseInt(part, 10));
  const want = minimum.split(".").map((part) => parseInt(part, 10));
  for (let i = 0; i < want.length; i++) {
    const a = have[i] ?? 0;
    const b = want[i]!;
    if (Number.isNaN(a) || a !== b) return !Number.isNaN(a) && a > b;
  }
  return true;
}

function hasVmlinuxBtf(): boolean {
  try {
    return Deno.statSync(VMLINUX_BTF).isFile;
  } catch {
    return false;
  }
}

/** Names of the features of {@linkcode FEATURES}. */
export const FeatureName = {
  Btf: "btf",
  Ringbuf: "ringbuf",
  RawTracepoint: "raw_tp",
  BtfTracepoint: "tp_btf",
  Loop: "bpf_loop",
  FindVma: "find_vma",
  TaskPtRegs: "task_pt_regs",
  RdonlyCast: "rdonly_cast",
} as const;

/** The features Vigil's BPF programs may use, in probing order. */
export const FEATURES: readonly Feature[] = [
  {
    name: FeatureName.Btf,
    minimumKernel: "5.4",
    required: true,
    probe: hasVmlinuxBtf,
  },
  {
    name: FeatureName.Ringbuf,
    minimumKernel: "5.8",
    required: true,
    probe: () =>
      answer(libbpf().libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, null)),
  },
  {
    name: FeatureName.RawTracepoint,
    minimumKernel: "4.17",
    required: true,
    probe: () =>
      answer(
        libbpf().libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, null),
      ),
  },
  {
    // libbpf cannot probe BPF_PROG_TYPE_TRACING without a target, so this
    // one goes by kernel version and BTF; a failed load falls back to raw_tp.
    name: FeatureName.BtfTracepoint,
    minimumKernel: "5.5",
    required: false,
    probe: () => hasVmlinuxBtf() && kernelAtLeast("5.5"),
  },
  {
    name: FeatureName.Loop,
    minimumKernel: "5.17",
    required: true,
    probe: rawTracepointHelper(BPF_FUNC_LOOP),
  },
  {
    name: FeatureName.FindVma,
    minimumKernel: "5.17",
    required: false,
    probe: rawTracepointHelper(BPF_FUNC_FIND_VMA),
  },
  {
    name: FeatureName.TaskPtRegs,
    minimumKernel: "5.15",
    required: false,
    probe: rawTracepointHelper(BPF_FUNC_TASK_PT_REGS),
  },
  {
    // A kfunc, which libbpf cannot probe: by kernel version and BTF, as
    // tp_btf; a failed load falls back to the portable object.
    name: FeatureName.RdonlyCast,
    minimumKernel: "6.2",
    required: false,
    probe: () => hasVmlinuxBtf() && kernelAtLeast("6.2"),
  },
];

const cache = new Map<string, boolean>();

/** Probes every feature; conclusive answers are cached for the process. */
export function probeFeatures(
  features: readonly Feature[] = FEATURES,
): FeatureResult[] {
  return features.map((feature) => {
    const supported = cache.get(feature.name);
    if (supported === undefined) {
      const result = feature.probe();
      if (result !== undefined) cache.set(feature.name, result);
      return { feature, supported: result };
    }
    return { feature, supported };
  });
}

/** One line: `btf yes, ringbuf yes, ..., find_vma no`. */
export function describeFeatures(results: readonly FeatureResult[]): string {
  return results.map(({ feature, supported }) =>
    `${feature.name} ${
      supported === undefined ? "unknown" : supported ? "yes" : "no"
    }`
  ).join(", ");
}
