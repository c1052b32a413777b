/**
 * `--scope` on the real kernel: records of tasks outside the scope are
 * dropped before their events are built, and counted. Two copies of `cat`
 * named apart (the kernel's comm is the executable's name) open the same
 * file; with `comm=` one's events come, the other's do not; with `uid=`
 * the same program run as another user (setpriv) is told apart.
 */
import assert from "node:assert/strict";
import { openKernelSource } from "../../../../src/sources/kernel/source.ts";
import { parseScope } from "../../../../src/sources/scope.ts";
import {
  argsOf,
  collectRecords,
  ignoreKernelTests,
  waitFor,
} from "../../../_helpers/kernel.ts";

const ignore = ignoreKernelTests() && Deno.env.get("CI") !== "true";

async function opens(
  scope: string[],
  runs: [program: string, args: string[]][],
  target: string,
): Promise<{ comms: string[]; uids: number[]; outOfScope: number }> {
  const source = await openKernelSource({
    events: new Set(["security_file_open"]),
    scope: parseScope(scope),
    containerdSocket: false,
  });
  try {
    const collector = collectRecords(source);
    for (const [program, args] of runs) {
      const { success } = await new Deno.Command(program, {
        args,
        stdout: "null",
      }).output();
      assert.ok(success, program);
    }
    const mine = () =>
      collector.records.map((record) => record.event()).filter((event) =>
        argsOf(event).pathname === target
      );
    await waitFor(() => mine().length > 0, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await collector.stop();
    return {
      comms: mine().map((event) => event.processName).sort(),
      uids: mine().map((event) => event.userId).sort(),
      outOfScope: source.outOfScope,
    };
  } finally {
    await source.close();
  }
}

Deno.test({
  name:
    "a kernel source with a comm or uid scope builds only the events of tasks in it",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vigil-scope-" });
    try {
      const target = `${dir}/target`;
      await Deno.writeTextFile(target, "x");
      await Deno.chmod(target, 0o644);
      await Deno.chmod(dir, 0o755);
      for (const name of ["vglscopea", "vglscopeb"]) {
        await Deno.copyFile("/bin/cat", `${dir}/${name}`);
        await Deno.chmod(`${dir}/${name}`, 0o755);
      }
      const both: [string, string[]][] = [
        [`${dir}/vglscopea`, [target]],
        [`${dir}/vglscopeb`, [target]],
      ];
      const byComm = await opens(["comm=vglscopea"], both, target);
      assert.deepEqual(byComm.comms, ["vglscopea"]);
      assert.ok(byComm.outOfScope > 0);

      const asNobody: [string, string[]][] = [
        ["setpriv", [
          "--reuid=65534",
          "--regid=65534",
          "--clear-groups",
          `${dir}/vglscopea`,
          target,
        ]],
        [`${dir}/vglscopeb`, [target]],
      ];
      const byUid = await opens(
        ["uid=65534", "not-container"],
        asNobody,
        target,
      );
      assert.deepEqual(byUid.uids, [65534]);
      assert.deepEqual(byUid.comms, ["vglscopea"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
