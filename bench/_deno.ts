/**
 * Running `deno` itself to completion, for the benches that measure a real
 * command line.
 *
 * @module
 */

/**
 * Runs `deno ...args` with no stdin and colours off.
 *
 * @throws {Error} With its stderr, when it fails.
 */
export async function runDeno(args: string[]): Promise<Deno.CommandOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
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
