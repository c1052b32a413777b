/**
 * Container details live, from a real containerd: the test's containerd
 * runs a busybox image built here in a container labelled as the kubelet
 * labels a pod's, and a process in it reads /etc/shadow. The built-ins'
 * finding (VGL-12) carries the container's name, image, image digest and
 * pod, and a Rego signature matching on `input.container.image` and
 * `input.kubernetes.podNamespace` fires. Then containerd is stopped: new
 * containers' findings carry their id only, with one warning, and once
 * containerd is back, details resume. A second sensor with
 * `--scope k8s.ns=prod` reports the containers of namespace prod only.
 *
 * While containerd is down, a "container" is a cgroup the test makes in
 * the kubelet's layout, with a process that enters a mount namespace of its
 * own (as runc's would) and reads /etc/shadow.
 *
 * Skipped without BPF or containerd (tools/setup.sh installs it), except
 * under CI=true or VIGIL_REQUIRE_KERNEL=1, where it fails instead.
 */
import assert from "node:assert/strict";
import type { TraceeEvent } from "../../src/event/event.ts";
import { readCgroupHierarchy } from "../../src/sources/kernel/cgroup_hierarchy.ts";
import { kernelAvailable } from "../_helpers/kernel.ts";
import {
  type Containerd,
  containerdInstalled,
  IMAGE,
  type PodLabels,
  randomHex,
  startContainerd,
} from "../_helpers/containerd.ts";
import {
  type LiveSensor,
  signatureId,
  startSensor,
  tempDir,
  waitFor,
} from "../_helpers/live_sensor.ts";

const REQUIRED = Deno.env.get("CI") === "true" ||
  Deno.env.get("VIGIL_REQUIRE_KERNEL") === "1";
const BUILTINS = new URL("../../signatures", import.meta.url).pathname;
/** How long a finding may take to arrive. */
const ARRIVAL_MS = 5_000;
/** How long a finding may take to arrive after containerd's restart. */
const RESUME_MS = 15_000;
const WARNING = "Cannot ask containerd about containers";

/** A Tracee-style Rego signature on the runtime's fields. */
const K8S_SIGNATURE = `package tracee.TEST_K8S

__rego_metadoc__ := {
	"id": "T-K8S",
	"version": "1.0.0",
	"name": "Shadow read in a pod of namespace prod",
	"eventName": "shadow_read_in_prod",
	"description": "An open of /etc/shadow in a container of the test image, in namespace prod",
}

tracee_selected_events[eventSelector] {
	eventSelector := {"source": "tracee", "name": "security_file_open", "origin": "container"}
}

tracee_match = {"image": input.container.image, "namespace": input.kubernetes.podNamespace} {
	input.container.image == "${IMAGE}"
	input.kubernetes.podNamespace == "prod"
	input.args[_].value == "/etc/shadow"
}
`;

function pod(
  containerName: string,
  podNamespace = "prod",
): Required<PodLabels> {
  return {
    podUid: crypto.randomUUID(),
    podName: `web-${randomHex(2)}`,
    podNamespace,
    containerName,
  };
}

/** The findings of `signature` for container `id`, once one has come. */
async function findingsOf(
  sensor: LiveSensor,
  signature: string,
  id: string,
  timeoutMs = ARRIVAL_MS,
): Promise<TraceeEvent[]> {
  const of = () =>
    sensor.findings.filter((finding) =>
      signatureId(finding) === signature && finding.containerId === id
    );
  assert.ok(
    await waitFor(() => of().length > 0, timeoutMs),
    `no ${signature} finding for container ${id}; findings: ${
      JSON.stringify(sensor.findings.map((f) => [signatureId(f), f.container]))
    }\n${sensor.stderr.join("\n")}`,
  );
  return of();
}

/**
 * Runs a labelled container that reads /etc/shadow twice, a second and four
 * seconds after it starts; a finding of it that carries its name. The first
 * read's may not: its lookup is held for at most 100 ms, and the first one
 * also loads the gRPC libraries (0.2-0.5 s here), on a 2-core machine other
 * work keeps busy.
 */
async function shadowReadsIn(
  containerd: Containerd,
  sensor: LiveSensor,
  labels: Required<PodLabels>,
  timeoutMs = ARRIVAL_MS,
): Promise<TraceeEvent> {
  const id = randomHex(32);
  await containerd.runContainer(id, labels, [
    "/bin/sh",
    "-c",
    "sleep 1; cat /etc/shadow >/dev/null; sleep 3; cat /etc/shadow >/dev/null",
  ]);
  return await namedFindingOf(sensor, id, timeoutMs);
}

/** A VGL-12 finding of container `id` that carries its name, once one has come. */
async function namedFindingOf(
  sensor: LiveSensor,
  id: string,
  timeoutMs = ARRIVAL_MS,
): Promise<TraceeEvent> {
  const named = () =>
    sensor.findings.find((finding) =>
      signatureId(finding) === "VGL-12" && finding.containerId === id &&
      finding.container.name !== undefined
    );
  assert.ok(
    await waitFor(() => named() !== undefined, timeoutMs),
    `no VGL-12 finding with details for container ${id}; findings: ${
      JSON.stringify(sensor.findings.map((f) => [signatureId(f), f.container]))
    }\n${sensor.stderr.join("\n")}`,
  );
  return named()!;
}

/**
 * A process in a kubelet-style cgroup made now, in a mount namespace of its
 * own, reading /etc/shadow; the cgroup's container id.
 */
async function shadowReadInCgroup(): Promise<string> {
  const mountPoint = readCgroupHierarchy()!.mountPoint;
  const id = randomHex(32);
  const podDir = `${mountPoint}/kubepods/besteffort/pod${crypto.randomUUID()}`;
  await Deno.mkdir(`${podDir}/${id}`, { recursive: true });
  try {
    const { success, stderr } = await new Deno.Command("sh", {
      args: [
        "-c",
        `echo $$ > ${podDir}/${id}/cgroup.procs && exec unshare -m sh -c 'sleep 0.3; cat /etc/shadow'`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(success, new TextDecoder().decode(stderr));
  } finally {
    await Deno.remove(`${podDir}/${id}`).catch(() => {});
    await Deno.remove(podDir).catch(() => {});
  }
  return id;
}

Deno.test({
  name:
    "a live finding in a labelled containerd container carries its name, image, digest and pod; with containerd stopped, the id only and one warning; details resume when it returns",
  ignore: !REQUIRED && !(kernelAvailable() && containerdInstalled()),
  async fn() {
    assert.ok(kernelAvailable(), "BPF is not available");
    assert.ok(containerdInstalled(), "containerd is not installed");
    await using signatures = await tempDir();
    await Deno.writeTextFile(`${signatures.path}/k8s.rego`, K8S_SIGNATURE);
    await using containerd = await startContainerd();
    const args = [
      "-s",
      BUILTINS,
      "-s",
      signatures.path,
      "--containerd-socket",
      containerd.socket,
    ];
    await using sensor = await startSensor(args);
    await using scoped = await startSensor([...args, "--scope", "k8s.ns=prod"]);

    const labels = pod("shadow-reader");
    const finding = await shadowReadsIn(containerd, sensor, labels);
    const id = finding.containerId;
    assert.equal(finding.container.id, id);
    assert.equal(finding.container.name, "shadow-reader");
    assert.equal(finding.container.image, IMAGE);
    assert.match(finding.container.imageDigest ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(finding.kubernetes, {
      podName: labels.podName,
      podNamespace: "prod",
      podUID: labels.podUid,
    });
    const [k8s] = await findingsOf(sensor, "T-K8S", id);
    assert.deepEqual(
      k8s!.args.map(({ name, value }) => [name, value]),
      [["image", IMAGE], ["namespace", "prod"]],
    );

    const dev = await shadowReadsIn(containerd, sensor, pod("dev", "dev"));
    assert.equal(dev.kubernetes.podNamespace, "dev");

    const before = sensor.stderr.length;
    await containerd.stopDaemon();
    const idOnly: string[] = [];
    for (let i = 0; i < 2; i++) {
      const down = await shadowReadInCgroup();
      const [finding] = await findingsOf(sensor, "VGL-12", down);
      assert.deepEqual(finding!.container, { id: down });
      assert.deepEqual(finding!.kubernetes, {});
      idOnly.push(down);
    }
    const outage = sensor.stderr.slice(before);
    assert.equal(
      outage.filter((line) => line.includes(WARNING)).length,
      1,
      outage.join("\n"),
    );

    await containerd.startDaemon();
    // containerd is tried again within a second of a new container's
    // cgroup: its details are there by its reads.
    const again = await shadowReadsIn(
      containerd,
      sensor,
      pod("after-restart"),
      RESUME_MS,
    );
    assert.equal(again.container.name, "after-restart");

    // The scoped sensor: prod's containers, and those whose details were
    // unknown (containerd down), not dev's.
    await namedFindingOf(scoped, again.containerId, RESUME_MS);
    await namedFindingOf(scoped, id);
    for (const down of idOnly) await findingsOf(scoped, "VGL-12", down);
    assert.deepEqual(
      scoped.findings.filter((f) =>
        f.containerId === dev.containerId ||
        f.kubernetes.podNamespace === "dev"
      ),
      [],
    );
  },
});
