/**
 * The few libc calls Vigil needs: epoll (to wait for ring-buffer data without
 * blocking Deno's event loop), clocks, the effective uid and mounting tracefs
 * for the kernel source; reading files, links and the environment, and
 * `execve`, for the command line to run itself again with the permissions it
 * needs when Deno granted only FFI (which grants everything in effect, but
 * not through Deno's own APIs).
 * With ffi/libbpf.ts, the only place that calls `Deno.dlopen`.
 *
 * @module
 */

import { BpfError } from "./errors.ts";
import { cString, readCString } from "./libbpf.ts";

const SYMBOLS = {
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: {
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  close: { parameters: ["i32"], result: "i32" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  geteuid: { parameters: [], result: "u32" },
  mount: {
    parameters: ["buffer", "buffer", "buffer", "u64", "pointer"],
    result: "i32",
  },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  readlink: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
  getenv: { parameters: ["buffer"], result: "pointer" },
  execve: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

let library: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

function libc(): Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] {
  library ??= Deno.dlopen("libc.so.6", SYMBOLS);
  return library.symbols;
}

function lastErrno(): number {
  const location = libc().__errno_location();
  return location ? new Deno.UnsafePointerView(location).getInt32() : 0;
}

const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const EINTR = 4;
/** Longest path `readlink` may return (Linux's PATH_MAX). */
const PATH_MAX = 4096;
const EPOLL_CTL_ADD = 1;
const EPOLLIN = 0x1;
const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_EVENT_SIZE = 12;

/** Clock ids of `clock_gettime`. */
export const Clock = { Realtime: 0, Boottime: 7 } as const;

/** Reads a clock as nanoseconds. */
export function clockNs(clock: typeof Clock[keyof typeof Clock]): bigint {
  const timespec = new BigInt64Array(2);
  if (libc().clock_gettime(clock, timespec) !== 0) {
    throw new BpfError("read clock", String(clock), lastErrno());
  }
  return timespec[0]! * 1_000_000_000n + timespec[1]!;
}

/** The effective user id of this process. */
export function effectiveUid(): number {
  return libc().geteuid();
}

/**
 * Mounts a tracefs at `target`, as `mount -t tracefs nodev <target>` does.
 *
 * @throws {BpfError} When the kernel refuses, e.g. without CAP_SYS_ADMIN.
 */
export function mountTracefs(target: string): void {
  const result = libc().mount(
    cString("nodev"),
    cString(target),
    cString("tracefs"),
    0n,
    null,
  );
  if (result !== 0) throw new BpfError("mount tracefs on", target, lastErrno());
}

/**
 * Reads a whole file through libc, e.g. `/proc/self/cmdline`, whose size
 * `stat` does not tell.
 *
 * @throws {BpfError} When the file cannot be opened or read.
 */
export function readFileBytes(path: string): Uint8Array {
  const symbols = libc();
  const fd = symbols.open(cString(path), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw new BpfError("open", path, lastErrno());
  try {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const chunk = new Uint8Array(65536);
      const read = Number(symbols.read(fd, chunk, BigInt(chunk.length)));
      if (read < 0 && lastErrno() === EINTR) continue;
      if (read < 0) throw new BpfError("read", path, lastErrno());
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      size += read;
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  } finally {
    symbols.close(fd);
  }
}

/**
 * The target of a symbolic link, e.g. `/proc/self/exe`.
 *
 * @throws {BpfError} When it is no link or cannot be read.
 */
export function readLink(path: string): string {
  const target = new Uint8Array(PATH_MAX);
  const length = Number(
    libc().readlink(cString(path), target, BigInt(target.length)),
  );
  if (length < 0) throw new BpfError("read link", path, lastErrno());
  return new TextDecoder().decode(target.subarray(0, length));
}

/** An environment variable of this process, read by libc's `getenv`. */
export function getEnv(name: string): string | undefined {
  const value = libc().getenv(cString(name));
  return value ? readCString(value) : undefined;
}

/** A NULL-terminated array of pointers to C strings, with their storage. */
function cStringArray(texts: readonly string[]): {
  pointers: BigUint64Array<ArrayBuffer>;
  strings: Uint8Array[];
} {
  const strings = texts.map(cString);
  const pointers = new BigUint64Array(strings.length + 1);
  strings.forEach((string, i) => {
    pointers[i] = BigInt(
      Deno.UnsafePointer.value(Deno.UnsafePointer.of(string)),
    );
  });
  return { pointers, strings };
}

/**
 * Replaces this process with `path` run with `argv` and `env` (`execve`):
 * same pid, same open standard streams. Returns only by throwing.
 *
 * @throws {BpfError} When the kernel refuses, e.g. `path` does not exist.
 */
export function execve(
  path: string,
  argv: readonly string[],
  env: readonly string[],
): never {
  // The strings the pointers point to are held by `args` and `vars`; no
  // garbage collection runs during a synchronous FFI call.
  const args = cStringArray(argv);
  const vars = cStringArray(env);
  libc().execve(cString(path), args.pointers, vars.pointers);
  throw new BpfError("run", path, lastErrno());
}

/**
 * An epoll instance watching one file descriptor for input. `wait()` runs on
 * a worker thread, so awaiting it never blocks the event loop.
 */
export class Epoll implements Disposable {
  #fd: number;
  #events = new Uint8Array(EPOLL_EVENT_SIZE);
  #waiting: Promise<number> | undefined;

  /**
   * Creates the epoll instance and adds `fd`.
   *
   * @param fd The descriptor to watch, e.g. a ring buffer map's fd.
   * @throws {BpfError} When epoll cannot be set up.
   */
  constructor(fd: number) {
    const symbols = libc();
    this.#fd = symbols.epoll_create1(EPOLL_CLOEXEC);
    if (this.#fd < 0) throw new BpfError("create", "epoll", lastErrno());
    const event = new DataView(new ArrayBuffer(EPOLL_EVENT_SIZE));
    event.setUint32(0, EPOLLIN, true);
    event.setUint32(4, fd, true);
    if (symbols.epoll_ctl(this.#fd, EPOLL_CTL_ADD, fd, event) !== 0) {
      const errno = lastErrno();
      this.close();
      throw new BpfError("watch", `fd ${fd}`, errno);
    }
  }

  /**
   * Waits up to `timeoutMs` for input; resolves `true` when there is some.
   * Interrupted waits resolve `false`.
   */
  async wait(timeoutMs: number): Promise<boolean> {
    if (this.#fd < 0) return false;
    this.#waiting = libc().epoll_wait(this.#fd, this.#events, 1, timeoutMs);
    try {
      return (await this.#waiting) > 0;
    } finally {
      this.#waiting = undefined;
    }
  }

  /** Closes the epoll descriptor once no wait is pending. Idempotent. */
  async closeAsync(): Promise<void> {
    await this.#waiting?.catch(() => 0);
    this.close();
  }

  /** Closes the epoll descriptor. Idempotent. */
  close(): void {
    if (this.#fd < 0) return;
    libc().close(this.#fd);
    this.#fd = -1;
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
