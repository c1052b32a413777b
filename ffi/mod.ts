/**
 * Vigil's kernel side from TypeScript: the only `Deno.dlopen` calls (libbpf,
 * libc and a small C helper), BPF objects, programs, maps and links, the
 * ring buffer reader, kernel feature probes, tracefs, and the ring record
 * layout generated from `bpf/vigil_events.h`. Calls need root and the
 * objects `make -C ffi` builds; importing this module loads no library.
 *
 * @example Read the ring record layout (no kernel needed)
 * ```ts
 * import assert from "node:assert/strict";
 * import { Limits } from "./mod.ts";
 *
 * assert.equal(Limits.COMM_LEN, 16);
 * ```
 *
 * @example Open, load and attach the programs, then drain the ring buffer
 * ```ts ignore
 * import { BpfObject, RingBufferReader } from "./mod.ts";
 *
 * using object = BpfObject.open("ffi/.output/vigil.bpf.o");
 * await object.load();
 * const reader = new RingBufferReader(object.map("events"));
 * if (await reader.wait(100)) console.log(reader.drain().bytes.byteLength);
 * ```
 *
 * @module
 */

export * from "./bpf_object.ts";
export * from "./errors.ts";
export * from "./features.ts";
export * from "./libbpf.ts";
export * from "./libc.ts";
export * from "./ring_buffer_reader.ts";
export * from "./ring_record_layout.ts";
export * from "./syscall_tracepoints.ts";
