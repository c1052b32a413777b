/**
 * Whether Vigil has the permissions it needs, and getting them when Deno
 * granted only FFI (see `reexec.ts`).
 *
 * @module
 */

import { describe } from "../errors.ts";
import { configureLogging, log } from "../log.ts";
import {
  reexecWithVigilFlags,
  VIGIL_DENO_FLAGS,
  wasReexecuted,
} from "./reexec.ts";

/** The permissions Vigil needs beside FFI that Deno did not grant. */
export function missingPermissions(): string[] {
  const names = ["read", "write", "run", "env"] as const;
  return names.filter((name) =>
    Deno.permissions.querySync({ name }).state !== "granted"
  );
}

/**
 * Gets Vigil the permissions it lacks: when FFI is granted (which grants
 * everything in effect), by running itself again with them, saying so in
 * one line; otherwise, or when that was already done, by saying which
 * command to use. Returns the exit code when it cannot.
 */
export async function gainPermissions(
  args: string[],
  missing: string[],
): Promise<number> {
  const command = `deno run ${VIGIL_DENO_FLAGS.join(" ")} mod.ts`;
  const advice = `run "deno task start ${
    args.join(" ")
  }" (that is, ${command} ...), as root for live kernel events`;
  const ffi = Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  if (!ffi) {
    console.error(
      `vigil error: Vigil needs ${
        missing.join(", ")
      } permission as well: ${advice}`,
    );
    return 2;
  }
  if (await wasReexecuted()) {
    console.error(
      `vigil error: Vigil still lacks ${
        missing.join(", ")
      } permission after running itself again with ${
        VIGIL_DENO_FLAGS.join(" ")
      } (does a --deny option refuse it?): ${advice}`,
    );
    return 2;
  }
  await configureLogging({ debug: false });
  log("cli").info(
    `Running again with ${
      VIGIL_DENO_FLAGS.join(" ")
    }: --allow-ffi grants everything already, and Vigil also needs ${
      missing.join(", ")
    } permission`,
  );
  try {
    return await reexecWithVigilFlags(args);
  } catch (error) {
    log("cli").error(
      `Cannot run again with ${VIGIL_DENO_FLAGS.join(" ")}: ${
        describe(error)
      }; ${advice}`,
    );
    return 2;
  }
}
