/**
 * Errors of the kernel layer: a failed libbpf or libc call ({@linkcode BpfError})
 * and a machine that cannot run the kernel source at all
 * ({@linkcode KernelUnavailableError}).
 *
 * @module
 */

const ERRNO_MESSAGES: Readonly<Record<number, readonly [string, string]>> = {
  1: ["EPERM", "permission denied"],
  2: ["ENOENT", "no such file or directory"],
  3: ["ESRCH", "no such process"],
  4: ["EINTR", "interrupted"],
  7: ["E2BIG", "argument list too long"],
  9: ["EBADF", "bad file descriptor"],
  11: ["EAGAIN", "resource temporarily unavailable"],
  12: ["ENOMEM", "out of memory"],
  13: ["EACCES", "access denied"],
  14: ["EFAULT", "bad address"],
  16: ["EBUSY", "resource busy"],
  17: ["EEXIST", "already exists"],
  19: ["ENODEV", "no such device"],
  22: ["EINVAL", "invalid argument"],
  24: ["EMFILE", "too many open files"],
  28: ["ENOSPC", "no space left"],
  38: ["ENOSYS", "function not implemented"],
  95: ["EOPNOTSUPP", "operation not supported"],
  524: ["ENOTSUPP", "operation not supported"],
};

/** The symbolic name of an errno value, e.g. `EPERM`, or `errno <n>`. */
export function errnoName(errno: number): string {
  return ERRNO_MESSAGES[Math.abs(errno)]?.[0] ?? `errno ${Math.abs(errno)}`;
}

/** A readable message for an errno value, e.g. `permission denied`. */
export function errnoMessage(errno: number): string {
  return ERRNO_MESSAGES[Math.abs(errno)]?.[1] ?? `errno ${Math.abs(errno)}`;
}

/**
 * A libbpf or libc call failed. The message names the operation and its
 * object: `Cannot attach "raw_tp/sys_enter": permission denied`.
 */
export class BpfError extends Error {
  /** The positive errno value. */
  readonly errno: number;
  /** The errno's symbolic name, e.g. `EPERM`. */
  readonly code: string;
  /** The failed operation, e.g. `attach`. */
  readonly operation: string;

  /**
   * Makes the error and its message from its parts.
   *
   * @param operation The failed operation, e.g. `attach`.
   * @param target What it was applied to, e.g. `raw_tp/sys_enter`.
   * @param errno The errno, negative (libbpf style) or positive.
   * @param options `cause`, and `detail` appended after the reason.
   */
  constructor(
    operation: string,
    target: string,
    errno: number,
    options?: ErrorOptions & { detail?: string },
  ) {
    const detail = options?.detail ? `\n${options.detail}` : "";
    super(
      `Cannot ${operation} "${target}": ${errnoMessage(errno)}${detail}`,
      options,
    );
    this.name = "BpfError";
    this.errno = Math.abs(errno);
    this.code = errnoName(errno);
    this.operation = operation;
  }
}

/**
 * The kernel source cannot run here: not root, no BPF, no BTF, or the BPF
 * objects are not built. The message says what is missing and what to do.
 */
export class KernelUnavailableError extends Error {
  /** Makes the error; `message` is the whole one-line message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KernelUnavailableError";
  }
}
