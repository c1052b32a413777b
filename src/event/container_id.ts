/**
 * Container ids from cgroup paths, as Tracee derives them
 * (TRACEE-EVENTS.md 5.1): docker, containerd, cri-o, podman and garden.
 *
 * @module
 */

/** A container found in a cgroup path. */
export interface CgroupContainer {
  /** The container id, e.g. 64 hex digits. */
  id: string;
  /** `docker`, `containerd`, `crio`, `podman`, `garden` or `unknown`. */
  runtime: string;
  /** Whether the hit was the last path component (the container's root cgroup). */
  root: boolean;
}

const HEX64_REGEXP = /^[A-Fa-f0-9]{64}$/;
const GARDEN_REGEXP = /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){4}$/;
const PREFIXES = [
  ["docker-", "docker"],
  ["crio-", "crio"],
  ["cri-containerd-", "containerd"],
] as const;
const CONTAINERD_INFIX = ":cri-containerd:";

/**
 * Finds the container a cgroup path belongs to, scanning components from the
 * last one backwards; `undefined` when it is not a container's cgroup.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * const id = "a".repeat(64);
 * assert.equal(containerFromCgroupPath(`/system.slice/docker-${id}.scope`)?.id, id);
 * ```
 */
export function containerFromCgroupPath(
  path: string,
): CgroupContainer | undefined {
  const parts = path.split("/");
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]!;
    if (part.length < 28) continue;
    const id = part.endsWith(".scope") ? part.slice(0, -".scope".length) : part;
    const root = i === parts.length - 1;
    for (const [prefix, runtime] of PREFIXES) {
      if (id.startsWith(prefix)) {
        return { id: id.slice(prefix.length), runtime, root };
      }
    }
    const infix = part.lastIndexOf(CONTAINERD_INFIX);
    if (infix >= 0) {
      return {
        id: part.slice(infix + CONTAINERD_INFIX.length),
        runtime: "containerd",
        root,
      };
    }
    if (id.startsWith("libpod-")) {
      return { id: id.slice("libpod-".length), runtime: "podman", root };
    }
    if (HEX64_REGEXP.test(id) && i > 0) {
      const previous = parts[i - 1]!;
      const runtime = previous === "docker" || previous === "actions_job"
        ? "docker"
        : previous.startsWith("pod")
        ? "containerd"
        : "unknown";
      return { id, runtime, root };
    }
    if (GARDEN_REGEXP.test(id)) return { id, runtime: "garden", root };
  }
  return undefined;
}
