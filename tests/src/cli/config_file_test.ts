import assert from "node:assert/strict";
import fc from "fast-check";
import { stringify } from "yaml";
import type { Option } from "commander";
import {
  configKey,
  readConfigBeforeAction,
} from "../../../src/cli/config_file.ts";
import { buildProgram } from "../../../src/cli/program.ts";
import { checkAsyncProperty } from "../../_helpers/property.ts";
import { ROOT, runVigil } from "../../_helpers/replay.ts";

type Parsed = { command: string; options: Record<string, unknown> };

/** Parses `args` as `vigil` does and returns what the action received. */
async function parse(args: string[]): Promise<Parsed> {
  let parsed: Parsed | undefined;
  const program = readConfigBeforeAction(
    buildProgram({
      run: (options) => {
        parsed = { command: "run", options: { ...options } };
        return Promise.resolve(0);
      },
      list: (options) => {
        parsed = { command: "list", options: { ...options } };
        return Promise.resolve(0);
      },
      exit: () => {},
    }).configureOutput({ writeErr: () => {}, writeOut: () => {} }),
  );
  await program.parseAsync(args, { from: "user" });
  assert.ok(parsed);
  delete parsed.options.config;
  return parsed;
}

async function withConfig<T>(
  text: string,
  fn: (path: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "vigil-config-" });
  try {
    await Deno.writeTextFile(`${dir}/vigil.yaml`, text);
    return await fn(`${dir}/vigil.yaml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The run command's options other than --config, as the program declares them. */
function runOptions(): readonly Option[] {
  const program = buildProgram({
    run: () => Promise.resolve(0),
    list: () => Promise.resolve(0),
    exit: () => {},
  });
  return (program.options as readonly Option[]).filter((o) =>
    configKey(o) !== "config"
  );
}

const TEXT = fc.stringMatching(/^[a-z0-9/._:]{1,12}$/);

/** Values for an option, read from how the program declares it. */
function valueOf(option: Option): fc.Arbitrary<unknown> {
  if (option.isBoolean()) return fc.constant(true);
  if (option.argChoices) return fc.constantFrom(...option.argChoices);
  const probe = (value: string) => {
    try {
      return option.parseArg?.(value, undefined as never);
    } catch {
      return undefined;
    }
  };
  if (typeof probe("7") === "number") {
    return fc.integer({ min: 1, max: 1_000_000 });
  }
  if (Array.isArray(probe("a"))) {
    return fc.array(TEXT, { minLength: 1, maxLength: 3 });
  }
  return TEXT;
}

function flagsOf(settings: Record<string, unknown>): string[] {
  return Object.entries(settings).flatMap(([key, value]) => {
    if (value === true) return [`--${key}`];
    const values = Array.isArray(value) ? value : [value];
    return values.flatMap((item) => [`--${key}`, String(item)]);
  });
}

/** Each outcome: the options received, or the error's kind. */
async function outcome(args: string[]): Promise<unknown> {
  try {
    return await parse(args);
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

Deno.test("any option set means the same in a config file as in flags (property)", async () => {
  const options = runOptions();
  assert.ok(options.length >= 15, `${options.length} options`);
  const settings = fc.record(
    Object.fromEntries(options.map((o) => [configKey(o)!, valueOf(o)])),
    { requiredKeys: [] },
  );
  await checkAsyncProperty(
    fc.asyncProperty(settings, async (chosen) => {
      const fromFlags = await outcome(flagsOf(chosen));
      const fromFile = await withConfig(
        stringify(chosen),
        (path) => outcome(["--config", path]),
      );
      assert.deepEqual(fromFile, fromFlags);
    }),
    { numRuns: 60 },
  );
});

Deno.test("flags override the config file, key by key", async () => {
  await withConfig(
    "deadline: 500\nsignatures-dir: [a, b]\nstats: true\noutput: json\n",
    async (path) => {
      const { options } = await parse([
        "--config",
        path,
        "--deadline",
        "700",
        "-s",
        "c",
      ]);
      assert.equal(options.deadline, 700);
      assert.deepEqual(options.signaturesDir, ["c"]);
      assert.equal(options.stats, true);
      assert.deepEqual(options.output, ["json"]);
    },
  );
});

Deno.test("the list command takes its keys from the same file and leaves the run's alone", async () => {
  await withConfig(
    "cache-dir: /tmp/x\noutput: json\nverbose: true\n",
    async (path) => {
      const parsed = await parse(["list", "--config", path]);
      assert.equal(parsed.command, "list");
      assert.equal(parsed.options.cacheDir, "/tmp/x");
      assert.equal(parsed.options.verbose, true);
      assert.equal(parsed.options.output, undefined);
    },
  );
});

Deno.test("an unknown key, or a value of the wrong kind, is an error naming it", async () => {
  const refused = (text: string, pattern: RegExp) =>
    withConfig(
      text,
      (path) => assert.rejects(() => parse(["--config", path]), pattern),
    );
  await refused("deadlin: 5\n", /unknown key "deadlin"/);
  await refused("config: other.yaml\n", /unknown key "config"/);
  await refused("stats: yes please\n", /"stats" must be true or false/);
  await refused("deadline: {a: 1}\n", /"deadline" must be a text or a number/);
  await refused("signatures-dir: []\n", /"signatures-dir" is an empty list/);
  await refused("- deadline\n", /must be a map of option names/);
  await refused("syscall-hooks: kprobes\n", /Allowed choices/);
  await refused(
    `deadline: ${"[".repeat(100_000)}\n`,
    /Cannot parse config file/,
  );
  await refused("x".repeat(2 * 1024 * 1024), /larger than 1048576 bytes/);
});

Deno.test("vigil --config runs with the file's options and exits 2 naming an unknown key", async () => {
  const input = `${ROOT}tests/fixtures/events/shadow_file_read.jsonl`;
  await withConfig(`output: json\ninput: ${input}\n`, async (path) => {
    const run = await runVigil(["--config", path]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.events.map((e) => e.eventName), ["shadow_file_read"]);
  });
  await withConfig("output: json\nevents: [x\n", async (path) => {
    const run = await runVigil(["--config", path, "list"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Cannot parse config file/);
  });
  await withConfig("outptu: json\n", async (path) => {
    const run = await runVigil(["--config", path, "-i", "/dev/null"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown key "outptu"/);
  });
});
