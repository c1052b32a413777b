/**
 * Container ids of cgroups, for the kernel source's records: a record carries
 * its cgroup id (in the hierarchy of cgroup_hierarchy.ts), and the container
 * is found in the cgroup's path.
 *
 * Paths are learned as the kernel makes cgroups (cgroup_mkdir records, which
 * reach the ring before any record of a task in the new cgroup), and for the
 * cgroups that existed before, by a walk of the hierarchy at start. A cgroup
 * still unknown (its record lost) is looked up in `/proc/<pid>/cgroup`, then
 * by another walk; a miss is retried, no more often than walks are allowed.
 *
 * @module
 */

import {
  type CgroupContainer,
  containerFromCgroupPath,
} from "../../event/mod.ts";
import type { CgroupHierarchy } from "./cgroup_hierarchy.ts";

/** The least time between two walks, and between two tries of one miss. */
const RETRY_MS = 2_000;
/** Most cgroups kept (their rmdir records forget them); emptied when full. */
const CGROUPS_MAX = 65_536;

/** What is known of one cgroup. */
interface CgroupEntry {
  readonly container: CgroupContainer | undefined;
  /** Tracee's `containerStarted`: its entrypoint has execed, or it existed before. */
  started: boolean;
}

/**
 * Container ids by cgroup id (the cgroup directory's inode), learned from
 * the cgroup records and walks; see the module doc.
 */
export class CgroupResolver {
  readonly #hierarchy: CgroupHierarchy;
  readonly #known = new Map<bigint, CgroupEntry>();
  /** Ids looked up in vain, with when. */
  readonly #misses = new Map<bigint, number>();
  #walkedAt = -Infinity;
  #generation = 0;

  /** A resolver for `hierarchy`, knowing the cgroups that exist now. */
  constructor(hierarchy: CgroupHierarchy) {
    this.#hierarchy = hierarchy;
    this.#walk();
  }

  /**
   * Bumped each time a cgroup looked up in vain becomes known, so that
   * contexts decoded without its container are decoded again.
   */
  get generation(): number {
    return this.#generation;
  }

  /** A cgroup the kernel made, at `path` from its hierarchy's root. */
  made(cgroupId: bigint, hierarchyId: number, path: string): void {
    if (hierarchyId !== this.#hierarchy.hierarchyId) return;
    this.#learn(cgroupId, containerFromCgroupPath(path), false);
  }

  /** A cgroup the kernel removed. */
  removed(cgroupId: bigint, hierarchyId: number): void {
    if (hierarchyId !== this.#hierarchy.hierarchyId) return;
    this.#known.delete(cgroupId);
    this.#misses.delete(cgroupId);
  }

  /** The cgroup's first exec in a mount namespace of its own: its container has started, as Tracee says. */
  started(cgroupId: bigint): void {
    const entry = this.#known.get(cgroupId);
    if (entry) entry.started = true;
  }

  /** Whether the container of the cgroup has started (unknown ones have). */
  hasStarted(cgroupId: bigint): boolean {
    return this.#known.get(cgroupId)?.started ?? true;
  }

  /** The container of a cgroup, if any; `hostPid` is a task of it. */
  containerOf(cgroupId: bigint, hostPid: number): CgroupContainer | undefined {
    const known = this.#known.get(cgroupId);
    if (known !== undefined) return known.container;
    const now = performance.now();
    const missedAt = this.#misses.get(cgroupId);
    if (missedAt !== undefined && now - missedAt < RETRY_MS) return undefined;
    const path = this.#pathOf(hostPid, cgroupId);
    if (path !== undefined) {
      this.#learn(cgroupId, containerFromCgroupPath(path), true);
    } else if (now - this.#walkedAt >= RETRY_MS) {
      this.#walk();
    }
    const found = this.#known.get(cgroupId);
    if (found !== undefined) return found.container;
    if (this.#misses.size >= CGROUPS_MAX) this.#misses.clear();
    this.#misses.set(cgroupId, now);
    return undefined;
  }

  #learn(
    cgroupId: bigint,
    container: CgroupContainer | undefined,
    started: boolean,
  ): void {
    if (this.#known.size >= CGROUPS_MAX) this.#known.clear();
    this.#known.set(cgroupId, { container, started });
    if (this.#misses.delete(cgroupId)) this.#generation++;
  }

  /**
   * The path of the process's cgroup in the hierarchy, if it is still that
   * cgroup's (the pid may be gone or reused: its directory's inode must be
   * the id).
   */
  #pathOf(hostPid: number, cgroupId: bigint): string | undefined {
    const { hierarchyId, controller, mountPoint } = this.#hierarchy;
    if (mountPoint === "") return undefined;
    try {
      const text = Deno.readTextFileSync(`/proc/${hostPid}/cgroup`);
      const prefix = controller === "" ? "0::" : `${hierarchyId}:`;
      const line = text.split("\n").find((entry) => entry.startsWith(prefix));
      if (line === undefined) return undefined;
      const path = line.split(":").slice(2).join(":");
      const inode = Deno.statSync(`${mountPoint}${path}`).ino;
      return inode !== null && BigInt(inode) === cgroupId ? path : undefined;
    } catch {
      return undefined; // the process or its cgroup is gone
    }
  }

  /** Learns every cgroup of the hierarchy; those not known yet have started. */
  #walk(): void {
    this.#walkedAt = performance.now();
    const top = this.#hierarchy.mountPoint;
    if (top === "") return;
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
          if (inode !== null && !this.#known.has(BigInt(inode))) {
            this.#learn(BigInt(inode), containerFromCgroupPath(child), true);
          }
        } catch {
          continue;
        }
        visit(`${dir}/${entry.name}`, child);
      }
    };
    try {
      const root = Deno.statSync(top).ino;
      if (root !== null) this.#learn(BigInt(root), undefined, true);
    } catch {
      return; // no cgroup file system
    }
    visit(top, "");
  }
}
