/**
 * `deno task compile`: the single binary `./vigil`, by `deno compile`, with
 * what the program reads beside its modules embedded (`--include`): the
 * sandbox's child program, the TypeScript worker's modules, the signatures,
 * the BPF objects and C helper, `deno.json`.
 *
 * `deno compile` needs `denort`, the runtime it copies the program into, and
 * downloads it from dl.deno.land unless `DENORT_BIN` names one. Where it
 * cannot (no network, as on the project's build machines), this says so and
 * how to get past it, instead of Deno's error chain.
 *
 * Usage: `deno task compile [--out PATH]` (default `./vigil`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { VIGIL_DENO_FLAGS } from "../src/cli/reexec.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const INCLUDES = [
  "deno.json",
  "signatures",
  "src/sandbox/child",
  "src/sdk",
  "src/loader/_ts_transpile.ts",
  "ffi/.output/vigil.bpf.o",
  "ffi/.output/vigil_portable.bpf.o",
  "ffi/.output/libvigil_helper.so",
];

/** What Deno prints when it cannot download its runtime. */
const DENORT_DOWNLOAD_REGEXP = /denort|Setting up base binary|dl\.deno\.land/;

/** The advice printed when `denort` could not be had; `reason` is Deno's. */
export function denortAdvice(reason: string): string {
  const version = Deno.version.deno;
  return [
    `Cannot build the single binary: deno compile could not get its runtime, denort ${version}, from dl.deno.land (${reason}).`,
    `Download denort-${version} for this machine where the network allows (https://dl.deno.land/release/v${version}/denort-x86_64-unknown-linux-gnu.zip), unzip it here, and run:`,
    `  DENORT_BIN=/path/to/denort deno task compile`,
    `Without it, install the Debian package instead (deno task package).`,
  ].join("\n");
}

/** The line of Deno's error that says why the download failed. */
function reasonOf(stderr: string): string {
  const chain = stderr.split("Stack backtrace:")[0]!;
  const lines = chain.split("\n").map((line) => line.trim()).filter((l) =>
    /^\d+: /.test(l)
  );
  return lines.at(-1)?.replace(/^\d+: /, "") ?? "download failed";
}

/** Runs `deno compile`; returns the exit code. */
export async function compile(out: string): Promise<number> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      ...VIGIL_DENO_FLAGS,
      "--quiet",
      ...INCLUDES.flatMap((path) => ["--include", `${ROOT}${path}`]),
      "--output",
      out,
      `${ROOT}mod.ts`,
    ],
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  if (output.success) {
    console.log(out);
    return 0;
  }
  if (
    Deno.env.get("DENORT_BIN") === undefined &&
    DENORT_DOWNLOAD_REGEXP.test(stderr)
  ) {
    console.error(denortAdvice(reasonOf(stderr)));
  } else console.error(stderr.trim());
  return 1;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { out: { type: "string", default: "vigil" } },
  });
  Deno.exit(await compile(values.out!));
}
