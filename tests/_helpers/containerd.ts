/**
 * A private containerd for live tests: its own root, state, socket and
 * config under a temporary directory (so it clashes with no other
 * containerd), a busybox image built here with umoci (no registry is
 * reachable) and imported with ctr, and containers run in kubelet-style
 * cgroups.
 *
 * @module
 */

/** The image every container runs: busybox-static, with an /etc/shadow. */
export const IMAGE = "vigil.test/busybox:1";
const NAMESPACE = "k8s.io";
const TOOLS = ["containerd", "ctr", "runc", "umoci", "busybox"];

/** Whether containerd, runc, umoci and busybox are installed (tools/setup.sh). */
export function containerdInstalled(): boolean {
  return TOOLS.every((tool) =>
    new Deno.Command("sh", {
      args: ["-c", `command -v ${tool}`],
      stdout: "null",
      stderr: "null",
    }).outputSync().success
  );
}

async function run(program: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(program, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `${program} ${args.join(" ")} failed: ${
        new TextDecoder().decode(output.stderr)
      }`,
    );
  }
  return text;
}

/** `n` random bytes as hex. */
export function randomHex(n: number): string {
  return [...crypto.getRandomValues(new Uint8Array(n))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The kubelet's labels of a pod's container, as `ctr run --label`s. */
export interface PodLabels {
  /** `io.kubernetes.pod.uid`, also the pod's cgroup (`pod<uid>`). */
  podUid: string;
  /** `io.kubernetes.pod.name`, when given. */
  podName?: string;
  /** `io.kubernetes.pod.namespace`, when given. */
  podNamespace?: string;
  /** `io.kubernetes.container.name`, when given. */
  containerName?: string;
}

/** A running private containerd; disposing stops it and removes its files. */
export interface Containerd extends AsyncDisposable {
  /** The daemon's gRPC socket. */
  readonly socket: string;
  /** Runs `command` in a new container of the pod, to its end. */
  runContainer(
    id: string,
    pod: string | PodLabels,
    command: string[],
  ): Promise<string>;
  /**
   * Creates (does not start) a container of {@linkcode IMAGE} in
   * containerd namespace `namespace`, importing the image there first.
   */
  createContainer(
    namespace: string,
    id: string,
    pod?: PodLabels,
  ): Promise<void>;
  /** Stops the daemon, keeping its files (containers must have ended). */
  stopDaemon(): Promise<void>;
  /** Starts the daemon again after {@linkcode Containerd.stopDaemon}. */
  startDaemon(): Promise<void>;
}

const LABELS = {
  podUid: "io.kubernetes.pod.uid",
  podName: "io.kubernetes.pod.name",
  podNamespace: "io.kubernetes.pod.namespace",
  containerName: "io.kubernetes.container.name",
} as const;

function labelArgs(pod: PodLabels): string[] {
  return Object.entries(LABELS).flatMap(([key, label]) => {
    const value = pod[key as keyof PodLabels];
    return value === undefined ? [] : ["--label", `${label}=${value}`];
  });
}

/** Starts containerd and imports {@linkcode IMAGE} into namespace k8s.io. */
export async function startContainerd(): Promise<Containerd> {
  // Short: the sockets' paths must fit in 108 bytes.
  const dir = await Deno.makeTempDir({ prefix: "vgl-ctd-" });
  const socket = `${dir}/c.sock`;
  await Deno.writeTextFile(
    `${dir}/config.toml`,
    [
      "version = 2",
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      // The CRI plugin would look for CNI and a sandbox image: not needed.
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      "[grpc]",
      `  address = "${socket}"`,
      "[ttrpc]",
      `  address = "${socket}.ttrpc"`,
      "",
    ].join("\n"),
  );
  let daemon: Deno.ChildProcess | undefined;
  const startDaemon = async () => {
    daemon = new Deno.Command("containerd", {
      args: ["--config", `${dir}/config.toml`],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForSocket(socket, 10_000);
  };
  const stopDaemon = async () => {
    try {
      daemon?.kill("SIGTERM");
    } catch { /* already ended */ }
    await daemon?.status;
    daemon = undefined;
    await Deno.remove(socket).catch(() => {});
  };
  const ctr = (args: string[]) =>
    run("ctr", ["--address", socket, "--namespace", NAMESPACE, ...args]);
  const pods = new Set<string>();
  const stop = async () => {
    await stopDaemon();
    for (const pod of pods) removePodCgroups(pod);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await startDaemon();
    await buildImage(dir);
    await ctr([
      "image",
      "import",
      "--index-name",
      IMAGE,
      `${dir}/image.tar`,
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    socket,
    runContainer(id, podOrUid, command) {
      const pod = typeof podOrUid === "string"
        ? { podUid: podOrUid }
        : podOrUid;
      pods.add(pod.podUid);
      return ctr([
        "run",
        "--rm",
        "--cgroup",
        `/kubepods/besteffort/pod${pod.podUid}/${id}`,
        ...labelArgs(pod),
        IMAGE,
        id,
        ...command,
      ]);
    },
    async createContainer(namespace, id, pod) {
      const inNamespace = (args: string[]) =>
        run("ctr", ["--address", socket, "--namespace", namespace, ...args]);
      await inNamespace([
        "image",
        "import",
        "--index-name",
        IMAGE,
        `${dir}/image.tar`,
      ]);
      await inNamespace([
        "container",
        "create",
        ...(pod ? labelArgs(pod) : []),
        IMAGE,
        id,
      ]);
    },
    stopDaemon,
    startDaemon,
    [Symbol.asyncDispose]: stop,
  };
}

async function waitForSocket(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (Deno.statSync(path).isSocket) return;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error("containerd did not start");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Builds {@linkcode IMAGE} as an OCI layout tarball, `dir`/image.tar: a
 * root file system of busybox-static's binary, its applets as links, and an
 * /etc/shadow for the container's process to read.
 */
async function buildImage(dir: string): Promise<void> {
  const layout = `${dir}/oci`;
  const bundle = `${dir}/bundle`;
  await run("umoci", ["init", "--layout", layout]);
  await run("umoci", ["new", "--image", `${layout}:bb`]);
  await run("umoci", ["unpack", "--image", `${layout}:bb`, bundle]);
  const rootfs = `${bundle}/rootfs`;
  await Deno.mkdir(`${rootfs}/bin`, { recursive: true });
  await Deno.mkdir(`${rootfs}/etc`, { recursive: true });
  await Deno.copyFile(
    (await run("sh", ["-c", "command -v busybox"])).trim(),
    `${rootfs}/bin/busybox`,
  );
  await Deno.chmod(`${rootfs}/bin/busybox`, 0o755);
  for (const applet of ["sh", "cat", "sleep"]) {
    await Deno.symlink("busybox", `${rootfs}/bin/${applet}`);
  }
  await Deno.writeTextFile(`${rootfs}/etc/shadow`, "root:*:19000:0:::::\n");
  await run("umoci", ["repack", "--image", `${layout}:bb`, bundle]);
  await run("tar", ["-C", layout, "-cf", `${dir}/image.tar`, "."]);
}

/** Removes what runc leaves of a pod's cgroups, in every hierarchy. */
function removePodCgroups(podUid: string): void {
  const mounts = Deno.readTextFileSync("/proc/mounts").split("\n")
    .map((line) => line.split(" "))
    .filter(([, , type]) => type === "cgroup" || type === "cgroup2");
  for (const [, mountPoint] of mounts) {
    try {
      Deno.removeSync(`${mountPoint}/kubepods/besteffort/pod${podUid}`);
    } catch { /* absent, or not empty yet */ }
  }
}
