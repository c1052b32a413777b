/**
 * Reads the files a user gives Vigil's command line (`--config`,
 * `--exceptions`): YAML 1.2, of which JSON is a subset, parsed by the
 * pinned `yaml` package. The text is hostile until checked: its size is
 * capped before it is read whole, aliases are refused (no exponential
 * expansion), and any parser failure (a stack overflow on deep nesting
 * included) becomes one clear error naming the file, at start.
 *
 * @module
 */

import { parse } from "yaml";
import { describe } from "../errors.ts";
import { UsageError } from "./program.ts";

/** The largest settings file, in bytes (1 MiB). */
export const MAX_SETTINGS_BYTES = 1024 * 1024;

/** The deepest nesting of lists and maps a settings file may hold. */
export const MAX_SETTINGS_DEPTH = 16;

/**
 * The value a YAML or JSON file holds.
 *
 * @param path The file.
 * @param what What the file is, for messages ("config file").
 * @throws {UsageError} When the file cannot be read, is over
 * {@linkcode MAX_SETTINGS_BYTES}, is not UTF-8, does not parse, or nests
 * deeper than {@linkcode MAX_SETTINGS_DEPTH}.
 */
export async function readSettingsFile(
  path: string,
  what: string,
): Promise<unknown> {
  const text = await readBounded(path, what);
  let value: unknown;
  try {
    // Deep nesting overflows the parser's stack: a RangeError, caught.
    value = parse(text, {
      maxAliasCount: 0,
      stringKeys: true,
      uniqueKeys: true,
      prettyErrors: false,
    });
  } catch (error) {
    throw new UsageError(
      `Cannot parse ${what} "${path}": ${firstLine(describe(error))}`,
    );
  }
  if (depthOf(value) > MAX_SETTINGS_DEPTH) {
    throw new UsageError(
      `Cannot use ${what} "${path}": it nests deeper than ${MAX_SETTINGS_DEPTH} levels`,
    );
  }
  return value;
}

async function readBounded(path: string, what: string): Promise<string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    throw new UsageError(`Cannot read ${what} "${path}": ${describe(error)}`);
  }
  try {
    if (!(await file.stat()).isFile) {
      throw new UsageError(
        `Cannot read ${what} "${path}": it is not a regular file`,
      );
    }
    const buffer = new Uint8Array(MAX_SETTINGS_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = await file.read(buffer.subarray(length));
      if (read === null) break;
      length += read;
      if (length > MAX_SETTINGS_BYTES) {
        throw new UsageError(
          `Cannot read ${what} "${path}": it is larger than ${MAX_SETTINGS_BYTES} bytes`,
        );
      }
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(
        buffer.subarray(0, length),
      );
    } catch {
      throw new UsageError(`Cannot read ${what} "${path}": it is not UTF-8`);
    }
  } finally {
    file.close();
  }
}

/** How deep lists and maps nest in a parsed value (iterative). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_SETTINGS_DEPTH) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
