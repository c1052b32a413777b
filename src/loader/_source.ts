/**
 * Reads a signature's source with a size cap checked before the file is read
 * whole: a hostile directory can hold a file of any size (or a device that
 * never ends), and everything read is held, parsed and compiled on the host.
 *
 * @module
 */

import { describe, SignatureError } from "../errors.ts";

/**
 * The largest signature source file, in bytes (256 KiB). The built-ins are
 * under 9 KiB; `opa parse` alone takes about 650 MiB of memory for a dense
 * 1 MiB Rego file, and about a quarter of that at this cap.
 */
export const MAX_SOURCE_BYTES = 256 * 1024;

/**
 * The UTF-8 text of the regular file `path`, read only if it holds at most
 * {@linkcode MAX_SOURCE_BYTES}. The size is checked on the open file, then
 * again while reading, so a file that grows in between is refused too.
 *
 * @throws {SignatureError} When the file cannot be read, is not a regular
 * file, is too large, or is not UTF-8.
 */
export async function readSource(path: string): Promise<string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    throw new SignatureError(path, describe(error), { cause: error });
  }
  try {
    const info = await file.stat();
    if (!info.isFile) {
      throw new SignatureError(path, "it is not a regular file");
    }
    if (info.size > MAX_SOURCE_BYTES) throw tooLarge(path, info.size);
    const buffer = new Uint8Array(MAX_SOURCE_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = await file.read(buffer.subarray(length));
      if (read === null) break;
      length += read;
      if (length > MAX_SOURCE_BYTES) throw tooLarge(path, length);
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(
        buffer.subarray(0, length),
      );
    } catch {
      throw new SignatureError(path, "it is not UTF-8 text");
    }
  } catch (error) {
    if (error instanceof SignatureError) throw error;
    throw new SignatureError(path, describe(error), { cause: error });
  } finally {
    file.close();
  }
}

function tooLarge(path: string, size: number): SignatureError {
  return new SignatureError(
    path,
    `it holds ${size} bytes or more, over the ${MAX_SOURCE_BYTES}-byte limit of a signature source`,
  );
}
