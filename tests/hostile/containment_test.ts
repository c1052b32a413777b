/**
 * Containment, round two: hostile signatures that try to freeze the
 * pipeline with chatter, blind others while they load, crash the host with
 * deep findings, exhaust memory outside the V8 heap, or persist data on
 * disk. Each runs beside the benign signatures, whose findings must all
 * arrive.
 */
import assert from "node:assert/strict";
import { argumentValue } from "../../src/event/event.ts";
import { stringifyJson } from "../../src/event/json.ts";
import { dataLimitMiB } from "../../src/sandbox/mod.ts";
import type { SandboxRestart } from "../../src/sandbox/mod.ts";
import { spawnVigil } from "../_helpers/replay.ts";
import {
  assertBenignComplete,
  ETC_OPENS,
  ETC_PATHS,
  EVENTS,
  HOSTILE,
  LIB,
  paths,
  run,
  sandboxPids,
  stream,
} from "./_containment.ts";

Deno.test("a signature that swallows its batches is killed at the deadline however much else it sends", async () => {
  const result = await run(["benign", "chatter_freeze"], { deadlineMs: 400 });
  assertBenignComplete(result);
  const health = result.health["H-CHATTER"]!;
  assert.equal(health.kills, 2, JSON.stringify(health));
  assert.equal(health.quarantined, true);
  for (const event of result.signatureErrors) {
    assert.equal(argumentValue(event, "signatureID"), "H-CHATTER");
    assert.match(
      String(argumentValue(event, "error")),
      /exceeded the 400 ms deadline/,
    );
  }
});

Deno.test("a signature chattering and throwing uncaught errors while the others load blinds none of them", async () => {
  const logs: [number, string, string][] = [];
  // It loads first, so its chatter overlaps every other load.
  const result = await run(["blind_chatter", "benign"], {
    onLog: (index, message, path) => logs.push([index, message, path]),
  });
  assert.deepEqual(result.errors, []);
  assertBenignComplete(result);
  assert.deepEqual(paths(result, "blind_chatter"), ETC_PATHS);
  for (const health of Object.values(result.health)) {
    assert.equal(health.kills + health.failures, 0);
  }
  assert.ok(logs.some(([, message]) => message.startsWith("loading chatter")));
  assert.ok(logs.some(([, message]) => message.includes("uncaught error")));
  for (const [index, , path] of logs) {
    assert.equal(index, 0);
    assert.match(path, /blind_chatter\.ts$/);
  }
});

Deno.test("a signature that throws while loading is refused with its own error, not at the load deadline", async () => {
  const result = await run(["load_throw", "benign"]);
  assertBenignComplete(result);
  assert.deepEqual(result.errors.map((e) => e.replace(/^.*": /, "")), [
    "unhandled rejection: Error: thrown at load",
  ]);
});

Deno.test("vigil loads every signature while one chatters from load on, and exits 0", async () => {
  const child = spawnVigil([
    "--signatures-dir",
    `${HOSTILE}/blind_chatter`,
    "--signatures-dir",
    `${HOSTILE}/benign`,
    "--signatures-dir",
    LIB,
    "--deadline",
    "10000",
    "--output",
    "json",
    "--input",
    "-",
  ], { stdin: "piped" });
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(
      stream.map((event) => stringifyJson(event)).join("\n") + "\n",
    ),
  );
  await writer.close();
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.doesNotMatch(stderr, /Cannot load|unreadable/);
  const stdout = new TextDecoder().decode(output.stdout);
  for (const name of ["benign_rego", "benign_ts", "blind_chatter"]) {
    assert.equal(
      stdout.split("\n").filter((line) =>
        line.includes(`"eventName":"${name}"`)
      ).length,
      ETC_OPENS,
      `${name}: ${stderr}`,
    );
  }
});

Deno.test("findings and metadata nested thousands of levels deep are cut at the boundary, counted, and crash nothing", async () => {
  const result = await run(["benign", "deep_ts", "deep_rego"]);
  assertBenignComplete(result);
  assert.ok(
    result.errors.some((e) =>
      e.includes("deep_meta.ts") && e.includes("nested more than 64 levels")
    ),
    result.errors.join("\n"),
  );
  const note = "finding data nested more than 64 levels deep was replaced";
  for (
    const [name, id, deep] of [["deep_ts", "H-DEEP-TS", EVENTS], [
      "deep_post",
      "H-DEEP-POST",
      EVENTS / 2,
    ]] as const
  ) {
    const found = result.findings.filter((f) => f.eventName === name);
    assert.equal(found.length, EVENTS, name);
    const cut = found.filter((f) => argumentValue(f, "truncated") === note);
    assert.equal(cut.length, deep, name);
    assert.equal(result.health[id]!.truncated, deep, name);
  }
  // The shallow findings beside the deep ones keep their exact values.
  const shallow = result.findings.filter((f) =>
    f.eventName === "deep_post" && argumentValue(f, "big") !== undefined
  );
  assert.equal(shallow.length, EVENTS / 2);
  for (const finding of shallow) {
    assert.equal(argumentValue(finding, "big"), 18446744073709551615n);
  }
  // Rego: the deep value fails in OPA's own code; the signatures sharing its
  // WebAssembly module are unharmed (checked above) and its shallow
  // findings arrive.
  assert.deepEqual(
    result.findings.filter((f) => f.eventName === "deep_rego")
      .map((f) => String(argumentValue(f, "shallow"))).sort(),
    ETC_PATHS,
  );
});

Deno.test("array buffers and WebAssembly memories of gigabytes are contained: refused at load, failed at run time, the sandbox's data memory capped", async () => {
  const rssBefore = Deno.memoryUsage().rss;
  const limits = new Set<string>();
  const watch = setInterval(() => {
    for (const pid of sandboxPids("self")) {
      try {
        const text = Deno.readTextFileSync(`/proc/${pid}/limits`);
        limits.add(/^Max data size\s+(\d+)/m.exec(text)?.[1] ?? "none");
      } catch {
        // Gone meanwhile.
      }
    }
  }, 20);
  const restarts: SandboxRestart[] = [];
  const result = await run(["benign", "hoard_load", "hoard_run"], {
    onRestart: (restart) => restarts.push(restart),
  }).finally(() => clearInterval(watch));
  assertBenignComplete(result);
  assert.ok(
    result.errors.some((e) =>
      e.includes("hoard_load.ts") &&
      /it held \d+ MiB after loading, more than its 64 MiB/.test(e)
    ),
    result.errors.join("\n"),
  );
  assert.equal(restarts[0]?.signature, 2, JSON.stringify(restarts));
  assert.match(restarts[0]!.cause, /a signature held \d+ MiB after loading/);
  const hoarder = result.health["H-HOARD-RUN"]!;
  assert.equal(hoarder.findings, 0);
  assert.ok(hoarder.failures + hoarder.kills > 0, JSON.stringify(hoarder));
  // Three TypeScript signatures: 576 MiB for each of 5 isolates, 4 × 64 MiB.
  assert.deepEqual([...limits], [String(dataLimitMiB(3, 64) * 1024 * 1024)]);
  assert.equal(dataLimitMiB(3, 64), 3136);
  assert.ok(
    Deno.memoryUsage().rss - rssBefore < 256 * 1024 * 1024,
    "the host's memory grew",
  );
});

Deno.test("the Cache API, localStorage, sessionStorage and indexedDB keep nothing: not within a run, not across runs, not on disk", async () => {
  const started = Date.now();
  for (let round = 0; round < 2; round++) {
    const result = await run(["benign", "persist"]);
    assertBenignComplete(result);
    const found = result.findings.filter((f) => f.eventName === "persist");
    assert.equal(found.length, EVENTS);
    for (const finding of found) {
      for (const arg of finding.args) {
        assert.match(String(arg.value), /^unavailable: /, arg.name);
      }
    }
  }
  const home = Deno.env.get("HOME") ?? "/root";
  const denoDir = Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`;
  for (const path of walk(`${denoDir}/location_data`)) {
    const info = Deno.statSync(path);
    if ((info.mtime?.getTime() ?? 0) < started) continue;
    assert.ok(
      !Deno.readTextFileSync(path).includes("vigil-persist-marker-5b1e"),
      path,
    );
  }
});

/** Every file under `dir` (none when it does not exist). */
function* walk(dir: string): Generator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}
