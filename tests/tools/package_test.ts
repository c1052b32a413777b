/**
 * The Debian package end to end: built offline by tools/package.ts,
 * installed with apt-get, run with the checkout, Deno's cache and OPA out of
 * reach, its unit verified by systemd, and purged without a trace.
 */
import assert from "node:assert/strict";
import { buildPackage } from "../../tools/package.ts";
import { ROOT } from "../_helpers/replay.ts";

const UNIT = "/lib/systemd/system/vigil.service";
const SIGNATURE_CACHE = "/var/cache/vigil/signatures";
/** Where files come and go whatever this test does (package tools, logs, other tests). */
const CHURN = [
  "/var/lib/dpkg",
  "/var/lib/apt",
  "/var/cache/apt",
  "/var/cache/debconf",
  "/var/cache/ldconfig",
  "/var/cache/man",
  "/var/lib/systemd",
  "/var/lib/containerd",
  "/var/log",
  "/var/tmp",
];

function canInstall(): boolean {
  if (Deno.uid() !== 0) return false;
  return ["/usr/bin/dpkg-deb", "/usr/bin/apt-get", "/usr/bin/unshare"].every(
    (path) => {
      try {
        return Deno.statSync(path).isFile;
      } catch {
        return false;
      }
    },
  );
}

async function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; clearEnv?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, {
    args,
    cwd: "/",
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

/** Every path under the system's directories, churn excepted. */
async function systemFiles(): Promise<Set<string>> {
  const prune = CHURN.flatMap((dir) => ["-path", dir, "-prune", "-o"]);
  const { stdout } = await run("find", [
    "/etc",
    "/usr",
    "/lib/systemd",
    "/opt",
    "/var",
    "-xdev",
    ...prune,
    "-print",
  ]);
  return new Set(stdout.split("\n").filter((line) => line !== ""));
}

/**
 * Runs the installed `vigil` in a mount namespace where the checkout, the
 * Deno that built it and Deno's cache are empty directories, from `/`, with
 * a fresh HOME and a PATH without OPA.
 */
async function isolatedVigil(args: string[], home: string) {
  const denoDir = `${Deno.env.get("HOME") ?? "/root"}/.cache/deno`;
  const hidden = [
    ROOT,
    (await Deno.realPath(Deno.execPath())).replace(/\/[^/]+$/, ""),
    ...(await Deno.stat(denoDir).then(() => [denoDir], () => [])),
  ];
  // Deepest first: the Deno may live inside the checkout (.tools), whose
  // own mount would hide its mount point.
  const mounts = hidden.sort((a, b) => b.length - a.length)
    .map((dir) => `mount -t tmpfs none '${dir}'`).join(" && ");
  return await run("unshare", [
    "--mount",
    "--propagation",
    "private",
    "sh",
    "-c",
    `${mounts} && exec vigil "$@"`,
    "vigil",
    ...args,
  ], {
    clearEnv: true,
    env: { HOME: home, PATH: "/usr/sbin:/usr/bin:/sbin:/bin", NO_COLOR: "1" },
  });
}

Deno.test({
  name:
    "the Debian package installs, lists and replays without the checkout or OPA, passes systemd-analyze, and purges to nothing",
  ignore: !canInstall() && Deno.env.get("CI") !== "true",
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "vigil-deb-" });
    const home = await Deno.makeTempDir({ prefix: "vigil-home-" });
    let installed = false;
    try {
      const deb = await buildPackage(out);
      const events = `${out}/events.jsonl`;
      await Deno.copyFile(
        `${ROOT}tests/fixtures/events/shadow_file_read.jsonl`,
        events,
      );
      const before = await systemFiles();
      const install = await run("apt-get", [
        "install",
        "-y",
        "-o",
        "DPkg::Lock::Timeout=120",
        deb,
      ]);
      installed = true;
      assert.equal(install.code, 0, install.stderr);

      const verify = await run("systemd-analyze", ["verify", UNIT]);
      assert.equal(verify.code, 0, verify.stderr);
      const unit = await Deno.readTextFile(UNIT);
      assert.match(unit, /^Restart=on-failure$/m);
      assert.match(unit, /^ExecStart=\/usr\/bin\/vigil$/m);

      const cached = [...Deno.readDirSync(SIGNATURE_CACHE)].length;
      const list = await isolatedVigil(["list"], home);
      assert.equal(list.code, 0, list.stderr);
      for (const id of ["VGL-1", "VGL-12", "VGL-17"]) {
        assert.match(list.stdout, new RegExp(`^${id} `, "m"));
      }
      const replay = await isolatedVigil(["-i", events], home);
      assert.equal(replay.code, 0, replay.stderr);
      const findings = replay.stdout.split("\n").filter((l) => l !== "")
        .map((line) => JSON.parse(line).eventName);
      assert.deepEqual(findings, ["shadow_file_read"]);
      // Nothing compiled (no OPA was reachable) and nothing written to HOME.
      assert.equal([...Deno.readDirSync(SIGNATURE_CACHE)].length, cached);
      assert.deepEqual([...Deno.readDirSync(home)], []);

      const purge = await run("apt-get", [
        "purge",
        "-y",
        "-o",
        "DPkg::Lock::Timeout=120",
        "vigil",
      ]);
      assert.equal(purge.code, 0, purge.stderr);
      installed = false;
      const after = await systemFiles();
      assert.deepEqual([...after].filter((path) => !before.has(path)), []);
      assert.deepEqual([...before].filter((path) => !after.has(path)), []);
    } finally {
      if (installed) await run("apt-get", ["purge", "-y", "vigil"]);
      await Deno.remove(out, { recursive: true });
      await Deno.remove(home, { recursive: true });
    }
  },
});
