/**
 * The Kubernetes manifests in deploy/kubernetes/: every document parses and
 * has what the API server requires of its kind, the pods mount every volume
 * they name, the sensor has the privileges and host mounts it needs, and
 * every option the manifests pass is one `vigil` takes.
 */

import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { ROOT, runVigil } from "../_helpers/replay.ts";

const DIR = `${ROOT}deploy/kubernetes`;

// deno-lint-ignore no-explicit-any
type Manifest = any;

async function manifests(): Promise<Manifest[]> {
  const all: Manifest[] = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (!entry.name.endsWith(".yaml")) continue;
    const text = await Deno.readTextFile(`${DIR}/${entry.name}`);
    for (const document of parseAllDocuments(text)) {
      assert.deepEqual(document.errors, [], entry.name);
      all.push(document.toJS());
    }
  }
  return all;
}

function ofKind(all: Manifest[], kind: string): Manifest[] {
  return all.filter((manifest) => manifest.kind === kind);
}

function checkWorkload(workload: Manifest): void {
  const name = workload.metadata.name;
  assert.equal(workload.apiVersion, "apps/v1", name);
  assert.equal(workload.metadata.namespace, "vigil", name);
  const labels = workload.spec.template.metadata.labels;
  for (
    const [key, value] of Object.entries(workload.spec.selector.matchLabels)
  ) {
    assert.equal(labels[key], value, `${name}: the selector matches its pods`);
  }
  const pod = workload.spec.template.spec;
  const volumes = new Set(pod.volumes.map((volume: Manifest) => volume.name));
  assert.ok(pod.containers.length > 0, name);
  for (const container of pod.containers) {
    assert.ok(container.image, `${name}: an image`);
    for (const mount of container.volumeMounts ?? []) {
      assert.ok(volumes.has(mount.name), `${name}: volume ${mount.name}`);
      assert.match(mount.mountPath, /^\//);
    }
  }
}

/** The `--options` a container passes, with the value after each. */
function options(container: Manifest): Map<string, string> {
  const args: string[] = container.args.map(String);
  const found = new Map<string, string>();
  args.forEach((arg, i) => {
    if (arg.startsWith("--")) found.set(arg, args[i + 1] ?? "");
  });
  return found;
}

function mountedAt(pod: Manifest, path: string): boolean {
  return pod.containers[0].volumeMounts.some((mount: Manifest) =>
    path === mount.mountPath || path.startsWith(`${mount.mountPath}/`)
  );
}

Deno.test("the manifests parse and have their kinds' required fields", async () => {
  const all = await manifests();
  for (const manifest of all) {
    assert.ok(manifest.apiVersion && manifest.kind, JSON.stringify(manifest));
    assert.match(manifest.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  }
  assert.equal(ofKind(all, "Namespace").length, 1);
  assert.equal(ofKind(all, "DaemonSet").length, 1);
  assert.ok(ofKind(all, "Deployment").length >= 1);
  for (
    const workload of [
      ...ofKind(all, "DaemonSet"),
      ...ofKind(all, "Deployment"),
    ]
  ) {
    checkWorkload(workload);
  }
});

Deno.test("the sensor DaemonSet has the privileges and host mounts it needs", async () => {
  const [sensor] = ofKind(await manifests(), "DaemonSet");
  const pod = sensor.spec.template.spec;
  assert.equal(pod.hostPID, true);
  const container = pod.containers[0];
  const added = new Set(container.securityContext.capabilities?.add ?? []);
  for (const capability of ["BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE"]) {
    assert.ok(
      container.securityContext.privileged || added.has(capability),
      capability,
    );
  }
  const hostPaths = pod.volumes.filter((v: Manifest) => v.hostPath)
    .map((v: Manifest) => v.hostPath.path);
  assert.ok(hostPaths.includes("/sys/kernel/tracing"));
  assert.ok(hostPaths.includes("/sys/kernel/btf"));
  const args = options(container);
  assert.match(args.get("--output")!, /^nats:\/\//);
  const spool = args.get("--nats-spool")!;
  assert.ok(mountedAt(pod, spool), "the spool is on a mounted volume");
  const spoolVolume = pod.volumes.find((v: Manifest) =>
    v.name ===
      pod.containers[0].volumeMounts.find((m: Manifest) =>
        m.mountPath === spool
      )?.name
  );
  assert.ok(spoolVolume?.hostPath, "the spool outlives the pod");
});

Deno.test("the collectors run vigil collect with a durable consumer, unprivileged", async () => {
  for (const collector of ofKind(await manifests(), "Deployment")) {
    const pod = collector.spec.template.spec;
    const container = pod.containers[0];
    assert.equal(container.args[0], "collect");
    assert.match(container.args[1], /^nats:\/\//);
    assert.ok(options(container).get("--consumer"));
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.ok(mountedAt(pod, options(container).get("--cache-dir")!));
  }
});

Deno.test("every option in the manifests is one vigil takes", async () => {
  const all = await manifests();
  const help = {
    run: (await runVigil(["--help"])).stdout,
    collect: (await runVigil(["collect", "--help"])).stdout,
  };
  for (
    const workload of [
      ...ofKind(all, "DaemonSet"),
      ...ofKind(all, "Deployment"),
    ]
  ) {
    const container = workload.spec.template.spec.containers[0];
    const text = container.args[0] === "collect" ? help.collect : help.run;
    for (const option of options(container).keys()) {
      assert.ok(text.includes(option), `${workload.metadata.name}: ${option}`);
    }
  }
});
