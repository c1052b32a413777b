/**
 * The subjects and message ids of Vigil's JetStream streams. Host names,
 * signature ids and event names come from events (hostile input): each is
 * encoded into one safe subject token, the same way everywhere, so that a
 * filter built from a name matches exactly what was published under it.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Subject prefix of findings: `vigil.findings.<host>.<signature id>`. */
export const FINDINGS_PREFIX = "vigil.findings";
/** Subject prefix of base events: `vigil.events.<host>.<event name>`. */
export const EVENTS_PREFIX = "vigil.events";

/** Longest token kept as encoded; longer ones are cut and end in a hash. */
const MAX_TOKEN = 64;
const SAFE_REGEXP = /^[A-Za-z0-9_-]$/;
const encoder = new TextEncoder();

/**
 * Encodes `name` as one subject token: letters, digits, `_` and `-` stay,
 * every other byte of its UTF-8 (`.`, `*`, `>`, spaces, `%`, ...) becomes
 * `%HH`; the empty name is `%`. A token longer than 64 characters keeps its
 * first 48 and ends in `%` and 15 hex digits of its SHA-256, so that
 * distinct names stay distinct.
 */
export function subjectToken(name: string): string {
  if (name === "") return "%";
  let token = "";
  for (const char of name) {
    if (SAFE_REGEXP.test(char)) token += char;
    else {
      for (const byte of encoder.encode(char)) {
        token += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
      }
    }
  }
  return token.length <= MAX_TOKEN
    ? token
    : `${token.slice(0, 48)}%${hashHex(token).slice(0, 15)}`;
}

/** The subject of a finding of `signatureId` on `hostName`. */
export function findingSubject(hostName: string, signatureId: string): string {
  return `${FINDINGS_PREFIX}.${subjectToken(hostName)}.${
    subjectToken(signatureId)
  }`;
}

/** The subject of a base event called `eventName` on `hostName`. */
export function eventSubject(hostName: string, eventName: string): string {
  return `${EVENTS_PREFIX}.${subjectToken(hostName)}.${
    subjectToken(eventName)
  }`;
}

/**
 * A filter on findings: one host and/or one signature, `*` for any.
 */
export function findingFilter(
  options: { hostName?: string; signatureId?: string },
): string {
  const host = options.hostName === undefined
    ? "*"
    : subjectToken(options.hostName);
  const signature = options.signatureId === undefined
    ? "*"
    : subjectToken(options.signatureId);
  return `${FINDINGS_PREFIX}.${host}.${signature}`;
}

/**
 * A message id derived from what the message is: the same message published
 * again (a retry, a spooled copy sent after a restart, a collector's
 * redelivered input) gets the same id, and JetStream drops it as a duplicate
 * within the stream's duplicate window. 32 hex digits of SHA-256.
 */
export function messageId(subject: string, payload: string): string {
  return hashHex(`${subject}\n${payload}`).slice(0, 32);
}

/** The SHA-256 of `text`'s UTF-8, as 64 lowercase hex digits. */
export function hashHex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
