/**
 * Which cgroup hierarchy identifies a task's container: the v2 hierarchy
 * when one is mounted (v2-only and hybrid hosts), else one v1 controller's
 * (v1-only hosts). The BPF programs stamp records with the task's cgroup id
 * in it, and the resolver reads paths under its mount point.
 *
 * @module
 */

/** The hierarchy whose cgroup ids records carry. */
export interface CgroupHierarchy {
  /**
   * `vigil_config.cgroup_subsys`: 0 for the v2 hierarchy, else the v1
   * controller's subsystem id + 1.
   */
  readonly subsys: number;
  /** The kernel's hierarchy id (0 for v2), as cgroup records carry it. */
  readonly hierarchyId: number;
  /** Where it is mounted, e.g. `/sys/fs/cgroup/unified`. */
  readonly mountPoint: string;
  /** The v1 controller's name, or "" for v2. */
  readonly controller: string;
}

/**
 * The v1 controller preferred on v1-only hosts: every container runtime
 * gives a container a memory cgroup of its own (its limits are set there),
 * and distributions enable it. Otherwise the first one mounted.
 */
const PREFERRED_CONTROLLER = "memory";

/**
 * The hierarchy to use, from the texts of `/proc/mounts` and `/proc/cgroups`
 * (whose rows are in subsystem id order). `controller` asks for that v1
 * controller even when v2 is mounted. `undefined` when no cgroup file system
 * is mounted (or the controller asked for is not).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * const mounts = "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n";
 * assert.equal(cgroupHierarchy(mounts, "")?.mountPoint, "/sys/fs/cgroup");
 * ```
 */
export function cgroupHierarchy(
  mounts: string,
  cgroups: string,
  controller?: string,
): CgroupHierarchy | undefined {
  const entries = mounts.split("\n").map((line) => line.split(" "));
  const v2 = entries.find(([, , type]) => type === "cgroup2");
  if (controller === undefined && v2?.[1]) {
    return { subsys: 0, hierarchyId: 0, mountPoint: v2[1], controller: "" };
  }
  const mountOf = (name: string) =>
    entries.find(([, , type, options]) =>
      type === "cgroup" && (options ?? "").split(",").includes(name)
    )?.[1];
  const rows = cgroups.split("\n").filter((line) =>
    line !== "" && !line.startsWith("#")
  ).map((line) => line.split(/\s+/));
  const usable = rows.map(([name, hierarchy, , enabled], subsysId) => ({
    name: name ?? "",
    hierarchyId: Number(hierarchy),
    subsysId,
    enabled: enabled === "1",
  })).filter((row) =>
    row.enabled && row.hierarchyId > 0 && mountOf(row.name) !== undefined
  );
  const wanted = controller ?? PREFERRED_CONTROLLER;
  const chosen = usable.find((row) => row.name === wanted) ??
    (controller === undefined ? usable[0] : undefined);
  if (chosen === undefined) return undefined;
  return {
    subsys: chosen.subsysId + 1,
    hierarchyId: chosen.hierarchyId,
    mountPoint: mountOf(chosen.name)!,
    controller: chosen.name,
  };
}

/**
 * This host's hierarchy (see {@linkcode cgroupHierarchy}), or `undefined`
 * when it has none to use.
 */
export function readCgroupHierarchy(
  controller?: string,
): CgroupHierarchy | undefined {
  const read = (path: string) => {
    try {
      return Deno.readTextFileSync(path);
    } catch {
      return "";
    }
  };
  return cgroupHierarchy(
    read("/proc/mounts"),
    read("/proc/cgroups"),
    controller,
  );
}
