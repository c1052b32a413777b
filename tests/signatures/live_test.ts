/**
 * The built-in signatures end to end on the real kernel: one `vigil` with its
 * default settings watches while real processes do each behaviour that can be
 * provoked safely here; each gives exactly one finding, with the expected id
 * and data, from the process that did it. A normal workload (a shell session,
 * a compile with gcc and make, a package install) gives none.
 *
 * Not covered here:
 * - VGL-8, VGL-9, VGL-10 and VGL-18 select events of containers only, and
 *   there is no container runtime on the test machine (VGL-10 and VGL-18 also
 *   need magic_write, which the kernel source does not produce yet).
 * - VGL-11 would need fake credentials planted at Kubernetes' own paths
 *   (/var/run/secrets/kubernetes.io/..., /etc/kubernetes/pki/...), which a
 *   test must not create on a machine that may be a Kubernetes node.
 * - VGL-17 (reverse shell) fires only for a socket connected to a
 *   non-loopback address, and tests must not connect anywhere but loopback.
 *
 * VGL-5 is provoked with init_module and finit_module of images that are not
 * modules: the kernel refuses them (ENOEXEC, or ENOSYS on a kernel built
 * without module support), nothing is loaded, and the syscall is reported.
 * A kernel without module support has no tracepoints for them: the sensor
 * says it leaves them out, and a second one with `--syscall-hooks sys_enter`
 * reports them.
 */
import assert from "node:assert/strict";
import { parseJsonExact } from "../../src/event/json.ts";
import type { TraceeEvent } from "../../src/event/event.ts";
import { spawnVigil } from "../_helpers/replay.ts";
import {
  fixtureProgram,
  ignoreKernelTests,
  kernelHasModuleSyscalls,
} from "../_helpers/kernel.ts";

/**
 * How long a finding may take to arrive: the test is about what is found,
 * not how fast, and on a loaded machine the sensor can lag by seconds.
 */
const ARRIVAL_MS = 30_000;
/** How long to keep watching for a duplicate after the first finding. */
const SETTLE_MS = 400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A running `vigil --output json` and every finding it printed so far. */
interface Sensor {
  findings: TraceeEvent[];
  stderr: string[];
  stop(): Promise<number>;
}

async function startSensor(args: readonly string[] = []): Promise<Sensor> {
  const child = spawnVigil(["--output", "json", ...args]);
  const findings: TraceeEvent[] = [];
  const stderr: string[] = [];
  const lines = async (
    stream: ReadableStream<Uint8Array>,
    onLine: (line: string) => void,
  ) => {
    let text = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const parts = text.split("\n");
      text = parts.pop()!;
      for (const line of parts) onLine(line);
    }
    if (text !== "") onLine(text);
  };
  const reading = Promise.all([
    lines(child.stdout, (line) => {
      if (line.startsWith("{")) {
        findings.push(parseJsonExact(line) as TraceeEvent);
      }
    }),
    lines(child.stderr, (line) => void stderr.push(line)),
  ]);
  const ready = await waitFor(
    () => stderr.some((line) => line.includes("Watching the kernel")),
    30_000,
  );
  const stop = async () => {
    try {
      child.kill("SIGINT");
    } catch { /* already ended */ }
    const status = await child.status;
    await reading;
    return status.code;
  };
  if (!ready) {
    await stop();
    throw new Error(`vigil did not start:\n${stderr.join("\n")}`);
  }
  return { findings, stderr, stop };
}

/** Polls `condition` until it holds or `timeoutMs` passes. */
async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

function signatureId(finding: TraceeEvent): unknown {
  return finding.metadata?.Properties?.signatureID;
}

function argsOf(event: TraceeEvent): Record<string, unknown> {
  return Object.fromEntries(event.args.map((arg) => [arg.name, arg.value]));
}

/** Runs a command to its end; returns its pid and output. */
async function run(
  program: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ pid: number; code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(program, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...options,
  }).spawn();
  const output = await child.output();
  return {
    pid: child.pid,
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

/**
 * Waits for the findings of process `pid` and checks that there is exactly
 * one, from signature `id`; returns its data.
 */
async function onlyFinding(
  sensor: Sensor,
  pid: number,
  id: string,
): Promise<{ finding: TraceeEvent; data: Record<string, unknown> }> {
  const mine = () => sensor.findings.filter((f) => f.hostProcessId === pid);
  const arrived = await waitFor(() => mine().length > 0, ARRIVAL_MS);
  assert.ok(arrived, `no finding from pid ${pid} within ${ARRIVAL_MS} ms`);
  await sleep(SETTLE_MS);
  const found = mine();
  assert.deepEqual(
    found.map(signatureId),
    [id],
    `findings of pid ${pid}: ${found.map((f) => f.eventName).join(", ")}`,
  );
  const finding = found[0]!;
  return { finding, data: argsOf(finding) };
}

/**
 * A shell session, a compile (gcc, make) and two package installs (a Debian
 * package with dpkg into a private root, a hand-built wheel with pip into a
 * private directory), all offline and inside `$W`, under `set -eu` so that a
 * step that fails fails the test. `$CANARY` runs last when set, to check that
 * the test can fail (e.g. `VIGIL_E2E_CANARY='cat /etc/shadow'`).
 */
const WORKLOAD = String.raw`set -euo pipefail
cd "$W"
# A shell session.
ls -la /etc /usr/bin > listing.txt
cat /etc/os-release /etc/hostname /etc/passwd > /dev/null
grep -c root /etc/passwd > /dev/null
echo hello > note.txt
cat note.txt | tr a-z A-Z | wc -l > /dev/null
for i in 3 1 2; do echo "$i"; done | sort > sorted.txt
mkdir -p sub/dir && cd sub/dir && pwd > /dev/null && cd "$W"
find . -name '*.txt' | xargs wc -c > /dev/null
ps -ef > /dev/null; id > /dev/null; date > /dev/null; env > /dev/null
# A compile.
cat > hello.c <<'END'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
END
gcc -O2 -Wall -o hello hello.c
./hello > /dev/null
printf 'hello2: hello.c\n\t$(CC) -O2 -o $@ $<\n' > Makefile
make -s
./hello2 > /dev/null
# A Debian package installed with dpkg into a private root.
mkdir -p pkg/DEBIAN pkg/usr/bin root/var/lib/dpkg/info root/var/lib/dpkg/updates
touch root/var/lib/dpkg/status
printf 'Package: vigil-e2e\nVersion: 1.0\nArchitecture: all\nMaintainer: Vigil <vigil@example.invalid>\nDescription: test package\n' > pkg/DEBIAN/control
cp hello pkg/usr/bin/vigil-e2e-hello
dpkg-deb --root-owner-group --build pkg vigil-e2e.deb > /dev/null
dpkg --root="$W/root" --install vigil-e2e.deb > /dev/null
root/usr/bin/vigil-e2e-hello > /dev/null
# A wheel built by hand, installed with pip into a private directory.
python3 - <<'END'
import base64, hashlib, zipfile
files = {
    "vigil_e2e/__init__.py": "X = 1\n",
    "vigil_e2e-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: vigil-e2e\nVersion: 1.0\n",
    "vigil_e2e-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: vigil\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
with zipfile.ZipFile("vigil_e2e-1.0-py3-none-any.whl", "w") as wheel:
    for name, text in files.items():
        wheel.writestr(name, text)
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    record.append("vigil_e2e-1.0.dist-info/RECORD,,")
    wheel.writestr("vigil_e2e-1.0.dist-info/RECORD", "\n".join(record) + "\n")
END
python3 -m pip install --quiet --no-index --no-cache-dir --disable-pip-version-check --root-user-action=ignore --target site vigil_e2e-1.0-py3-none-any.whl
PYTHONPATH=site python3 -c 'import vigil_e2e; assert vigil_e2e.X == 1'
eval "$CANARY"
`;

/** The unified (v2) cgroup hierarchy: the one the kernel's cgroup ids name. */
function unifiedCgroupRoot(): string {
  for (const dir of ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]) {
    try {
      Deno.statSync(`${dir}/cgroup.procs`);
      Deno.statSync(`${dir}/cgroup.subtree_control`);
      return dir;
    } catch { /* not cgroup v2 */ }
  }
  throw new Error("no cgroup v2 hierarchy");
}

/**
 * Runs the workload in a cgroup of its own, so that every process it starts,
 * however deep, carries that cgroup's id in its events (the id is the cgroup
 * directory's inode number), and findings of unrelated processes on the
 * machine (daemons, other tests) are told apart and ignored. A canary (cat
 * /etc/shadow) run in the same cgroup afterwards must give exactly one
 * finding: it shows that the filter does see the workload's findings.
 */
async function normalWorkloadGivesNone(
  sensor: Sensor,
  dir: string,
): Promise<void> {
  const work = `${dir}/workload`;
  await Deno.mkdir(work);
  const cgroup = `${unifiedCgroupRoot()}/vigil-e2e-${
    crypto.randomUUID().slice(0, 8)
  }`;
  await Deno.mkdir(cgroup);
  try {
    const cgroupId = BigInt((await Deno.stat(cgroup)).ino!);
    const inCgroup = (finding: TraceeEvent) =>
      BigInt(finding.cgroupId) === cgroupId;
    const enter = `echo $$ > '${cgroup}/cgroup.procs'; `;
    const workload = await run("bash", ["-c", enter + WORKLOAD], {
      env: { W: work, CANARY: Deno.env.get("VIGIL_E2E_CANARY") ?? "" },
    });
    assert.equal(workload.code, 0, workload.stderr);
    const canary = await run("bash", ["-c", `${enter}exec cat /etc/shadow`]);
    assert.equal(canary.code, 0, canary.stderr);
    const { finding } = await onlyFinding(sensor, canary.pid, "VGL-12");
    assert.ok(inCgroup(finding), "the canary's finding has the cgroup's id");
    const fromWorkload = sensor.findings.filter((f) =>
      inCgroup(f) && f.hostProcessId !== canary.pid
    );
    assert.deepEqual(
      fromWorkload.map((f) =>
        `${signatureId(f)} ${f.processName} ${JSON.stringify(argsOf(f))}`
      ),
      [],
    );
  } finally {
    // Its processes have ended: the cgroup is empty and can be removed.
    await Deno.remove(cgroup);
  }
}

Deno.test({
  name: "built-in signatures on the real kernel: one finding per behaviour",
  ignore: ignoreKernelTests(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const behave = fixtureProgram("behave");
    const dir = await Deno.makeTempDir({ prefix: "vigil-e2e-" });
    const sensor = await startSensor();
    try {
      await t.step("VGL-1 anti-debugging: ptrace(PTRACE_TRACEME)", async () => {
        const child = await run(behave, ["traceme"]);
        assert.equal(child.code, 0, child.stderr);
        const { finding } = await onlyFinding(sensor, child.pid, "VGL-1");
        assert.equal(finding.eventName, "anti_debugging");
        assert.equal(finding.processName, "behave");
      });

      await t.step(
        "VGL-2 code injection: process_vm_writev into a child",
        async () => {
          const child = await run(behave, ["inject"]);
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-2");
          assert.deepEqual(data, {
            method: "process_vm_writev",
            target_pid: Number(child.stdout.trim()),
          });
        },
      );

      await t.step(
        "VGL-2 code injection: write-open of a child's /proc/<pid>/mem",
        async () => {
          const child = await run(behave, ["proc-mem"]);
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-2");
          assert.equal(data.method, "proc_mem");
          assert.equal(data.pathname, child.stdout.trim());
          assert.match(String(data.flags), /^O_RDWR/);
        },
      );

      await t.step(
        "VGL-3 dynamic code loading: mprotect RW to RX",
        async () => {
          const child = await run(behave, ["w-to-x"]);
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-3");
          assert.equal(data.alert, "Protection changed from W to E!");
        },
      );

      await t.step("VGL-4 fileless execution: exec from a memfd", async () => {
        const child = await run(behave, ["memfd-exec"]);
        assert.equal(child.code, 0, child.stderr);
        const { data } = await onlyFinding(sensor, child.pid, "VGL-4");
        assert.match(String(data.pathname), /^memfd:vigil-test/);
      });

      await t.step("VGL-4 fileless execution: exec from /dev/shm", async () => {
        const path = `/dev/shm/vigil-e2e-${crypto.randomUUID()}`;
        await Deno.copyFile("/bin/true", path);
        try {
          await Deno.chmod(path, 0o755);
          const child = await run(path, []);
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-4");
          assert.deepEqual(data, { pathname: path });
        } finally {
          await Deno.remove(path);
        }
      });

      await t.step(
        "VGL-4 fileless execution: found in /dev/shm by execvp after a failed call",
        async () => {
          // env's execvp tries the first PATH entry (ENOENT), then /dev/shm:
          // two execve calls, a security_bprm_check and a sched_process_exec
          // for one start.
          const name = `vigil-e2e-${crypto.randomUUID()}`;
          await Deno.copyFile("/bin/true", `/dev/shm/${name}`);
          try {
            await Deno.chmod(`/dev/shm/${name}`, 0o755);
            const child = await run("env", [
              `PATH=/nonexistent-${name}:/dev/shm`,
              name,
            ]);
            assert.equal(child.code, 0, child.stderr);
            const { data } = await onlyFinding(sensor, child.pid, "VGL-4");
            assert.deepEqual(data, { pathname: `/dev/shm/${name}` });
          } finally {
            await Deno.remove(`/dev/shm/${name}`);
          }
        },
      );

      await t.step(
        "VGL-4 fileless execution: a script run from /dev/shm",
        async () => {
          // The binary is the interpreter: the path exec was given counts.
          const path = `/dev/shm/vigil-e2e-${crypto.randomUUID()}.sh`;
          await Deno.writeTextFile(path, "#!/bin/sh\nexit 0\n", {
            mode: 0o755,
          });
          try {
            const child = await run(path, []);
            assert.equal(child.code, 0, child.stderr);
            const { data } = await onlyFinding(sensor, child.pid, "VGL-4");
            assert.deepEqual(data, { pathname: path });
          } finally {
            await Deno.remove(path);
          }
        },
      );

      const modules = kernelHasModuleSyscalls();
      if (!modules) {
        assert.ok(
          sensor.stderr.some((line) =>
            line.includes("Not hooking") && line.includes("finit_module") &&
            line.includes(" init_module") &&
            line.includes("this kernel was built without them")
          ),
          sensor.stderr.join("\n"),
        );
      }
      const moduleSensor = modules
        ? sensor
        : await startSensor(["--syscall-hooks", "sys_enter"]);
      try {
        const file = `${dir}/not-a-module.ko`;
        await Deno.writeTextFile(file, "not a module\n");
        const loads: [string, string[]][] = [
          ["init_module", ["init-module"]],
          ["finit_module", ["finit-module", file]],
        ];
        for (const [syscall, args] of loads) {
          await t.step(
            `VGL-5 kernel module loading: ${syscall} of a non-module`,
            async () => {
              const child = await run(behave, args);
              assert.equal(child.code, 0, child.stderr);
              const { data } = await onlyFinding(
                moduleSensor,
                child.pid,
                "VGL-5",
              );
              assert.deepEqual(data, { syscall, param_values: "vigil=1" });
            },
          );
        }
      } finally {
        if (moduleSensor !== sensor) {
          assert.equal(
            await moduleSensor.stop(),
            0,
            moduleSensor.stderr.join("\n"),
          );
        }
      }

      await t.step(
        "VGL-6 dynamic linker hijacking: LD_PRELOAD from /tmp",
        async () => {
          const library = `${dir}/evil.so`;
          const child = await run("/bin/true", [], {
            env: { LD_PRELOAD: library },
          });
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-6");
          assert.deepEqual(data, { variables: [`LD_PRELOAD=${library}`] });
        },
      );

      await t.step(
        "VGL-7 shell started by a server process (nginx)",
        async () => {
          const child = await run(behave, ["server-shell"]);
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-7");
          assert.equal(data.parent_comm, "nginx");
          assert.match(String(data.shell), /\/(?:da|ba)?sh$/);
        },
      );

      await t.step(
        "VGL-12 password hash file read: cat /etc/shadow",
        async () => {
          const child = await run("cat", ["/etc/shadow"]);
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-12");
          assert.equal(data.pathname, "/etc/shadow");
          assert.match(String(data.flags), /^O_RDONLY/);
        },
      );

      await t.step(
        "VGL-13 SSH private key read: a dummy key of a new home",
        async () => {
          // No real key is read: a home directory that did not exist is made
          // under /home (the signature matches /root and /home/<user> only),
          // holding a dummy file, and removed afterwards.
          const home = `/home/vigil-e2e-${crypto.randomUUID().slice(0, 8)}`;
          await Deno.mkdir(`${home}/.ssh`, { recursive: true });
          try {
            const key = `${home}/.ssh/id_ed25519`;
            await Deno.writeTextFile(key, "not a key\n", { mode: 0o600 });
            const child = await run("cat", [key]);
            assert.equal(child.code, 0, child.stderr);
            const { data } = await onlyFinding(sensor, child.pid, "VGL-13");
            assert.equal(data.pathname, key);
          } finally {
            await Deno.remove(home, { recursive: true });
          }
        },
      );

      await t.step("VGL-14 hidden file created in /usr/local/lib", async () => {
        const path = `/usr/local/lib/.vigil-e2e-${crypto.randomUUID()}`;
        try {
          const child = await run("touch", [path]);
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-14");
          assert.equal(data.pathname, path);
          assert.match(String(data.flags), /O_CREAT/);
        } finally {
          await Deno.remove(path).catch(() => {});
        }
      });

      await t.step(
        "VGL-15 kernel reconnaissance: read /proc/kallsyms",
        async () => {
          const child = await run("head", ["-c", "1", "/proc/kallsyms"]);
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-15");
          assert.deepEqual(data, { pathname: "/proc/kallsyms" });
        },
      );

      await t.step("VGL-16 self-deleting executable", async () => {
        const path = `${dir}/self-deleting`;
        await Deno.copyFile(behave, path);
        await Deno.chmod(path, 0o755);
        const child = await run(path, ["self-delete"]);
        assert.equal(child.code, 0, child.stderr);
        const { data } = await onlyFinding(sensor, child.pid, "VGL-16");
        assert.deepEqual(data, { pathname: path, executable: path });
      });

      await t.step("a normal workload gives no finding", async () => {
        await normalWorkloadGivesNone(sensor, dir);
      });
    } finally {
      const code = await sensor.stop();
      await Deno.remove(dir, { recursive: true });
      assert.equal(code, 0, sensor.stderr.join("\n"));
    }
  },
});
