/**
 * Reloading while a replay from stdin is running (no kernel needed): SIGHUP
 * rereads the exceptions file with the signatures, a broken file keeps the
 * exceptions in force, and the findings in between are counted.
 */
import assert from "node:assert/strict";
import { ROOT, spawnVigil } from "../_helpers/replay.ts";
import { Lines } from "../_helpers/lines.ts";

const FIXTURE = await Deno.readTextFile(
  `${ROOT}tests/fixtures/events/shadow_file_read.jsonl`,
);
/**
 * The fixture (one finding, by `cat`), then a marker: its last open again,
 * by `dog`, whom no exception silences. The marker's finding proves that
 * the replay before it was evaluated.
 */
const FINDING_LINE = FIXTURE.split("\n").find((line) =>
  line.includes('"eventName":"security_file_open"') &&
  line.includes('"processName":"cat"') && line.includes("/etc/shadow")
)!;
const EVENTS = FIXTURE.trimEnd() + "\n" +
  FINDING_LINE.replace('"processName":"cat"', '"processName":"dog"') + "\n";

const SILENCE_CAT = `exceptions:
  - name: cat may read it
    signature: VGL-12
    match: {process.name: cat}
`;

Deno.test("SIGHUP rereads the exceptions file; a broken one keeps the exceptions in force", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-reload-exceptions-" });
  const file = `${dir}/exceptions.yaml`;
  await Deno.writeTextFile(file, "exceptions: []\n");
  const vigil = spawnVigil(["-i", "-", "-o", "json", "--exceptions", file], {
    stdin: "piped",
  });
  const stdout = new Lines(vigil.stdout);
  const stderr = new Lines(vigil.stderr);
  const stdin = vigil.stdin.getWriter();
  const findings = (name: string) =>
    stdout.lines.filter((l) =>
      l.includes('"eventName":"shadow_file_read"') &&
      l.includes(`"processName":"${name}"`)
    ).length;
  let replays = 0;
  /** Replays the events and waits for their marker. */
  const replay = async () => {
    await stdin.write(new TextEncoder().encode(EVENTS));
    replays++;
    await stdout.waitFor(() => findings("dog") === replays, 60_000);
  };
  const reload = async () => {
    const from = stderr.lines.length;
    vigil.kill("SIGHUP");
    await stderr.waitFor((l) => l.includes("Reloaded"), 60_000, from);
    return from;
  };
  try {
    await replay();
    assert.equal(findings("cat"), 1);

    await Deno.writeTextFile(file, SILENCE_CAT);
    await reload();
    await replay();
    assert.equal(findings("cat"), 1, "the exception did not take effect");

    await Deno.writeTextFile(file, "exceptions: [{name: broken}]\n");
    const from = await reload();
    const error = await stderr.waitFor(
      (l) => l.includes("Cannot use exceptions file"),
      1000,
      from,
    );
    assert.match(error.line, /exception 1: "signature" must be a text/);
    await replay();
    assert.equal(findings("cat"), 1, "a broken file dropped the exceptions");

    await Deno.writeTextFile(file, "exceptions: []\n");
    await reload();
    await replay();
    assert.equal(findings("cat"), 2);
    await stdin.close();
    const status = await vigil.status;
    await Promise.all([stdout.ended(), stderr.ended()]);
    assert.equal(status.code, 0, stderr.lines.join("\n"));
    assert.ok(
      stderr.lines.some((l) =>
        l.includes("2 finding(s) suppressed by exceptions")
      ),
      stderr.lines.join("\n"),
    );
  } finally {
    try {
      vigil.kill("SIGKILL");
    } catch {
      // already exited
    }
    await vigil.status;
    await Deno.remove(dir, { recursive: true });
  }
});

/** A TypeScript signature reporting each file open with its `version`. */
function opensSignature(version: string): string {
  return `export const metadata = {
  id: "T-OPENS",
  version: "1.0.0",
  name: "Opens",
  eventName: "opens",
  description: "Each file open",
};
export const selectedEvents = [{ source: "tracee", name: "security_file_open" }];
export const onEvent = (event: { processName: string }, report: (data: unknown) => void) => {
  report({ version: ${version} });
};
`;
}

Deno.test("SIGHUP runs a TypeScript signature's new version; a broken or refused edit keeps the previous one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vigil-reload-ts-" });
  const path = `${dir}/opens.ts`;
  await Deno.writeTextFile(path, opensSignature("1"));
  const vigil = spawnVigil(["-s", dir, "-i", "-", "-o", "json"], {
    stdin: "piped",
  });
  const stdout = new Lines(vigil.stdout);
  const stderr = new Lines(vigil.stderr);
  const stdin = vigil.stdin.getWriter();
  const opens =
    FIXTURE.split("\n").filter((l) =>
      l.includes('"eventName":"security_file_open"')
    ).length;
  const versions = () =>
    stdout.lines.filter((l) => l.includes('"eventName":"opens"')).map((l) =>
      JSON.parse(l).args[0].value
    );
  /** Replays the fixture and returns the versions that reported its opens. */
  const replay = async () => {
    const before = versions().length;
    await stdin.write(new TextEncoder().encode(FIXTURE));
    await stdout.waitFor(() => versions().length === before + opens, 60_000);
    return [...new Set(versions().slice(before))];
  };
  const reload = async (text: string) => {
    await Deno.writeTextFile(path, text);
    const from = stderr.lines.length;
    vigil.kill("SIGHUP");
    await stderr.waitFor((l) => l.includes("Reloaded"), 60_000, from);
    return stderr.lines.slice(from).join("\n");
  };
  try {
    assert.deepEqual(await replay(), [1]);
    assert.doesNotMatch(await reload(opensSignature("2")), /keeps running/);
    assert.deepEqual(await replay(), [2]);
    const broken = await reload("export const metadata = {");
    assert.match(broken, /opens\.ts.*its previous version keeps running/);
    assert.deepEqual(await replay(), [2]);
    const refused = await reload(
      opensSignature("3").replace('id: "T-OPENS"', 'id: ""'),
    );
    assert.match(refused, /opens\.ts.*its previous version keeps running/);
    assert.deepEqual(await replay(), [2]);
    await stdin.close();
    assert.equal((await vigil.status).code, 0);
    await Promise.all([stdout.ended(), stderr.ended()]);
  } finally {
    try {
      vigil.kill("SIGKILL");
    } catch {
      // already exited
    }
    await vigil.status;
    await Deno.remove(dir, { recursive: true });
  }
});

/** Whether a thread of process `pid` waits to open a FIFO. */
async function waitsOnFifo(pid: number): Promise<boolean> {
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    const wchan = await Deno.readTextFile(
      `/proc/${pid}/task/${task.name}/wchan`,
    )
      .catch(() => "");
    if (wchan === "wait_for_partner" || wchan === "fifo_open") return true;
  }
  return false;
}

Deno.test({
  name: "a SIGHUP while the run starts does not end it",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vigil-early-hup-" });
    const fifo = `${dir}/exceptions.yaml`;
    try {
      const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assert.ok(made.success);
      // Reading the exceptions blocks on the FIFO: the run has started.
      const vigil = spawnVigil(["-i", "/dev/null", "--exceptions", fifo]);
      const stderr = new Lines(vigil.stderr);
      const deadline = Date.now() + 60_000;
      while (!(await waitsOnFifo(vigil.pid))) {
        assert.ok(Date.now() < deadline, "vigil never opened the FIFO");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      vigil.kill("SIGHUP");
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Opened for writing by a child that gives up if vigil is gone.
      await new Deno.Command("timeout", {
        args: ["10", "sh", "-c", `: > '${fifo}'`],
      }).output();
      const status = await vigil.status;
      await Promise.all([stderr.ended(), vigil.stdout.cancel()]);
      // Ended by its own check of the file (not a regular file), not the signal.
      assert.equal(status.signal, null);
      assert.equal(status.code, 2, stderr.lines.join("\n"));
      assert.match(stderr.lines.join("\n"), /it is not a regular file/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
