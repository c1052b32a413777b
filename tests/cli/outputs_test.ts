import assert from "node:assert/strict";
import type { TraceeEvent } from "../../src/event/event.ts";
import { parseJsonExact, stringifyJson } from "../../src/event/json.ts";
import { formatTableHeader } from "../../src/output/table.ts";
import { runVigil, seedArgs, seedDir, tracee } from "../_helpers/replay.ts";
import { RunningSensor } from "../_helpers/sensor.ts";

/** An openat of /etc/passwd by `pid`: the seed's `mine` finds each one. */
function passwdOpen(pid: number): string {
  return stringifyJson(
    tracee("openat", [["pathname", "const char*", `/etc/passwd-${pid}`]], {
      hostProcessId: pid,
      timestamp: 1680190419485136510n + BigInt(pid),
    }),
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** The trigger pids of the findings in JSON lines `text`. */
function findingPids(text: string): number[] {
  return text.split("\n").filter((line) => line !== "").map((line) =>
    (parseJsonExact(line) as TraceeEvent).hostProcessId
  );
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`Timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

Deno.test("every event goes to every output at once: stdout, JSON and table files, and a webhook", async () => {
  await using seed = await seedDir();
  const dir = await Deno.makeTempDir({ prefix: "vigil-outputs-" });
  const bodies: TraceeEvent[][] = [];
  await using server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    bodies.push(parseJsonExact(await request.text()) as TraceeEvent[]);
    return new Response(null, { status: 204 });
  });
  try {
    const run = await runVigil([
      ...seedArgs(seed.path),
      "--input",
      "-",
      "-o",
      `json:${dir}/events.json`,
      "-o",
      `table:${dir}/events.txt`,
      "-o",
      `webhook:http://127.0.0.1:${server.addr.port}/findings`,
    ], { stdin: range(1, 41).map(passwdOpen).join("\n") + "\n" });
    assert.equal(run.code, 0, run.stderr);
    const pids = findingPids(run.stdout);
    assert.deepEqual(pids, range(1, 41));
    assert.deepEqual(
      findingPids(Deno.readTextFileSync(`${dir}/events.json`)),
      pids,
    );
    assert.equal(Deno.readTextFileSync(`${dir}/events.json`), run.stdout);
    const table = Deno.readTextFileSync(`${dir}/events.txt`).split("\n");
    assert.equal(table[0], formatTableHeader());
    assert.equal(table.length, 1 + 40 + 1);
    assert.ok(table.slice(1, -1).every((row) => / mine /.test(row)));
    // Delivered before the sensor exited, each once, in order.
    assert.deepEqual(bodies.flat().map((e) => e.hostProcessId), pids);
    assert.deepEqual(
      bodies.flat().map((event) => stringifyJson(event)),
      run.stdout.trimEnd().split("\n"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a webhook that never answers does not hold the sensor up: it exits within the drain bound and says what was left", async () => {
  await using seed = await seedDir();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // Accepts connections and never answers.
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  try {
    const started = performance.now();
    const run = await runVigil([
      ...seedArgs(seed.path),
      "--input",
      "-",
      "-o",
      `webhook:http://127.0.0.1:${listener.addr.port}/secret-token`,
    ], { stdin: range(1, 11).map(passwdOpen).join("\n") + "\n" });
    assert.equal(run.code, 0, run.stderr);
    // Detection went on: every finding was printed.
    assert.deepEqual(findingPids(run.stdout), range(1, 11));
    assert.match(
      run.stderr,
      /Output webhook:http:\/\/127\.0\.0\.1:\d+\/…: 10 event\(s\) left undelivered at exit/,
    );
    assert.ok(performance.now() - started < 60_000);
    // A webhook URL's path may be a secret: logs show its origin only.
    assert.ok(!run.stderr.includes("secret-token"), run.stderr);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of accepted) conn.close();
  }
});

Deno.test("a JSON file output is reopened on SIGUSR1: after logrotate moves it, later lines go to the new file and none is lost", async () => {
  await using seed = await seedDir();
  const dir = await Deno.makeTempDir({ prefix: "vigil-reopen-" });
  const path = `${dir}/vigil.json`;
  try {
    await using sensor = new RunningSensor([
      ...seedArgs(seed.path),
      "-o",
      `json:${path}`,
    ]);
    const lines = (text: string) => text.split("\n").length - 1;
    await sensor.feed(range(1, 21).map(passwdOpen));
    await waitFor(() => lines(readOr(path)) === 20, "the first 20 findings");
    // logrotate: move the file, then signal; lines between go to the old one.
    await Deno.rename(path, `${path}.1`);
    await sensor.feed(range(21, 31).map(passwdOpen));
    await waitFor(
      () => lines(readOr(`${path}.1`)) === 30,
      "30 in the old file",
    );
    sensor.child.kill("SIGUSR1");
    await waitFor(() => readOr(path) === "" && exists(path), "a new file");
    await sensor.feed(range(31, 51).map(passwdOpen));
    await waitFor(() => lines(readOr(path)) === 20, "20 in the new file");
    assert.equal(await sensor.finish(), 0, sensor.stderr);
    assert.deepEqual(findingPids(readOr(`${path}.1`)), range(1, 31));
    assert.deepEqual(findingPids(readOr(path)), range(31, 51));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
