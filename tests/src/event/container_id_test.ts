import assert from "node:assert/strict";
import { containerFromCgroupPath } from "../../../src/event/container_id.ts";

const ID = "0123456789abcdef".repeat(4);

Deno.test("containerFromCgroupPath() finds docker, containerd, cri-o and podman ids", () => {
  assert.deepEqual(
    containerFromCgroupPath(`/system.slice/docker-${ID}.scope`),
    {
      id: ID,
      runtime: "docker",
      root: true,
    },
  );
  assert.deepEqual(containerFromCgroupPath(`/docker/${ID}`), {
    id: ID,
    runtime: "docker",
    root: true,
  });
  assert.deepEqual(
    containerFromCgroupPath(
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-pod1.slice/cri-containerd-${ID}.scope`,
    ),
    { id: ID, runtime: "containerd", root: true },
  );
  assert.deepEqual(
    containerFromCgroupPath(`/kubepods/besteffort/pod1234-5678/${ID}`),
    { id: ID, runtime: "containerd", root: true },
  );
  assert.deepEqual(
    containerFromCgroupPath(`/kubepods.slice/crio-${ID}.scope`),
    { id: ID, runtime: "crio", root: true },
  );
  assert.deepEqual(
    containerFromCgroupPath(`/machine.slice/libpod-${ID}.scope/container`),
    { id: ID, runtime: "podman", root: false },
  );
  assert.deepEqual(
    containerFromCgroupPath(
      `/system.slice/containerd.service/kubepods-x:cri-containerd:${ID}`,
    ),
    { id: ID, runtime: "containerd", root: true },
  );
  assert.equal(containerFromCgroupPath(`/other/${ID}`)?.runtime, "unknown");
});

Deno.test("containerFromCgroupPath() ignores host cgroups", () => {
  assert.equal(containerFromCgroupPath("/"), undefined);
  assert.equal(
    containerFromCgroupPath("/user.slice/user-0.slice/session-1.scope"),
    undefined,
  );
  assert.equal(containerFromCgroupPath(ID), undefined); // only component
  assert.equal(
    containerFromCgroupPath("/system.slice/docker.service"),
    undefined,
  );
});
