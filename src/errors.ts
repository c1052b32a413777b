/**
 * Error classes callers branch on. Bad arguments use the built-in `TypeError`
 * and `RangeError`; unparsable input uses `SyntaxError`.
 *
 * @module
 */

/** A signature that cannot be loaded: it does not compile, or breaks the contract. */
export class SignatureError extends Error {
  /** The signature's file. */
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`Cannot load signature "${path}": ${message}`, options);
    this.name = "SignatureError";
    this.path = path;
  }
}

/** A required tool or kernel feature is missing; the message says how to get it. */
export class NotSupportedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NotSupportedError";
  }
}

/** The message of an error, or the value as text; file errors in plain words. */
export function describe(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or directory";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotADirectory) return "not a directory";
  return error instanceof Error ? error.message : String(error);
}
