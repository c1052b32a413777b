/**
 * Container ids from the cgroup_mkdir records, on the real kernel: a process
 * moves itself into a kubelet-style cgroup made after the source opened,
 * enters a mount namespace of its own (as a container's entrypoint runs),
 * reads /etc/shadow and ends, and the cgroup is removed, all before a single
 * record is decoded. Neither `/proc/<pid>/cgroup` nor a walk of the cgroup
 * tree can then tell its path: only the records can. Run with the default
 * hierarchy (v2 on hybrid and v2-only hosts, as here) and with the memory
 * controller's (what v1-only hosts use), which this hybrid host also has.
 */
import assert from "node:assert/strict";
import { openKernelSource } from "../../../../src/sources/kernel/source.ts";
import { readCgroupHierarchy } from "../../../../src/sources/kernel/cgroup_hierarchy.ts";
import {
  argsOf,
  collectRecords,
  ignoreKernelTests,
} from "../../../_helpers/kernel.ts";
import { randomHex } from "../../../_helpers/containerd.ts";

/** Under CI the test fails where BPF is unavailable, as the container test. */
const ignore = ignoreKernelTests() && Deno.env.get("CI") !== "true";

for (const controller of [undefined, "memory"]) {
  const hierarchy = controller ?? "the default";
  Deno.test({
    name:
      `a process in a cgroup gone before decoding has its container id and containerStarted (${hierarchy} hierarchy)`,
    ignore: ignore || readCgroupHierarchy(controller) === undefined,
    async fn() {
      const mountPoint = readCgroupHierarchy(controller)!.mountPoint;
      const id = randomHex(32);
      const pod = `${mountPoint}/kubepods/besteffort/pod${crypto.randomUUID()}`;
      const source = await openKernelSource({
        events: new Set(["security_file_open"]),
        ...(controller ? { cgroupController: controller } : {}),
      });
      try {
        await Deno.mkdir(`${pod}/${id}`, { recursive: true });
        const child = new Deno.Command("sh", {
          args: [
            "-c",
            `echo $$ > ${pod}/${id}/cgroup.procs && exec unshare -m cat /etc/shadow`,
          ],
          stdout: "null",
          stderr: "piped",
        }).spawn();
        const { success, stderr } = await child.output();
        assert.ok(success, new TextDecoder().decode(stderr));
        await Deno.remove(`${pod}/${id}`);
        await Deno.remove(pod);
        const collector = collectRecords(source);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await collector.stop();
        const events = collector.records.map((record) => record.event())
          .filter((event) => event.hostProcessId === child.pid);
        const opens = events.filter((event) =>
          argsOf(event).pathname === "/etc/shadow"
        );
        assert.equal(opens.length, 1, `opens of /etc/shadow: ${opens.length}`);
        assert.equal(opens[0]!.containerId, id);
        assert.equal(opens[0]!.contextFlags.containerStarted, true);
        // Before its exec in a mount namespace of its own: container-init.
        const before = events.filter((event) =>
          event.processName === "unshare"
        );
        assert.ok(before.length > 0, "no open by unshare");
        for (const event of before) {
          assert.equal(event.containerId, id);
          assert.equal(event.contextFlags.containerStarted, false);
        }
      } finally {
        await Deno.remove(pod, { recursive: true }).catch(() => {});
        await source.close();
      }
    },
  });
}
