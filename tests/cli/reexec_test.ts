/**
 * The design card's command, `deno run --allow-ffi mod.ts --events mine`,
 * run exactly so in a checkout where the seed's example signature was placed
 * in `signatures/rego`: Vigil runs itself again with the permissions it
 * needs, says so in one line, and then works, live and on replay.
 */
import assert from "node:assert/strict";
import { ROOT, TEST_CACHE_DIR } from "../_helpers/replay.ts";
import { ignoreKernelTests } from "../_helpers/kernel.ts";

/** The seed's example signature, as the seed gives it. */
const SEED_SIGNATURE = `package tracee.Mine

import data.tracee.helpers

__rego_metadoc__ := {"id": "Mine-0.1.0", "version": "0.1.0", "name": "My Own Signature", "eventName": "mine", "description": "My Own Signature Detects Stuff"}

tracee_selected_events[s] { s := {"source": "tracee", "name": "openat"} }

tracee_match {
    input.eventName == "openat"
    startswith(helpers.get_tracee_argument("pathname"), "/etc/passwd")
}
`;

/** The seed's sample event (Tracee's "Rego Signatures" document). */
const SEED_EVENT =
  '{"timestamp":1680190419485136510,"threadStartTime":1680190419369780383,"processorId":4,"processId":320908,"cgroupId":16273,"threadId":320908,"parentProcessId":1635,"hostProcessId":320908,"hostThreadId":320908,"hostParentProcessId":1635,"userId":1000,"mountNamespace":4026531841,"pidNamespace":4026531836,"processName":"terminator","hostName":"hb","container":{},"kubernetes":{},"eventId":"257","eventName":"openat","argsNum":1,"returnValue":10,"syscall":"openat","stackAddresses":null,"contextFlags":{"containerStarted":false,"isCompat":false},"args":[{"name":"pathname","type":"const char*","value":"/etc/passwd"}]}';

/**
 * Deno's own cache, where the project's npm packages are: a different
 * XDG_CACHE_HOME would move it too, unless DENO_DIR pins it.
 */
const DENO_DIR = (JSON.parse(
  new TextDecoder().decode(
    new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
      .outputSync().stdout,
  ),
) as { denoDir: string }).denoDir;

/** The line Vigil prints when it runs itself again. */
const REEXEC_LINE_REGEXP =
  /^vigil inf: Running again with -A --v8-flags=--max-semi-space-size=4,--heap-growing-percent=30: /;

/**
 * A copy of the project as a user's checkout after tools/setup.sh (its npm
 * packages installed), with the seed's example in
 * `signatures/rego/`, and an XDG cache home whose `vigil` directory is the
 * tests' compile cache. Removed when disposed.
 */
async function seedCheckout(): Promise<
  AsyncDisposable & { path: string; cacheHome: string }
> {
  const path = await Deno.makeTempDir({ prefix: "vigil-checkout-" });
  const copy = await new Deno.Command("cp", {
    args: [
      "-r",
      ...["deno.json", "deno.lock", "mod.ts", "src", "ffi", "signatures"]
        .map((name) => `${ROOT}${name}`),
      path,
    ],
  }).output();
  assert.ok(copy.success, new TextDecoder().decode(copy.stderr));
  await Deno.symlink(`${ROOT}.tools`, `${path}/.tools`);
  // As tools/setup.sh does: Deno's one-time note on the npm packages'
  // lifecycle scripts (protobufjs, under @grpc/grpc-js) is then behind us.
  const install = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--frozen", "--quiet"],
    cwd: path,
    env: { DENO_DIR },
  }).output();
  assert.ok(install.success, new TextDecoder().decode(install.stderr));
  await Deno.writeTextFile(
    `${path}/signatures/rego/signature_example.rego`,
    SEED_SIGNATURE,
  );
  const cacheHome = `${path}/.cache`;
  await Deno.mkdir(cacheHome);
  await Deno.mkdir(TEST_CACHE_DIR, { recursive: true });
  await Deno.symlink(TEST_CACHE_DIR, `${cacheHome}/vigil`);
  return {
    path,
    cacheHome,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** `deno <args>` in `checkout`, with output piped. */
function denoIn(
  checkout: { path: string; cacheHome: string },
  args: string[],
  stdin: "null" | "piped" = "null",
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: checkout.path,
    env: {
      NO_COLOR: "1",
      XDG_CACHE_HOME: checkout.cacheHome,
      DENO_DIR,
    },
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads a stream's lines until one matches, or fails after `timeoutMs`. */
async function lineMatching(
  lines: AsyncIterator<string>,
  match: (line: string) => boolean,
  timeoutMs: number,
  seen: string[] = [],
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      lines.next(),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(
          () => resolve(undefined),
          Math.max(0, deadline - Date.now()),
        );
      }),
    ]);
    clearTimeout(timer);
    if (next === undefined) {
      throw new Error(`Timed out; lines so far:\n${seen.join("\n")}`);
    }
    if (next.done) throw new Error(`The stream ended:\n${seen.join("\n")}`);
    seen.push(next.value);
    if (match(next.value)) return next.value;
  }
}

/** A stream's text split into lines. */
function linesOf(stream: ReadableStream<Uint8Array>): AsyncIterator<string> {
  return (async function* () {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      yield* lines;
    }
    if (rest !== "") yield rest;
  })();
}

Deno.test({
  name:
    "deno run --allow-ffi mod.ts --events mine runs itself again with -A and prints the seed's finding when cat reads /etc/passwd",
  ignore: ignoreKernelTests(),
  async fn() {
    await using checkout = await seedCheckout();
    const vigil = denoIn(checkout, [
      "run",
      "--allow-ffi",
      "mod.ts",
      "--events",
      "mine",
    ]);
    const stdout = linesOf(vigil.stdout);
    const stderr = linesOf(vigil.stderr);
    const errors: string[] = [];
    let code: number | undefined;
    try {
      await lineMatching(
        stderr,
        (line) => line.includes("Watching the kernel"),
        60_000,
        errors,
      );
      assert.equal(
        errors.filter((line) => REEXEC_LINE_REGEXP.test(line)).length,
        1,
        errors.join("\n"),
      );
      assert.match(errors[0]!, REEXEC_LINE_REGEXP);
      const cat = new Deno.Command("cat", {
        args: ["/etc/passwd"],
        stdout: "null",
      }).spawn();
      await cat.status;
      const row = await lineMatching(
        stdout,
        (line) => new RegExp(`\\s${cat.pid}\\s+${cat.pid}\\s`).test(line),
        10_000,
      );
      assert.match(row, new RegExp(`\\bcat\\s+${cat.pid}\\s+${cat.pid}\\s`));
      assert.match(row, /\smine(\s|$)/);
    } finally {
      vigil.kill("SIGINT");
      code = (await vigil.status).code;
      await vigil.stdout.cancel().catch(() => {});
      await vigil.stderr.cancel().catch(() => {});
    }
    assert.equal(code, 0, errors.join("\n"));
  },
});

Deno.test("deno run --allow-ffi mod.ts replays the seed's sample event through the seed's example, after one line saying it runs again", async () => {
  await using checkout = await seedCheckout();
  await Deno.writeTextFile(`${checkout.path}/events.jsonl`, SEED_EVENT + "\n");
  const output = await denoIn(checkout, [
    "run",
    "--allow-ffi",
    "mod.ts",
    "--input",
    "events.jsonl",
    "--events",
    "mine",
  ]).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const [header, row, ...rest] = stdout.trim().split("\n");
  assert.match(header!, /^TIME +UID +COMM +PID +TID +RET +EVENT +ARGS$/);
  assert.match(row!, /^\S+ +1000 +terminator +320908 +320908 +10 +mine( |$)/);
  assert.deepEqual(rest, []);
  const lines = stderr.trim().split("\n");
  assert.match(lines[0]!, REEXEC_LINE_REGEXP);
  assert.equal(lines.filter((l) => REEXEC_LINE_REGEXP.test(l)).length, 1);
});

Deno.test("deno run --allow-ffi mod.ts list runs itself again and lists the seed's example", async () => {
  await using checkout = await seedCheckout();
  const output = await denoIn(checkout, [
    "run",
    "--allow-ffi",
    "mod.ts",
    "list",
  ]).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.match(stderr, REEXEC_LINE_REGEXP);
  assert.match(
    new TextDecoder().decode(output.stdout),
    /^Mine-0\.1\.0 +My Own Signature +mine /m,
  );
});

Deno.test("vigil runs itself again once only: a permission still refused is said, with the command to use", async () => {
  await using checkout = await seedCheckout();
  const output = await denoIn(checkout, [
    "run",
    "--allow-ffi",
    "--deny-run",
    "mod.ts",
    "list",
  ]).output();
  const lines = new TextDecoder().decode(output.stderr).trim().split("\n");
  assert.equal(output.code, 2);
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.match(lines[0]!, REEXEC_LINE_REGEXP);
  assert.match(
    lines[1]!,
    /^vigil error: Vigil still lacks run permission after running itself again with -A .*deno task start list/,
  );
});

Deno.test("without FFI, vigil cannot run itself again and says which command to use", async () => {
  await using checkout = await seedCheckout();
  const output = await denoIn(checkout, [
    "run",
    "--allow-read",
    "--no-prompt",
    "mod.ts",
    "--events",
    "mine",
  ]).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 2);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.match(stderr, /needs write, run, env permission/);
  assert.match(stderr, /deno task start --events mine/);
});
