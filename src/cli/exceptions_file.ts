/**
 * The exceptions file (`--exceptions FILE`, YAML or JSON):
 *
 * ```yaml
 * exceptions:
 *   - name: nightly backup reads the shadow file
 *     signature: VGL-12
 *     match:
 *       process.name: [rsync, borg]
 *       executable.path: /usr/bin/*
 *       args.pathname: /etc/shadow
 * ```
 *
 * Every key is checked, every size bounded: a bad file is one error at start
 * (or, on a reload, keeps the exceptions in force), never a failure later.
 *
 * @module
 */

import {
  ARGUMENT_FIELD_PREFIX,
  EXCEPTION_FIELDS,
  type ExceptionRule,
} from "../engine/mod.ts";
import { UsageError } from "./program.ts";
import { readSettingsFile } from "./settings_file.ts";

/** The most exceptions one file holds. */
export const MAX_EXCEPTIONS = 4096;
/** The most conditions one exception holds. */
export const MAX_CONDITIONS = 32;
/** The most patterns one condition holds. */
export const MAX_PATTERNS = 1024;
/** The longest pattern, name or signature id, in characters. */
export const MAX_TEXT = 4096;

const ENTRY_KEYS = new Set(["name", "signature", "match"]);
const ARGUMENT_NAME_REGEXP = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/**
 * The exceptions of `path`.
 *
 * @throws {UsageError} When the file cannot be read or parsed, or any entry
 * is not an exception (the message names the entry and the key).
 */
export async function readExceptionsFile(
  path: string,
): Promise<ExceptionRule[]> {
  const value = await readSettingsFile(path, "exceptions file");
  const fail = (message: string) =>
    new UsageError(`Cannot use exceptions file "${path}": ${message}`);
  if (!isRecord(value) || !Object.hasOwn(value, "exceptions")) {
    throw fail('it must be a map with the key "exceptions"');
  }
  const unknown = Object.keys(value).find((key) => key !== "exceptions");
  if (unknown !== undefined) throw fail(`unknown key "${unknown}"`);
  const list = value.exceptions;
  if (list === null) return [];
  if (!Array.isArray(list)) throw fail('"exceptions" must be a list');
  if (list.length > MAX_EXCEPTIONS) {
    throw fail(`it holds more than ${MAX_EXCEPTIONS} exceptions`);
  }
  return list.map((entry, i) => {
    try {
      return parseEntry(entry);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw fail(`exception ${i + 1}: ${error.message}`);
    }
  });
}

function parseEntry(entry: unknown): ExceptionRule {
  if (!isRecord(entry)) throw new TypeError("it is not a map");
  const unknown = Object.keys(entry).find((key) => !ENTRY_KEYS.has(key));
  if (unknown !== undefined) throw new TypeError(`unknown key "${unknown}"`);
  const name = text(entry.name, "name");
  const signature = text(entry.signature, "signature");
  if (!isRecord(entry.match)) {
    throw new TypeError('"match" must be a map of fields to patterns');
  }
  const fields = Object.keys(entry.match);
  if (fields.length === 0 || fields.length > MAX_CONDITIONS) {
    throw new TypeError(`"match" must hold 1 to ${MAX_CONDITIONS} fields`);
  }
  const conditions: Record<string, string[]> = {};
  for (const field of fields) {
    if (!isField(field)) {
      throw new TypeError(
        `unknown field "${field}" in "match": expected ${
          EXCEPTION_FIELDS.join(", ")
        } or args.<name>`,
      );
    }
    conditions[field] = patterns(entry.match[field], field);
  }
  return { name, signature, conditions };
}

function isField(field: string): boolean {
  if ((EXCEPTION_FIELDS as readonly string[]).includes(field)) return true;
  return field.startsWith(ARGUMENT_FIELD_PREFIX) &&
    ARGUMENT_NAME_REGEXP.test(field.slice(ARGUMENT_FIELD_PREFIX.length));
}

function patterns(value: unknown, field: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.length > MAX_PATTERNS) {
    throw new TypeError(`"${field}" must hold 1 to ${MAX_PATTERNS} patterns`);
  }
  return list.map((item) => {
    if (typeof item === "number" || typeof item === "boolean") {
      return String(item);
    }
    return text(item, field);
  });
}

function text(value: unknown, key: string): string {
  if (typeof value !== "string" || value === "" || value.length > MAX_TEXT) {
    throw new TypeError(
      `"${key}" must be a text of 1 to ${MAX_TEXT} characters`,
    );
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
