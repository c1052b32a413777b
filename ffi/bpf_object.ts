/**
 * Typed, owned libbpf objects: {@linkcode BpfObject} (open, configure, load,
 * close), its programs ({@linkcode BpfProgram}), maps ({@linkcode BpfMap}) and
 * attachments ({@linkcode BpfLink}). Handles live in `#private` fields;
 * `close()` is idempotent and `Symbol.dispose` calls it; negative errno
 * returns become {@linkcode BpfError}s.
 *
 * @module
 */

import { BpfError } from "./errors.ts";
import {
  cString,
  helper,
  libbpf,
  readCString,
  takeLibbpfLog,
} from "./libbpf.ts";

/** The last few meaningful lines of a libbpf/verifier log. */
function logTail(log: string, lines = 60): string {
  const kept = log.split("\n").filter((line) => line.trim() !== "");
  const tail = kept.slice(-lines);
  const omitted = kept.length - tail.length;
  return (omitted > 0 ? [`(${omitted} earlier log lines omitted)`] : [])
    .concat(tail).join("\n");
}

/** An attached program. Closing it detaches the program. */
export class BpfLink implements Disposable {
  #link: Deno.PointerObject | null;
  readonly #name: string;

  /** @internal Made by {@linkcode BpfProgram.attach}. */
  constructor(link: Deno.PointerObject, name: string) {
    this.#link = link;
    this.#name = name;
  }

  /** What the program is attached to, e.g. `raw_tp/sys_enter`. */
  get name(): string {
    return this.#name;
  }

  /** Detaches the program. Idempotent. */
  close(): void {
    if (!this.#link) return;
    libbpf().bpf_link__destroy(this.#link);
    this.#link = null;
  }

  /**
   * Detaches every link at once, each on its own thread: a tracepoint link's
   * detach waits for an RCU grace period, so 32 of them closed one by one
   * took 2.1 s.
   */
  static async closeAll(links: readonly BpfLink[]): Promise<void> {
    await Promise.all(links.map(async (link) => {
      const handle = link.#link;
      if (!handle) return;
      link.#link = null;
      await libbpf().bpf_link__destroy_nonblocking(handle);
    }));
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A program of a {@linkcode BpfObject}; valid while the object is open. */
export class BpfProgram {
  readonly #program: Deno.PointerObject;
  /** The program's function name, e.g. `raw_sys_enter`. */
  readonly name: string;
  /** The program's section, e.g. `raw_tp/sys_enter`. */
  readonly section: string;

  /** @internal Made by {@linkcode BpfObject.programs}. */
  constructor(program: Deno.PointerObject) {
    this.#program = program;
    this.name = readCString(libbpf().bpf_program__name(program));
    this.section = readCString(libbpf().bpf_program__section_name(program));
  }

  /** Whether the program is loaded with its object. */
  get autoload(): boolean {
    return libbpf().bpf_program__autoload(this.#program);
  }

  /**
   * Chooses whether the program is loaded; only before the object is loaded.
   *
   * @throws {BpfError} When the object is already loaded.
   */
  set autoload(load: boolean) {
    const err = libbpf().bpf_program__set_autoload(this.#program, load);
    if (err < 0) throw new BpfError("set autoload of", this.section, err);
  }

  /**
   * Attaches the program to the hook its section names.
   *
   * @throws {BpfError} When the kernel refuses, e.g.
   * `Cannot attach "raw_tp/sys_enter": permission denied`.
   */
  attach(): BpfLink {
    const out = new BigUint64Array(1);
    const err = helper().vigil_program_attach(this.#program, out);
    return this.#linked(err, out, this.section);
  }

  /**
   * Attaches the program to tracefs event `category`/`name`, e.g.
   * `syscalls`/`sys_enter_openat`; one program may be attached to many.
   *
   * @throws {BpfError} When the event does not exist or the kernel refuses.
   */
  attachTracepoint(category: string, name: string): BpfLink {
    const out = new BigUint64Array(1);
    const err = helper().vigil_program_attach_tracepoint(
      this.#program,
      cString(category),
      cString(name),
      out,
    );
    return this.#linked(err, out, `tracepoint/${category}/${name}`);
  }

  #linked(err: number, out: BigUint64Array, target: string): BpfLink {
    const link = Deno.UnsafePointer.create(out[0]!);
    if (err < 0 || !link) {
      throw new BpfError("attach", target, err || -22, {
        detail: logTail(takeLibbpfLog(), 3),
      });
    }
    return new BpfLink(link, target);
  }
}

/** A map of a {@linkcode BpfObject}; valid while the object is open. */
export class BpfMap {
  readonly #map: Deno.PointerObject;
  /** The map's name, e.g. `events` or `.rodata`. */
  readonly name: string;

  /** @internal Made by {@linkcode BpfObject.map}. */
  constructor(map: Deno.PointerObject, name: string) {
    this.#map = map;
    this.name = name;
  }

  /** The map's file descriptor (after load). */
  get fd(): number {
    return libbpf().bpf_map__fd(this.#map);
  }

  /** The map's `max_entries` (for a ring buffer, its size in bytes). */
  get maxEntries(): number {
    return libbpf().bpf_map__max_entries(this.#map);
  }

  /** A copy of the initial contents of a global-data map (before load). */
  initialValue(): Uint8Array {
    const size = new BigUint64Array(1);
    const pointer = libbpf().bpf_map__initial_value(this.#map, size);
    if (!pointer) return new Uint8Array(0);
    return new Uint8Array(
      Deno.UnsafePointerView.getArrayBuffer(pointer, Number(size[0]!)),
    ).slice();
  }

  /**
   * Replaces the initial contents of a global-data map (before load); `data`
   * must have the map's size.
   *
   * @throws {BpfError} When the size differs or the object is loaded.
   */
  setInitialValue(data: Uint8Array<ArrayBuffer>): void {
    const err = libbpf().bpf_map__set_initial_value(
      this.#map,
      data,
      BigInt(data.byteLength),
    );
    if (err < 0) throw new BpfError("set initial value of", this.name, err);
  }

  /**
   * Writes one element.
   *
   * @throws {BpfError} When the kernel refuses (e.g. the map is full).
   */
  update(key: Uint8Array<ArrayBuffer>, value: Uint8Array<ArrayBuffer>): void {
    const err = libbpf().bpf_map_update_elem(this.fd, key, value, 0n);
    if (err < 0) throw new BpfError("update map", this.name, err);
  }

  /** Deletes one element; a missing element is not an error. */
  delete(key: Uint8Array<ArrayBuffer>): void {
    const err = libbpf().bpf_map_delete_elem(this.fd, key);
    if (err < 0 && err !== -2) {
      throw new BpfError("delete from map", this.name, err);
    }
  }

  /**
   * Reads one element into `value`; returns `false` when it does not exist.
   * For per-CPU maps `value` holds one (8-byte aligned) slot per possible CPU.
   */
  lookup(
    key: Uint8Array<ArrayBuffer>,
    value: Uint8Array<ArrayBuffer>,
  ): boolean {
    const err = libbpf().bpf_map_lookup_elem(this.fd, key, value);
    if (err === -2) return false;
    if (err < 0) throw new BpfError("look up in map", this.name, err);
    return true;
  }
}

/** The number of possible CPUs, the slot count of per-CPU map values. */
export function possibleCpus(): number {
  const count = libbpf().libbpf_num_possible_cpus();
  if (count < 0) throw new BpfError("count", "possible CPUs", count);
  return count;
}

/**
 * A BPF object file: open it, configure programs and global data, load it
 * into the kernel, attach programs, close it (which unloads everything).
 */
export class BpfObject implements Disposable {
  #object: Deno.PointerObject | null;
  readonly #path: string;
  #programs: BpfProgram[] | undefined;

  private constructor(object: Deno.PointerObject, path: string) {
    this.#object = object;
    this.#path = path;
  }

  /**
   * Opens (parses) an object file; nothing reaches the kernel yet.
   *
   * @throws {BpfError} When the file cannot be read or parsed.
   */
  static open(path: string): BpfObject {
    const out = new BigUint64Array(1);
    const err = helper().vigil_object_open(cString(path), out);
    const object = Deno.UnsafePointer.create(out[0]!);
    if (err < 0 || !object) {
      throw new BpfError("open", path, err || -22, {
        detail: logTail(takeLibbpfLog(), 3),
      });
    }
    return new BpfObject(object, path);
  }

  #handle(): Deno.PointerObject {
    if (!this.#object) throw new BpfError("use", this.#path, -9);
    return this.#object;
  }

  /** The object's programs, in file order. */
  programs(): readonly BpfProgram[] {
    if (this.#programs) return this.#programs;
    const object = this.#handle();
    const programs: BpfProgram[] = [];
    let previous: Deno.PointerValue = null;
    for (;;) {
      const next: Deno.PointerValue = libbpf().bpf_object__next_program(
        object,
        previous,
      );
      if (!next) break;
      programs.push(new BpfProgram(next));
      previous = next;
    }
    return this.#programs = programs;
  }

  /** The program with this function name. */
  program(name: string): BpfProgram {
    const found = this.programs().find((program) => program.name === name);
    if (!found) throw new BpfError("find program", name, -2);
    return found;
  }

  /**
   * The map with this name (`.rodata` for `const volatile` globals).
   *
   * @throws {BpfError} When there is none.
   */
  map(name: string): BpfMap {
    const map = libbpf().bpf_object__find_map_by_name(
      this.#handle(),
      cString(name),
    );
    if (!map) throw new BpfError("find map", name, -2);
    return new BpfMap(map, name);
  }

  /**
   * Loads the autoloaded programs and the maps into the kernel (on a worker
   * thread: the verifier may take a while).
   *
   * @throws {BpfError} With the verifier's last lines when loading fails.
   */
  async load(): Promise<void> {
    takeLibbpfLog();
    const err = await libbpf().bpf_object__load(this.#handle());
    if (err < 0) {
      throw new BpfError("load", this.#path, err, {
        detail: logTail(takeLibbpfLog()),
      });
    }
  }

  /** Unloads programs and maps (links must be closed first). Idempotent. */
  close(): void {
    if (!this.#object) return;
    libbpf().bpf_object__close(this.#object);
    this.#object = null;
    this.#programs = undefined;
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
