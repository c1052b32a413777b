/**
 * What a runtime's answer about a container becomes in Tracee's `container`
 * and `kubernetes` fields. The kubelet labels each container of a pod with
 * `io.kubernetes.pod.name`, `.pod.namespace`, `.pod.uid` and
 * `io.kubernetes.container.name`; without the last, the container is named
 * by its runtime id, as Tracee does for containerd. `podSandbox` is left
 * out, as Tracee's events leave it.
 *
 * Labels are set by whoever created the container: every value is hostile
 * (any length, any characters). Values are cut to {@linkcode MAX_FIELD}
 * characters; printers escape control characters.
 *
 * @module
 */

import type { ContainerInfo, KubernetesInfo } from "../../event/mod.ts";

/** The kubelet's labels on a pod's containers. */
export const KubeletLabel = {
  PodName: "io.kubernetes.pod.name",
  PodNamespace: "io.kubernetes.pod.namespace",
  PodUid: "io.kubernetes.pod.uid",
  ContainerName: "io.kubernetes.container.name",
} as const;

/** Most characters kept of a name, image, digest or label value. */
export const MAX_FIELD = 512;

/** What a container runtime says about one container. */
export interface RuntimeContainer {
  /** The runtime's container id. */
  readonly id: string;
  /** The image reference the container was made from, e.g. `nginx:1.27`. */
  readonly image: string;
  /** The image's digest (`sha256:…`), or "" when unknown. */
  readonly imageDigest: string;
  /** The runtime's runtime, e.g. `io.containerd.runc.v2`, or "". */
  readonly runtime: string;
  /** The container's labels. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A container's `container` and `kubernetes` fields, ready to share. */
export interface ContainerDetails {
  readonly container: Readonly<ContainerInfo>;
  readonly kubernetes: Readonly<KubernetesInfo>;
}

function cut(value: unknown): string {
  return typeof value === "string" ? value.slice(0, MAX_FIELD) : "";
}

/**
 * The `container` and `kubernetes` fields of a runtime's container, frozen
 * (events share them). Empty values are left out, as Tracee's JSON omits
 * them.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * const details = containerDetails({
 *   id: "c1", image: "nginx:1", imageDigest: "", runtime: "",
 *   labels: { "io.kubernetes.pod.namespace": "prod" },
 * });
 * assert.deepEqual(details.container, { id: "c1", name: "c1", image: "nginx:1" });
 * assert.deepEqual(details.kubernetes, { podNamespace: "prod" });
 * ```
 */
export function containerDetails(found: RuntimeContainer): ContainerDetails {
  const labels = found.labels;
  const label = (name: string) =>
    Object.hasOwn(labels, name) ? cut(labels[name]) : "";
  const container: ContainerInfo = {};
  const kubernetes: KubernetesInfo = {};
  const set = <T extends object>(into: T, key: keyof T, value: string) => {
    if (value !== "") (into as Record<keyof T, string>)[key] = value;
  };
  set(container, "id", cut(found.id));
  set(container, "name", label(KubeletLabel.ContainerName) || cut(found.id));
  set(container, "image", cut(found.image));
  set(container, "imageDigest", cut(found.imageDigest));
  set(kubernetes, "podName", label(KubeletLabel.PodName));
  set(kubernetes, "podNamespace", label(KubeletLabel.PodNamespace));
  set(kubernetes, "podUID", label(KubeletLabel.PodUid));
  return Object.freeze({
    container: Object.freeze(container),
    kubernetes: Object.freeze(kubernetes),
  });
}
