/**
 * Running again with the permissions Vigil needs when Deno granted only FFI.
 *
 * `deno run --allow-ffi mod.ts` grants everything in effect (a process that
 * can call libc can read, write and spawn as it likes), but Deno's own APIs
 * still refuse what was not granted. So the command line replaces itself,
 * through libc's `execve`, with the same deno executable, the same deno
 * options plus {@linkcode VIGIL_DENO_FLAGS}, the same script, arguments and
 * environment: same pid, same standard streams. Deno's `execPath()`, `env`
 * and file APIs need the permissions that are missing, so the executable,
 * the command line and the environment are read from `/proc/self` by libc
 * (as UTF-8 text, as `Deno.args` reads arguments).
 *
 * @module
 */

/**
 * The deno options the sensor runs with, as `deno task start` gives them:
 * every permission, a smaller young generation, and an old generation let
 * grow to 1.3 times what the last full collection kept (V8's default grows
 * it up to 4 times: live, the sensor held 60 MiB of heap for 17 live and
 * grew from 130 to 190-240 MiB RSS; with it, 140 flat; README,
 * "Permissions").
 */
export const VIGIL_DENO_FLAGS = [
  "-A",
  "--v8-flags=--max-semi-space-size=4,--heap-growing-percent=30",
] as const;

/**
 * Set in the environment of the process run again: that process must not
 * run itself again (it deletes the variable once its permissions are met).
 */
export const REEXEC_MARKER = "VIGIL_REEXECUTED";

/**
 * Options granting permissions (`--allow-read=/etc`, `-A`, `-R`...), which
 * deno refuses beside `-A`; `--allow-scripts` is about npm, not permissions.
 */
const PERMISSION_GRANT_REGEXP =
  /^(?:--allow-(?!scripts(?:=|$))[a-z-]+|-[ARWNES])(?:=.*)?$/;

/** A command to replace this process with. */
export interface Reexec {
  /** The executable to run. */
  path: string;
  /** Its arguments, `argv[0]` included. */
  argv: string[];
  /** Its environment, as `NAME=value` strings. */
  env: string[];
}

/** What {@linkcode planReexec} reads of this process. */
export interface ProcessImage {
  /** The executable (`/proc/self/exe`). */
  exe: string;
  /** The command line, `argv[0]` first (`/proc/self/cmdline`). */
  cmdline: readonly string[];
  /** The environment (`/proc/self/environ`). */
  environ: readonly string[];
  /** The script's own arguments (`Deno.args`), which end `cmdline`. */
  args: readonly string[];
}

/** Splits NUL-terminated strings, as `/proc/self/cmdline` holds them. */
export function splitNulTerminated(bytes: Uint8Array): string[] {
  const items = new TextDecoder().decode(bytes).split("\0");
  if (items.at(-1) === "") items.pop();
  return items;
}

/**
 * The command that runs this process again with {@linkcode VIGIL_DENO_FLAGS}
 * in place of the permissions it was given (after `run`, or first when deno
 * ran the script without it; a `--v8-flags` already given is kept instead of
 * Vigil's), and the environment with {@linkcode REEXEC_MARKER} set.
 *
 * @throws {RangeError} When the command line does not end with the script's
 * arguments, so the script cannot be found in it.
 */
export function planReexec(image: ProcessImage): Reexec {
  const { exe, cmdline, environ, args } = image;
  const script = cmdline.length - args.length - 1;
  if (
    script < 1 || args.some((arg, i) => cmdline[script + 1 + i] !== arg)
  ) {
    throw new RangeError(
      `Cannot find the script in the command line ${JSON.stringify(cmdline)}`,
    );
  }
  const options = cmdline.slice(1, script).filter((option) =>
    !PERMISSION_GRANT_REGEXP.test(option)
  );
  const added = VIGIL_DENO_FLAGS.filter((flag) =>
    !(flag.startsWith("--v8-flags=") &&
      options.some((option) => option.startsWith("--v8-flags")))
  );
  options.splice(options.indexOf("run") + 1, 0, ...added);
  return {
    path: exe,
    argv: [cmdline[0]!, ...options, ...cmdline.slice(script)],
    env: [
      ...environ.filter((entry) => !entry.startsWith(`${REEXEC_MARKER}=`)),
      `${REEXEC_MARKER}=1`,
    ],
  };
}

/**
 * Replaces this process with itself run with {@linkcode VIGIL_DENO_FLAGS}.
 * Needs only the FFI permission. Returns only by throwing.
 *
 * @param args The script's arguments (`Deno.args`).
 * @throws {BpfError} When `/proc/self` cannot be read or `execve` fails.
 * @throws {RangeError} When the script is not found in the command line.
 */
export async function reexecWithVigilFlags(args: readonly string[]): Promise<
  never
> {
  const { execve, readFileBytes, readLink } = await import(
    "../../ffi/mod.ts"
  );
  const plan = planReexec({
    exe: readLink("/proc/self/exe"),
    cmdline: splitNulTerminated(readFileBytes("/proc/self/cmdline")),
    environ: splitNulTerminated(readFileBytes("/proc/self/environ")),
    args,
  });
  return execve(plan.path, plan.argv, plan.env);
}

/** Whether this process was run again by {@linkcode reexecWithVigilFlags}. */
export async function wasReexecuted(): Promise<boolean> {
  const { getEnv } = await import("../../ffi/mod.ts");
  return getEnv(REEXEC_MARKER) !== undefined;
}
