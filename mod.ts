/**
 * Vigil: a Linux runtime-security sensor. Events from the kernel (eBPF
 * through libbpf) or a replayed file are checked by Tracee-compatible Rego
 * and TypeScript signatures, each sandboxed; findings print as Tracee events.
 *
 * ```sh
 * deno task start --events mine --output json
 * deno run -A mod.ts --input events.jsonl --output json
 * deno run --allow-ffi mod.ts --events mine   # runs itself again with -A
 * ```
 *
 * @module
 */

import { main } from "./src/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
