/**
 * Container details from the container runtime, for live events: a
 * containerd client on its unix socket (gRPC), what its answers become in
 * Tracee's `container` and `kubernetes` fields, and the enricher that looks
 * each container up once, caches the answer and fills events in without
 * ever making the event path wait on the runtime for long.
 *
 * @example What the kubelet's labels become
 * ```ts
 * import assert from "node:assert/strict";
 * import { containerDetails } from "./mod.ts";
 *
 * const details = containerDetails({
 *   id: "3f2a",
 *   image: "docker.io/library/nginx:1.27",
 *   imageDigest: "sha256:0123",
 *   runtime: "io.containerd.runc.v2",
 *   labels: {
 *     "io.kubernetes.pod.name": "web-0",
 *     "io.kubernetes.pod.namespace": "prod",
 *     "io.kubernetes.pod.uid": "8c1e",
 *     "io.kubernetes.container.name": "nginx",
 *   },
 * });
 * assert.equal(details.container.name, "nginx");
 * assert.deepEqual(details.kubernetes, {
 *   podName: "web-0",
 *   podNamespace: "prod",
 *   podUID: "8c1e",
 * });
 * ```
 *
 * @module
 */

export {
  CONTAINERD_SOCKET,
  ContainerdClient,
  type ContainerdClientOptions,
  type ContainerRuntimeClient,
  RuntimeUnavailableError,
} from "./containerd_client.ts";
export {
  ContainerEnricher,
  type ContainerEnricherOptions,
  type EnricherLog,
  type EnrichmentCounts,
} from "./enricher.ts";
export {
  type ContainerDetails,
  containerDetails,
  KubeletLabel,
  MAX_FIELD,
  type RuntimeContainer,
} from "./labels.ts";
