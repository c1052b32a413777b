/**
 * Which cgroup hierarchy identifies a task's container: the v2 hierarchy
 * when one is mounted and used (v2-only and hybrid hosts), else one v1
 * controller's (v1-only hosts, and hybrid ones whose v2 hierarchy is empty). The BPF programs stamp records with the task's cgroup id
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

/** Options of {@linkcode cgroupHierarchy}. */
export interface CgroupHierarchyOptions {
  /** A v1 controller to use even where the v2 hierarchy is in use. */
  controller?: string;
  /**
   * Whether the v2 hierarchy mounted at `mountPoint` has cgroups below its
   * root; one that has none (a hybrid host whose runtimes use v1 only) is
   * passed over for a v1 controller. Default: it has.
   */
  v2InUse?: (mountPoint: string) => boolean;
}

/**
 * The hierarchy to use, from the texts of `/proc/mounts` and `/proc/cgroups`
 * (whose rows are in subsystem id order): v2 where it is mounted and in use,
 * else a v1 controller, else an unused v2. `undefined` when no cgroup file
 * system is mounted (or the controller asked for is not).
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
  options: CgroupHierarchyOptions = {},
): CgroupHierarchy | undefined {
  const { controller, v2InUse = () => true } = options;
  const entries = mounts.split("\n").map((line) => line.split(" "));
  const v2Mount = entries.find(([, , type]) => type === "cgroup2")?.[1];
  const v2 = v2Mount
    ? { subsys: 0, hierarchyId: 0, mountPoint: v2Mount, controller: "" }
    : undefined;
  if (controller === undefined && v2 && v2InUse(v2.mountPoint)) return v2;
  const v1 = v1Hierarchy(entries, cgroups, controller);
  return controller === undefined ? v1 ?? v2 : v1;
}

/** The v1 controller asked for, else the preferred or first one mounted. */
function v1Hierarchy(
  mounts: readonly string[][],
  cgroups: string,
  controller: string | undefined,
): CgroupHierarchy | undefined {
  const mountOf = (name: string) =>
    mounts.find(([, , type, options]) =>
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
  const chosen = controller === undefined
    ? usable.find((row) => row.name === PREFERRED_CONTROLLER) ?? usable[0]
    : usable.find((row) => row.name === controller);
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
  return cgroupHierarchy(read("/proc/mounts"), read("/proc/cgroups"), {
    ...(controller === undefined ? {} : { controller }),
    v2InUse: hasSubdirectory,
  });
}

function hasSubdirectory(path: string): boolean {
  try {
    for (const entry of Deno.readDirSync(path)) {
      if (entry.isDirectory) return true;
    }
  } catch {
    // unreadable: taken as in use
    return true;
  }
  return false;
}
