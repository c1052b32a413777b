/**
 * Running `deno` itself to completion, for the benches that measure a real
 * command line.
 *
 * @module
 */

/** Options of {@linkcode runDeno}. */
export interface RunDenoOptions {
  /** Confine the process and its children to this CPU (`taskset -c`). */
  cpu?: number;
}

/**
 * Runs `deno ...args` with no stdin and colours off.
 *
 * @throws {Error} With its stderr, when it fails.
 */
export async function runDeno(
  args: string[],
  options: RunDenoOptions = {},
): Promise<Deno.CommandOutput> {
  const deno = [Deno.execPath(), ...args];
  const [program, ...programArgs] = options.cpu === undefined
    ? deno
    : ["taskset", "-c", String(options.cpu), ...deno];
  const output = await new Deno.Command(program!, {
    args: programArgs,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!output.success) {
    throw new Error(
      `Cannot run deno ${args.join(" ")}: ${
        new TextDecoder().decode(output.stderr).trim()
      }`,
    );
  }
  return output;
}

/** The command line's entry point. */
export const MOD = new URL("../mod.ts", import.meta.url).pathname;

const DENO_JSON = new URL("../deno.json", import.meta.url);

/** The V8 flags `deno task start` gives the sensor. */
async function startV8Flags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(DENO_JSON)) as {
    tasks?: { start?: { command?: string } };
  };
  const command = config.tasks?.start?.command ?? "";
  return command.split(/\s+/).filter((arg) => arg.startsWith("--v8-flags="));
}

/**
 * Starts the sensor as `deno task start` runs it (`mod.ts` with the task's V8
 * flags) with `args`; its events go nowhere, its log lines to `stderr`.
 */
export async function spawnSensor(
  args: string[],
  stdin: "piped" | "null",
): Promise<Deno.ChildProcess> {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...await startV8Flags(), MOD, ...args],
    stdin,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/**
 * Reads a live sensor's stderr to its end: `ready` resolves once the sensor
 * says it is watching the kernel, and rejects with the log's end when it
 * stops first; `text()` is the log so far.
 */
export function readSensorLog(sensor: Deno.ChildProcess) {
  let text = "";
  const ready = Promise.withResolvers<void>();
  const reading = (async () => {
    for await (
      const chunk of sensor.stderr.pipeThrough(new TextDecoderStream())
    ) {
      text += chunk;
      if (text.includes("Watching the kernel")) ready.resolve();
    }
    ready.reject(
      new Error(
        `The sensor stopped before watching: ${text.trim().slice(-300)}`,
      ),
    );
  })();
  return { ready: ready.promise, reading, text: () => text };
}
