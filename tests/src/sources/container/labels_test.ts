import assert from "node:assert/strict";
import fc from "fast-check";
import {
  containerDetails,
  KubeletLabel,
  MAX_FIELD,
} from "../../../../src/sources/container/labels.ts";
import { checkProperty } from "../../../_helpers/property.ts";

Deno.test("containerDetails() maps the kubelet's labels to Tracee's fields", () => {
  const details = containerDetails({
    id: "c".repeat(64),
    image: "docker.io/library/nginx:1.27",
    imageDigest: "sha256:" + "d".repeat(64),
    runtime: "io.containerd.runc.v2",
    labels: {
      [KubeletLabel.PodName]: "web-0",
      [KubeletLabel.PodNamespace]: "prod",
      [KubeletLabel.PodUid]: "8c1e0b7e-0000-4000-8000-000000000000",
      [KubeletLabel.ContainerName]: "nginx",
      "other": "ignored",
    },
  });
  assert.deepEqual(details.container, {
    id: "c".repeat(64),
    name: "nginx",
    image: "docker.io/library/nginx:1.27",
    imageDigest: "sha256:" + "d".repeat(64),
  });
  assert.deepEqual(details.kubernetes, {
    podName: "web-0",
    podNamespace: "prod",
    podUID: "8c1e0b7e-0000-4000-8000-000000000000",
  });
  assert.ok(Object.isFrozen(details.container));
  assert.ok(Object.isFrozen(details.kubernetes));
});

Deno.test("containerDetails() names a container without the kubelet's label by its id, outside any pod", () => {
  const details = containerDetails({
    id: "abc",
    image: "",
    imageDigest: "",
    runtime: "",
    labels: { "io.cri-containerd.kind": "sandbox" },
  });
  assert.deepEqual(details.container, { id: "abc", name: "abc" });
  assert.deepEqual(details.kubernetes, {});
});

Deno.test("containerDetails() takes any labels: own members only, values cut, empty ones left out", () => {
  const text = fc.string({ unit: "binary", maxLength: 2 * MAX_FIELD });
  const key = fc.oneof(
    fc.constantFrom(...Object.values(KubeletLabel), "__proto__", "toString"),
    fc.string(),
  );
  checkProperty(
    fc.property(
      fc.string({ maxLength: 80 }),
      text,
      fc.dictionary(key, text),
      (id, image, labels) => {
        const details = containerDetails({
          id,
          image,
          imageDigest: "",
          runtime: "",
          labels,
        });
        const own = (name: string) =>
          Object.hasOwn(labels, name) ? labels[name]!.slice(0, MAX_FIELD) : "";
        const values = [
          ...Object.values(details.container),
          ...Object.values(details.kubernetes),
        ];
        for (const value of values) {
          if (typeof value === "string") {
            assert.ok(value.length > 0 && value.length <= MAX_FIELD);
          }
        }
        assert.equal(
          details.container.name ?? "",
          own(KubeletLabel.ContainerName) || id.slice(0, MAX_FIELD),
        );
        assert.equal(
          details.kubernetes.podNamespace ?? "",
          own(KubeletLabel.PodNamespace),
        );
        assert.equal(
          details.kubernetes.podName ?? "",
          own(KubeletLabel.PodName),
        );
        assert.equal(details.kubernetes.podUID ?? "", own(KubeletLabel.PodUid));
      },
    ),
  );
});
