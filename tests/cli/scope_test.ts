/**
 * `--scope` on replayed events: the events a scope admits are printed, the
 * others dropped and counted; bad scopes are refused in one line with exit
 * code 2; `--help` explains it. (On live events: tests/cli/container_details_live_test.ts
 * and tests/src/sources/kernel/scope_live_test.ts.)
 */
import assert from "node:assert/strict";
import { stringifyJson } from "../../src/event/json.ts";
import { runVigil, seedDir, tracee } from "../_helpers/replay.ts";

const ID = "c".repeat(64);

/** An openat of `path` by `comm` (uid `uid`), in container `ID` of pod namespace `ns` when given. */
function openat(
  path: string,
  { comm = "bash", uid = 1000, ns }: {
    comm?: string;
    uid?: number;
    ns?: string;
  } = {},
): string {
  const inPod = ns === undefined ? {} : {
    containerId: ID,
    container: { id: ID, name: "app", image: "registry/app:1" },
    kubernetes: { podName: "app-0", podNamespace: ns },
    contextFlags: { containerStarted: true, isCompat: false },
  };
  return stringifyJson(
    tracee("openat", [["pathname", "const char*", path]], {
      processName: comm,
      userId: uid,
      ...inPod,
    }),
  );
}

const LINES = [
  openat("/host/root", { uid: 0 }),
  openat("/host/user"),
  openat("/prod/nginx", { comm: "nginx", ns: "prod" }),
  openat("/dev/nginx", { comm: "nginx", ns: "dev", uid: 0 }),
  openat("/prod/sh", { comm: "sh", ns: "prod" }),
];

async function pathsIn(scope: string[]): Promise<string[]> {
  await using seed = await seedDir();
  const run = await runVigil(
    [
      "-s",
      seed.path,
      "--events",
      "openat",
      "--output",
      "json",
      "--input",
      "-",
      ...scope.flatMap((filter) => ["--scope", filter]),
    ],
    { stdin: LINES.join("\n") + "\n" },
  );
  assert.equal(run.code, 0, run.stderr);
  const paths = run.events.map((event) => String(event.args[0]!.value));
  const dropped = LINES.length - paths.length;
  if (dropped > 0) {
    assert.match(
      run.stderr,
      new RegExp(`${dropped} event\\(s\\) outside --scope`),
    );
  }
  return paths;
}

Deno.test("vigil --scope keeps replayed events by container, comm, uid and pod namespace", async () => {
  assert.deepEqual(await pathsIn(["container"]), [
    "/prod/nginx",
    "/dev/nginx",
    "/prod/sh",
  ]);
  assert.deepEqual(await pathsIn(["not-container"]), [
    "/host/root",
    "/host/user",
  ]);
  assert.deepEqual(await pathsIn(["comm=nginx", "k8s.ns=prod"]), [
    "/prod/nginx",
  ]);
  assert.deepEqual(await pathsIn(["uid=0"]), ["/host/root", "/dev/nginx"]);
  assert.deepEqual(await pathsIn(["container.image=registry/*", "uid!=0"]), [
    "/prod/nginx",
    "/prod/sh",
  ]);
});

Deno.test("vigil refuses a bad --scope in one line, exit code 2", async () => {
  for (
    const [filter, message] of [
      ["uid=root", /Cannot use --scope "uid=root": uid takes whole numbers/],
      ["namespace=prod", /unknown field "namespace"/],
    ] as const
  ) {
    const run = await runVigil(["--scope", filter, "--input", "-"], {
      stdin: "",
    });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, message);
  }
});

Deno.test("vigil --help explains --scope and --containerd-socket", async () => {
  const run = await runVigil(["--help"]);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /--scope <filter>/);
  assert.match(run.stdout, /not-container/);
  assert.match(run.stdout, /k8s\.ns/);
  assert.match(run.stdout, /--containerd-socket <path>/);
});
