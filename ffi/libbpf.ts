/**
 * Raw bindings: libbpf 1.x (`libbpf.so.1`) and Vigil's C helper
 * (`ffi/.output/libvigil_helper.so`, built by `make -C ffi`). With
 * ffi/libc.ts, the only place that calls `Deno.dlopen`. Callers use the typed
 * classes of ffi/bpf_object.ts and ffi/ring_buffer_reader.ts instead.
 *
 * libbpf 1.x returns negative errno values; functions returning a pointer
 * are wrapped by the helper so that the errno comes back as a return value.
 *
 * @module
 */

import { KernelUnavailableError } from "./errors.ts";

/** The libbpf functions Vigil calls (blocking ones nonblocking). */
export const LIBBPF_SYMBOLS = {
  bpf_object__load: {
    parameters: ["pointer"],
    result: "i32",
    nonblocking: true,
  },
  bpf_object__close: { parameters: ["pointer"], result: "void" },
  bpf_object__next_program: {
    parameters: ["pointer", "pointer"],
    result: "pointer",
  },
  bpf_object__find_map_by_name: {
    parameters: ["pointer", "buffer"],
    result: "pointer",
  },
  bpf_program__name: { parameters: ["pointer"], result: "pointer" },
  bpf_program__section_name: { parameters: ["pointer"], result: "pointer" },
  bpf_program__set_autoload: { parameters: ["pointer", "bool"], result: "i32" },
  bpf_program__autoload: { parameters: ["pointer"], result: "bool" },
  bpf_link__destroy: { parameters: ["pointer"], result: "i32" },
  // The same call off the JS thread: detaching a perf-event link waits for
  // an RCU grace period (~65 ms here), and many can wait at once.
  bpf_link__destroy_nonblocking: {
    name: "bpf_link__destroy",
    parameters: ["pointer"],
    result: "i32",
    nonblocking: true,
  },
  bpf_map__fd: { parameters: ["pointer"], result: "i32" },
  bpf_map__max_entries: { parameters: ["pointer"], result: "u32" },
  bpf_map__initial_value: {
    parameters: ["pointer", "buffer"],
    result: "pointer",
  },
  bpf_map__set_initial_value: {
    parameters: ["pointer", "buffer", "usize"],
    result: "i32",
  },
  bpf_map_update_elem: {
    parameters: ["i32", "buffer", "buffer", "u64"],
    result: "i32",
  },
  bpf_map_delete_elem: { parameters: ["i32", "buffer"], result: "i32" },
  bpf_map_lookup_elem: {
    parameters: ["i32", "buffer", "buffer"],
    result: "i32",
  },
  libbpf_num_possible_cpus: { parameters: [], result: "i32" },
  libbpf_probe_bpf_prog_type: { parameters: ["u32", "pointer"], result: "i32" },
  libbpf_probe_bpf_map_type: { parameters: ["u32", "pointer"], result: "i32" },
  libbpf_probe_bpf_helper: {
    parameters: ["u32", "u32", "pointer"],
    result: "i32",
  },
} as const;

/** The functions of Vigil's C helper (ffi/helper.c). */
export const HELPER_SYMBOLS = {
  vigil_log_capture: { parameters: [], result: "void" },
  vigil_log_take: { parameters: ["buffer", "usize"], result: "usize" },
  vigil_object_open: { parameters: ["buffer", "buffer"], result: "i32" },
  vigil_program_attach: { parameters: ["pointer", "buffer"], result: "i32" },
  vigil_program_attach_tracepoint: {
    parameters: ["pointer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  vigil_ring_open: { parameters: ["i32", "u32"], result: "pointer" },
  vigil_ring_drain: {
    parameters: ["pointer", "buffer", "usize"],
    result: "usize",
  },
  vigil_ring_pending: { parameters: ["pointer"], result: "u64" },
  vigil_ring_close: { parameters: ["pointer", "u32"], result: "void" },
} as const;

/** Where `make -C ffi` puts its outputs. */
export const FFI_OUTPUT_DIR = new URL("./.output/", import.meta.url);

let libbpfLibrary: Deno.DynamicLibrary<typeof LIBBPF_SYMBOLS> | undefined;
let helperLibrary: Deno.DynamicLibrary<typeof HELPER_SYMBOLS> | undefined;

/**
 * libbpf's symbols, loaded on first use.
 *
 * @throws {KernelUnavailableError} When libbpf.so.1 is not installed.
 */
export function libbpf(): Deno.DynamicLibrary<
  typeof LIBBPF_SYMBOLS
>["symbols"] {
  if (!libbpfLibrary) {
    try {
      libbpfLibrary = Deno.dlopen("libbpf.so.1", LIBBPF_SYMBOLS);
    } catch (cause) {
      throw new KernelUnavailableError(
        "Cannot load libbpf.so.1: install libbpf (tools/setup.sh)",
        { cause },
      );
    }
  }
  return libbpfLibrary.symbols;
}

/**
 * The C helper's symbols, loaded on first use; it captures libbpf's log.
 *
 * @throws {KernelUnavailableError} When the helper is not built.
 */
export function helper(): Deno.DynamicLibrary<
  typeof HELPER_SYMBOLS
>["symbols"] {
  if (!helperLibrary) {
    libbpf();
    const path = new URL("libvigil_helper.so", FFI_OUTPUT_DIR);
    try {
      helperLibrary = Deno.dlopen(path, HELPER_SYMBOLS);
    } catch (cause) {
      throw new KernelUnavailableError(
        `Cannot load ${path.pathname}: build it with \`make -C ffi\``,
        { cause },
      );
    }
    helperLibrary.symbols.vigil_log_capture();
  }
  return helperLibrary.symbols;
}

/** Takes the libbpf messages logged since the last call. */
export function takeLibbpfLog(): string {
  const buffer = new Uint8Array(65536);
  const length = Number(helper().vigil_log_take(buffer, BigInt(buffer.length)));
  return new TextDecoder().decode(buffer.subarray(0, length));
}

/** A NUL-terminated UTF-8 copy of `text` for a `buffer` parameter. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${text}\0`);
}

/** Reads a C string, or `""` for NULL. */
export function readCString(pointer: Deno.PointerValue): string {
  return pointer ? Deno.UnsafePointerView.getCString(pointer) : "";
}
