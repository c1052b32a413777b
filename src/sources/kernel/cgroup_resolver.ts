/**
 * Container ids of cgroups, for the kernel source's records: a record carries
 * its cgroup id, and the container is found in the cgroup's path.
 *
 * @module
 */

import {
  type CgroupContainer,
  containerFromCgroupPath,
} from "../../event/container_id.ts";

/** Where the cgroup v2 hierarchy is mounted (hybrid hosts: `.../unified`). */
function cgroup2Root(): string {
  try {
    for (const line of Deno.readTextFileSync("/proc/mounts").split("\n")) {
      const [, mountPoint, type] = line.split(" ");
      if (type === "cgroup2" && mountPoint) return mountPoint;
    }
  } catch {
    // fall through to the usual place
  }
  return "/sys/fs/cgroup";
}
/** The least time between two walks of the cgroup tree. */
const CGROUP_WALK_MS = 10_000;

/**
 * Container ids by cgroup id (cgroup v2: the id is the directory's inode),
 * from /proc/<pid>/cgroup on first sight, or from a walk of the cgroup tree
 * when the process is already gone. Each cgroup is looked up once.
 */
export class CgroupResolver {
  readonly #known = new Map<bigint, CgroupContainer | null>();
  #walkedAt = -Infinity;

  containerOf(cgroupId: bigint, hostPid: number): CgroupContainer | undefined {
    const known = this.#known.get(cgroupId);
    if (known !== undefined) return known ?? undefined;
    const path = this.#pathOf(hostPid);
    if (path !== undefined) {
      const container = containerFromCgroupPath(path);
      this.#known.set(cgroupId, container ?? null);
      return container;
    }
    if (performance.now() - this.#walkedAt > CGROUP_WALK_MS) this.#walk();
    const found = this.#known.get(cgroupId);
    if (found === undefined) this.#known.set(cgroupId, null);
    return found ?? undefined;
  }

  #pathOf(hostPid: number): string | undefined {
    try {
      const text = Deno.readTextFileSync(`/proc/${hostPid}/cgroup`);
      const line = text.split("\n").find((entry) => entry.startsWith("0::"));
      return line?.slice(3);
    } catch {
      return undefined; // the process is gone
    }
  }

  #walk(): void {
    this.#walkedAt = performance.now();
    const top = cgroup2Root();
    const visit = (dir: string, path: string) => {
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch {
        return;
      }
      for (const entry of entries) {
        if (!entry.isDirectory) continue;
        const child = `${path}/${entry.name}`;
        try {
          const inode = Deno.statSync(`${dir}/${entry.name}`).ino;
          if (inode !== null) {
            this.#known.set(
              BigInt(inode),
              containerFromCgroupPath(child) ?? null,
            );
          }
        } catch {
          continue;
        }
        visit(`${dir}/${entry.name}`, child);
      }
    };
    try {
      const root = Deno.statSync(top).ino;
      if (root !== null) this.#known.set(BigInt(root), null);
    } catch {
      return; // no cgroup file system
    }
    visit(top, "");
  }
}
