/**
 * The host's reading of what a sandbox answers: load outcomes and batch
 * results. Every byte of them may come from a hostile signature (a
 * TypeScript signature can post any result text), so nesting is bounded
 * before anything recursive sees it: {@linkcode limitDepth} scans the text
 * iteratively and cuts every value nested deeper than the limit, and a
 * finding that lost a part is replaced by a note saying why.
 *
 * @module
 */

import { parseJsonExact, stringifyJson } from "../../event/json.ts";

/**
 * Deepest nesting of a finding's data, or of a signature's metadata, that the
 * host accepts (a finding's data object is level 1).
 */
export const MAX_DATA_DEPTH = 64;

/** What a signature said about itself at load, or why it failed. */
export type LoadOutcome =
  | {
    ok: true;
    metadata: unknown;
    selectors: unknown;
    /** What a TypeScript signature declared it reads, if it did. */
    inputFields?: unknown;
  }
  | { ok: false; error: string };

/** A finding reported by a signature for an event of a batch. */
export interface RawFinding {
  signature: number;
  event: number;
  /** `true`, or the finding's data object (exact 64-bit values). */
  data: true | Record<string, unknown>;
  /** Why the data was replaced, when it was (e.g. nested too deep). */
  truncated?: string;
}

/** A failure of a signature on one event (`event` -1: on the whole batch). */
export interface SignatureFailure {
  signature: number;
  event: number;
  message: string;
}

/** The findings and failures of one signature's answer. */
export interface Answer {
  findings: RawFinding[];
  failures: SignatureFailure[];
}

/** Stands for a cut value: a string no JSON text of ours holds. */
const CUT = "\u0000vigil:cut";
const CUT_JSON = '"\\u0000vigil:cut"';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Replaces every array or object of `text` that opens deeper than
 * `maxDepth` (the outermost value is at depth 1) with a marker string, in one
 * pass without recursion. Brackets inside strings do not count. Text that is
 * not JSON stays not JSON (unbalanced brackets are left as they are).
 *
 * @returns The text, and how many values were cut.
 */
export function limitDepth(
  text: string,
  maxDepth: number,
): { text: string; cuts: number } {
  let depth = 0;
  let inString = false;
  let cutFrom = -1;
  let kept = 0;
  let cuts = 0;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth && cutFrom < 0) cutFrom = i;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (--depth === maxDepth && cutFrom >= 0) {
        out += text.slice(kept, cutFrom) + CUT_JSON;
        kept = i + 1;
        cutFrom = -1;
        cuts++;
      }
    }
  }
  if (cuts === 0) return { text, cuts };
  return { text: out + text.slice(kept), cuts };
}

/** Whether `value` holds a cut marker; iterative, for depth-limited values. */
function holdsCut(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === CUT) return true;
    if (typeof item === "object" && item !== null) {
      for (const member of Object.values(item)) stack.push(member);
    }
  }
  return false;
}

/**
 * Parses a load answer `{"ok":true,"metadata":…,"selectors":…}` (and, from
 * a TypeScript signature that declares them, `"inputFields":…`) or
 * `{"ok":false,"error":…}`; metadata nested too deep fails the load.
 */
export function parseLoadOutcome(text: string): LoadOutcome {
  const limited = limitDepth(text, MAX_DATA_DEPTH + 1);
  try {
    const value = parseJsonExact(limited.text) as Partial<
      LoadOutcome & { error: unknown }
    >;
    if (value.ok !== true) {
      return { ok: false, error: String(value.error ?? "unknown error") };
    }
    if (limited.cuts > 0) {
      return {
        ok: false,
        error:
          `its metadata or selectors are nested more than ${MAX_DATA_DEPTH} levels deep`,
      };
    }
    const { metadata, selectors, inputFields } = value as {
      metadata: unknown;
      selectors: unknown;
      inputFields?: unknown;
    };
    return inputFields === undefined
      ? { ok: true, metadata, selectors }
      : { ok: true, metadata, selectors, inputFields };
  } catch {
    return { ok: false, error: "malformed load answer" };
  }
}

/**
 * Reads one signature's answer for a batch (`protocol.ts`'s
 * `resultText`): findings for events not routed to it, and data
 * that is neither `true` nor an object, become failures; data nested more
 * than {@linkcode MAX_DATA_DEPTH} levels is replaced by a note.
 *
 * @param signature The signature that answered.
 * @param routed The events it was sent.
 */
export function readAnswer(
  signature: number,
  routed: ReadonlySet<number>,
  text: string,
): Answer {
  const answer: Answer = { findings: [], failures: [] };
  // The answer object, its lists and their pairs take three levels.
  const limited = limitDepth(text, MAX_DATA_DEPTH + 3);
  let value: { findings?: unknown; errors?: unknown };
  try {
    value = parseJsonExact(limited.text) as typeof value;
    if (!Array.isArray(value.findings) || !Array.isArray(value.errors)) {
      throw new Error();
    }
  } catch {
    answer.failures.push({ signature, event: -1, message: "malformed result" });
    return answer;
  }
  for (const item of value.errors as unknown[]) {
    const [event, message] = Array.isArray(item) ? item : [];
    answer.failures.push({
      signature,
      event: typeof event === "number" && routed.has(event) ? event : -1,
      message: String(message).slice(0, 2048),
    });
  }
  for (const item of value.findings as unknown[]) {
    const [event, data] = Array.isArray(item) ? item : [];
    if (typeof event !== "number" || !routed.has(event)) {
      answer.failures.push({
        signature,
        event: -1,
        // Whatever stands there (a bigint included), cut short.
        message: `reported a finding for event ${
          stringifyJson(event ?? null).slice(0, 64)
        } it was not sent`,
      });
    } else if (data === true) {
      answer.findings.push({ signature, event, data: true });
    } else if (
      typeof data === "object" && data !== null && !Array.isArray(data)
    ) {
      answer.findings.push(
        limited.cuts > 0 && holdsCut(data)
          ? tooDeep(signature, event)
          : { signature, event, data: data as Record<string, unknown> },
      );
    } else if (data !== false) {
      answer.failures.push({
        signature,
        event,
        message: `tracee_match gave ${
          Array.isArray(data) ? "an array" : typeof data
        }, not true or an object`,
      });
    }
  }
  return answer;
}

function tooDeep(signature: number, event: number): RawFinding {
  const reason =
    `finding data nested more than ${MAX_DATA_DEPTH} levels deep was replaced`;
  return { signature, event, data: { truncated: reason }, truncated: reason };
}
