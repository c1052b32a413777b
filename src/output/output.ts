/**
 * Where events go: the output interfaces, and the one dispatch that turns an
 * `--output` value into an output by its kind (the text before its first
 * `:`). A new kind of output is one more entry in `OUTPUT_KINDS`.
 *
 * @module
 */

import type { TraceeEvent } from "../event/mod.ts";
import { openPrinter, PrintFormat } from "./printer.ts";
import { openWebhook } from "./webhook.ts";

/** What the engine writes to. Writes are buffered until `flush`. */
export interface EventOutput {
  /**
   * Buffers `event`; `json`, when given, is `formatEventJson(event)` already
   * written (the JSON formats reuse it).
   */
  write(event: TraceeEvent, json?: string): void;
  /** Writes what is buffered (or hands it to a sender); never throws. */
  flush(): Promise<void>;
  /** Flushes and releases the destination. Idempotent. */
  close(): Promise<void>;
}

/** Counters of one output since it was opened. */
export interface OutputStats {
  /** Events written (a file, stdout) or delivered (a webhook). */
  written: number;
  /** Writes or requests that failed (each may be retried). */
  failed: number;
  /** Events given up: a failed write's, or the oldest of a full queue. */
  dropped: number;
  /** Events waiting to be sent (0 for outputs that write at once). */
  queued: number;
}

/** One destination: an {@linkcode EventOutput} that names itself and counts. */
export interface OutputSink extends EventOutput {
  /**
   * The `--output` value it was opened from, e.g. `json:/var/log/vigil.json`
   * (a webhook's without its path and query: `webhook:https://siem:8080/…`).
   */
  readonly name: string;
  /** Its counters so far. */
  stats(): OutputStats;
  /** Opens its file again by path (after logrotate moved it); else nothing. */
  reopen(): void;
}

/** An `--output` value: its kind and the text after the kind's `:`. */
export interface OutputSpec {
  /** A key of `OUTPUT_KINDS`, e.g. `json`, `webhook`. */
  kind: string;
  /** The text after the first `:`, e.g. a path or a URL. */
  target?: string;
  /** The whole value, used to name the output. */
  text: string;
}

/** What an output may report while it runs, e.g. a webhook that fails. */
export interface OutputContext {
  /** Called with a line for the log (at most a few per state change). */
  warn: (message: string) => void;
}

/** How one kind of output is checked and opened. */
export interface OutputKind {
  /**
   * Checks `spec.target`.
   *
   * @throws {RangeError} When the output cannot be used as written.
   */
  check(spec: OutputSpec): void;
  open(spec: OutputSpec, context: OutputContext): Promise<OutputSink>;
}

function printerKind(format: PrintFormat): OutputKind {
  return {
    check: (spec) => {
      if (spec.target === "") {
        throw new RangeError(
          `Cannot use output "${spec.text}": the path after ":" is empty`,
        );
      }
    },
    open: (spec, context) => openPrinter(format, spec, context),
  };
}

/** The kinds of output, by the text before the first `:` of an `--output` value. */
export const OUTPUT_KINDS: Readonly<Record<string, OutputKind>> = {
  json: printerKind(PrintFormat.Json),
  table: printerKind(PrintFormat.Table),
  webhook: {
    check: (spec) => void webhookUrl(spec),
    open: (spec, context) => {
      const url = webhookUrl(spec);
      return openWebhook(url, webhookName(url), context);
    },
  },
};

/**
 * A webhook's name in logs and metrics: its origin only, since webhook URLs
 * often carry a secret in their path, query or user part.
 */
function webhookName(url: URL): string {
  const more = url.pathname !== "/" || url.search !== "" ? "/…" : "";
  return `webhook:${url.origin}${more}`;
}

function webhookUrl(spec: OutputSpec): URL {
  const url = URL.parse(spec.target ?? "");
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new RangeError(
      `Cannot use output "${spec.text}": webhook needs an http:// or https:// URL`,
    );
  }
  return url;
}

/**
 * Parses `KIND[:TARGET]`, e.g. `json`, `table:/tmp/t.txt`,
 * `webhook:http://siem:8080/in`.
 *
 * @throws {RangeError} When the kind is unknown or its target is bad.
 */
export function parseOutputSpec(text: string): OutputSpec {
  const colon = text.indexOf(":");
  const kind = colon < 0 ? text : text.slice(0, colon);
  const spec: OutputSpec = colon < 0
    ? { kind, text }
    : { kind, target: text.slice(colon + 1), text };
  const known = Object.hasOwn(OUTPUT_KINDS, kind)
    ? OUTPUT_KINDS[kind]
    : undefined;
  if (!known) {
    throw new RangeError(
      `Cannot use output "${text}": the kind must be one of ${
        Object.keys(OUTPUT_KINDS).join(", ")
      }`,
    );
  }
  known.check(spec);
  return spec;
}

/** Opens an output of a parsed spec (a file is created or truncated). */
export async function openOutput(
  spec: OutputSpec,
  context: OutputContext = { warn: () => {} },
): Promise<OutputSink> {
  return await OUTPUT_KINDS[spec.kind]!.open(spec, context);
}
