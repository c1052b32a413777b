import assert from "node:assert/strict";
import { ignoreKernelTests } from "../_helpers/kernel.ts";
import { ROOT } from "../_helpers/replay.ts";
import { pollUntil, RunningSensor } from "../_helpers/sensor.ts";

const PROMETHEUS = "prometheus";
const EVENTS = `${ROOT}tests/fixtures/events/anti_debugging.jsonl`;
const BUSY_LOOP = `${ROOT}tests/hostile/signatures/busy_loop`;

function hasPrometheus(): boolean {
  try {
    return new Deno.Command(PROMETHEUS, { args: ["--version"] }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** Skipped without Prometheus, except under CI, where it must run (and fail). */
const ignorePrometheus = !hasPrometheus() && Deno.env.get("CI") !== "true";

function eventLines(text: string): string[] {
  return text.split("\n").filter((line) => line.startsWith("{"));
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** A real Prometheus scraping `target` every second, in a private temp dir. */
class Prometheus implements AsyncDisposable {
  readonly url: string;
  #child: Deno.ChildProcess;
  #dir: string;

  private constructor(dir: string, port: number, child: Deno.ChildProcess) {
    this.#dir = dir;
    this.url = `http://127.0.0.1:${port}`;
    this.#child = child;
  }

  static async start(target: string): Promise<Prometheus> {
    const dir = await Deno.makeTempDir({ prefix: "vigil-prometheus-" });
    await Deno.writeTextFile(
      `${dir}/prometheus.yml`,
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: vigil",
        "    static_configs:",
        `      - targets: ["${target}"]`,
        "",
      ].join("\n"),
    );
    // Another test may take the free port first: then Prometheus exits and
    // another port is tried.
    for (let attempt = 0;; attempt++) {
      const port = freePort();
      const child = new Deno.Command(PROMETHEUS, {
        args: [
          `--config.file=${dir}/prometheus.yml`,
          `--storage.tsdb.path=${dir}/data`,
          `--web.listen-address=127.0.0.1:${port}`,
          "--log.level=warn",
        ],
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const prometheus = new Prometheus(dir, port, child);
      try {
        await pollUntil(`${prometheus.url}/-/ready`, (s) => s === 200, 30_000);
        return prometheus;
      } catch (error) {
        await prometheus[Symbol.asyncDispose]();
        if (attempt === 2) throw error;
      }
    }
  }

  /** The value of an instant PromQL query with one result, once it is `expected`. */
  async waitForValue(query: string, expected: string): Promise<void> {
    const url = `${this.url}/api/v1/query?query=${encodeURIComponent(query)}`;
    await pollUntil(url, (status, body) => {
      if (status !== 200) return false;
      const result = (JSON.parse(body) as {
        data: { result: { value: [number, string] }[] };
      }).data.result;
      return result.length === 1 && result[0]!.value[1] === expected;
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await this.#child.stderr.cancel();
    await this.#child.status;
    await Deno.remove(this.#dir, { recursive: true });
  }
}

Deno.test({
  name:
    "a real Prometheus scrapes a running sensor's /metrics and answers PromQL with its counts",
  ignore: ignorePrometheus,
  async fn() {
    await using sensor = new RunningSensor([
      "--server",
      "127.0.0.1:0",
      "--output",
      "json",
    ]);
    const base = await sensor.serverUrl();
    const lines = eventLines(await Deno.readTextFile(EVENTS));
    await sensor.feed(lines);
    await using prometheus = await Prometheus.start(new URL(base).host);
    await prometheus.waitForValue('up{job="vigil"}', "1");
    // Every event of the file is one the built-ins select.
    await prometheus.waitForValue(
      "sum(vigil_events_total)",
      String(lines.length),
    );
    const ptrace = lines.filter((line) => line.includes('"ptrace"')).length;
    await prometheus.waitForValue(
      'vigil_events_total{event="ptrace"}',
      String(ptrace),
    );
    await prometheus.waitForValue(
      'vigil_findings_total{signature="VGL-1"}',
      "1",
    );
    await prometheus.waitForValue(
      'vigil_output_events_total{output="json"}',
      "1",
    );
    await prometheus.waitForValue(
      'vigil_signature_evaluation_seconds_count{signature="VGL-1"} > bool 0',
      "1",
    );
    await prometheus.waitForValue("vigil_sandbox_restarts_total", "0");
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), "ok\n");
  },
});

Deno.test("/healthz answers 503 with the reason while the sandbox does not answer, and 200 again once it was restarted", async () => {
  await using sensor = new RunningSensor([
    "--server",
    "127.0.0.1:0",
    "--signatures-dir",
    BUSY_LOOP,
    "--deadline",
    "4000",
    "--output",
    "json",
  ]);
  const base = await sensor.serverUrl();
  await pollUntil(`${base}/healthz`, (status) => status === 200);
  const lines = eventLines(await Deno.readTextFile(EVENTS));
  const openat = JSON.parse(lines[0]!) as Record<string, unknown>;
  openat.eventName = "openat";
  await sensor.feed([JSON.stringify(openat)]);
  const silent = await pollUntil(`${base}/healthz`, (status) => status === 503);
  assert.match(silent.body, /^the sandbox has not answered for \d+ ms\n$/);
  await sensor.waitForLog(/Restarting the sandbox/);
  await pollUntil(`${base}/healthz`, (status) => status === 200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /^vigil_sandbox_restarts_total 1$/m);
  assert.match(
    metrics,
    /^vigil_signature_kills_total\{signature="H-BUSY"\} 1$/m,
  );
  assert.match(
    metrics,
    /^vigil_signature_quarantined\{signature="H-BUSY"\} 0$/m,
  );
});

Deno.test("--server refuses an address that is not HOST:PORT, with exit code 2", async () => {
  await using sensor = new RunningSensor(["--server", "localhost"]);
  assert.equal(await sensor.finish(), 2);
  assert.match(sensor.stderr, /Cannot serve metrics on "localhost"/);
});

/** The value of the sample `series` (name and labels as printed) in `text`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test({
  name:
    "a live sensor's /metrics counts the kernel's events by name, and its lost and undecodable records",
  ignore: ignoreKernelTests(),
  async fn() {
    await using sensor = new RunningSensor([
      "--server",
      "127.0.0.1:0",
      "--events",
      "sched_process_exec",
      "--output",
      "json",
    ], { live: true });
    const base = await sensor.serverUrl();
    await sensor.waitForLog(/Watching the kernel/);
    await pollUntil(`${base}/healthz`, (status) => status === 200);
    const execs = 5;
    for (let i = 0; i < execs; i++) {
      await new Deno.Command("/bin/true").output();
    }
    // Other processes on the machine exec too: at least ours are counted.
    const { body } = await pollUntil(
      `${base}/metrics`,
      (_, text) =>
        (sample(text, 'vigil_events_total{event="sched_process_exec"}') ?? 0) >=
          execs,
    );
    assert.equal(typeof sample(body, "vigil_lostevents_total"), "number");
    for (const reason of ["unselected", "undecodable"]) {
      assert.equal(
        typeof sample(body, `vigil_events_dropped_total{reason="${reason}"}`),
        "number",
        reason,
      );
    }
  },
});
