/**
 * The built-in signatures end to end on the real kernel: one `vigil` with its
 * default settings watches while real processes do each behaviour that can be
 * provoked safely here; each gives exactly one finding, with the expected id
 * and data, from the process that did it. A normal workload (a shell session,
 * a compile with gcc and make, a package install) gives none.
 *
 * Not covered here:
 * - VGL-8, VGL-9, VGL-10, VGL-11, VGL-18 select container events (or
 *   Kubernetes files); there is no container runtime on the test machine.
 * - VGL-17 (reverse shell) fires only for a socket connected to a
 *   non-loopback address, and tests must not connect anywhere but loopback.
 */
import assert from "node:assert/strict";
import { parseJsonExact } from "../../src/event/json.ts";
import type { TraceeEvent } from "../../src/event/event.ts";
import { ROOT, TEST_CACHE_DIR } from "../_helpers/replay.ts";
import { fixtureProgram, IGNORE_KERNEL_TESTS } from "../sources/_kernel.ts";

/** How long a finding may take to arrive. */
const ARRIVAL_MS = 5_000;
/** How long to keep watching for a duplicate after the first finding. */
const SETTLE_MS = 400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A running `vigil --output json` and every finding it printed so far. */
interface Sensor {
  findings: TraceeEvent[];
  stderr: string[];
  stop(): Promise<number>;
}

async function startSensor(): Promise<Sensor> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}mod.ts`,
      "--output",
      "json",
      "--cache-dir",
      TEST_CACHE_DIR,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
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

Deno.test({
  name: "built-in signatures on the real kernel: one finding per behaviour",
  ignore: IGNORE_KERNEL_TESTS,
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
        "VGL-5 kernel module loading: init_module of a non-module",
        async () => {
          const child = await run(behave, ["init-module"]);
          assert.equal(child.code, 0, child.stderr);
          const { data } = await onlyFinding(sensor, child.pid, "VGL-5");
          assert.deepEqual(data, {
            syscall: "init_module",
            param_values: "vigil=1",
          });
        },
      );

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
    } finally {
      const code = await sensor.stop();
      await Deno.remove(dir, { recursive: true });
      assert.equal(code, 0, sensor.stderr.join("\n"));
    }
  },
});
