/**
 * Validates what a signature says about itself (`__rego_metadoc__`, or a
 * TypeScript signature's `metadata`), the same way for both kinds. Metadata
 * is copied into every finding and printed in tables and logs, so it is held
 * to a size, and names are held to a character set that cannot imitate
 * another name:
 *
 * - `id` and `eventName`: 1 to 64 ASCII letters, digits, `-`, `_` or `.`,
 *   starting with a letter or digit; unique among the loaded signatures and
 *   the base events (`signature_error` included), ignoring case.
 * - `name`, `version` and each tag: no control or format characters (such as
 *   a newline or U+200B, the zero-width space).
 * - Each string at most {@linkcode MAX_METADATA_STRING} characters; at most
 *   {@linkcode MAX_TAGS} tags; the whole metadata at most
 *   {@linkcode MAX_METADATA_SIZE} characters of strings, keys and numbers,
 *   nested at most {@linkcode MAX_METADATA_DEPTH} levels.
 *
 * @module
 */

import { BASE_EVENT_IDS, SIGNATURE_ERROR_EVENT } from "../event/mod.ts";
import { SignatureError } from "../errors.ts";
import type { ValidatedMetadata } from "../model/mod.ts";
import { CONTROL_OR_FORMAT_REGEXP, printableAscii } from "./_printable.ts";

/** The longest metadata string, in UTF-16 code units. */
export const MAX_METADATA_STRING = 4096;
/** The most tags a signature may have. */
export const MAX_TAGS = 32;
/** The largest metadata, counted as its strings, keys and numbers. */
export const MAX_METADATA_SIZE = 16 * 1024;
/** The deepest nesting of metadata values (the metadata object is level 1). */
export const MAX_METADATA_DEPTH = 8;
/** The most selectors a signature may have. */
export const MAX_SELECTORS = 256;

/** Signature ids and event names. */
export const SIGNATURE_NAME_REGEXP = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Validates the metadata a signature returned.
 *
 * @throws {SignatureError} When it breaks a rule of this module.
 */
export function parseMetadata(
  path: string,
  value: unknown,
): ValidatedMetadata {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SignatureError(path, "its metadata is not an object");
  }
  checkSize(path, value);
  const record = value as Record<string, unknown>;
  const text = (key: string, required: boolean): string => {
    const field = record[key];
    if (typeof field === "string" && field !== "") return field;
    if (field === undefined && !required) return "";
    throw new SignatureError(
      path,
      `its metadata has ${
        field === undefined ? "no" : "a non-string or empty"
      } "${key}"`,
    );
  };
  const metadata = {
    id: text("id", true),
    version: text("version", false),
    name: text("name", false),
    eventName: text("eventName", true),
    description: text("description", false),
    tags: parseTags(path, record.tags),
    properties: parseProperties(path, record.properties),
  };
  checkCharacters(path, metadata);
  return metadata;
}

function checkSize(path: string, value: object): void {
  const size = measure(value);
  if (size.depth > MAX_METADATA_DEPTH || size.total > MAX_METADATA_SIZE) {
    throw new SignatureError(
      path,
      `its metadata is larger than ${MAX_METADATA_SIZE} characters or deeper than ${MAX_METADATA_DEPTH} levels`,
    );
  }
  if (size.longest > MAX_METADATA_STRING) {
    throw new SignatureError(
      path,
      `its metadata holds a string of ${size.longest} characters, over the limit of ${MAX_METADATA_STRING}`,
    );
  }
}

function checkCharacters(
  path: string,
  metadata: ValidatedMetadata,
): void {
  for (const key of ["id", "eventName"] as const) {
    if (!SIGNATURE_NAME_REGEXP.test(metadata[key])) {
      throw new SignatureError(
        path,
        `its metadata "${key}" "${
          printableAscii(metadata[key])
        }" is not 1 to 64 ASCII letters, digits, "-", "_" or "." (starting with a letter or digit)`,
      );
    }
  }
  for (
    const [key, field] of [
      ["name", metadata.name],
      ["version", metadata.version],
      ...(metadata.tags ?? []).map((tag) => ["tags", tag]),
    ]
  ) {
    if (CONTROL_OR_FORMAT_REGEXP.test(field!)) {
      throw new SignatureError(
        path,
        `its metadata "${key}" holds a control or format character`,
      );
    }
  }
}

function parseTags(path: string, tags: unknown): string[] | null {
  if (tags === undefined || tags === null) return null;
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string")) {
    throw new SignatureError(
      path,
      `its metadata "tags" is not a list of strings`,
    );
  }
  if (tags.length > MAX_TAGS) {
    throw new SignatureError(
      path,
      `its metadata has more than ${MAX_TAGS} tags`,
    );
  }
  return tags;
}

function parseProperties(
  path: string,
  properties: unknown,
): Record<string, unknown> {
  if (properties === undefined || properties === null) return {};
  if (typeof properties !== "object" || Array.isArray(properties)) {
    throw new SignatureError(
      path,
      `its metadata "properties" is not an object`,
    );
  }
  return properties as Record<string, unknown>;
}

/**
 * The size of a value: its total of string, key and number characters, its
 * longest string and its depth; walked without recursion, and stopped once
 * past the metadata limits.
 */
export function measure(
  value: unknown,
): { total: number; longest: number; depth: number } {
  let total = 0;
  let longest = 0;
  let depth = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (
    pending.length > 0 && total <= MAX_METADATA_SIZE &&
    depth <= MAX_METADATA_DEPTH
  ) {
    const [item, level] = pending.pop()!;
    if (typeof item === "string") {
      total += item.length;
      longest = Math.max(longest, item.length);
    } else if (typeof item === "number" || typeof item === "bigint") {
      total += String(item).length;
    } else if (typeof item === "object" && item !== null) {
      depth = Math.max(depth, level);
      for (const [key, child] of Object.entries(item)) {
        if (!Array.isArray(item)) total += key.length;
        pending.push([child, level + 1]);
      }
    } else total += 4;
  }
  return { total, longest, depth };
}

/**
 * The ids and event names taken so far, ignoring case, so that a signature
 * cannot take another's name or a base event's.
 */
export class SignatureNames {
  #ids = new Map<string, string>();
  #eventNames = new Map<string, string>(
    [...BASE_EVENT_IDS.keys(), SIGNATURE_ERROR_EVENT.name].map((
      name,
    ) => [name.toLowerCase(), "a base event"]),
  );

  /**
   * Takes `metadata`'s id and event name for the signature at `path`.
   *
   * @throws {SignatureError} When either is already taken.
   */
  claim(path: string, metadata: ValidatedMetadata): void {
    const id = metadata.id.toLowerCase();
    const eventName = metadata.eventName.toLowerCase();
    const idOwner = this.#ids.get(id);
    if (idOwner) {
      throw new SignatureError(
        path,
        `its id "${metadata.id}" is already used by ${idOwner}`,
      );
    }
    const nameOwner = this.#eventNames.get(eventName);
    if (nameOwner) {
      throw new SignatureError(
        path,
        `its eventName "${metadata.eventName}" is already used by ${nameOwner}`,
      );
    }
    this.#ids.set(id, path);
    this.#eventNames.set(eventName, path);
  }
}
