/**
 * Replays newline-delimited Tracee JSON events from a file or stdin. A line
 * that Tracee's decoder would not take (not a JSON object, a field of the
 * wrong type, no `eventName`: see `normalise.ts`) is reported with its number
 * and the reason, and skipped; the stream goes on. Absent fields take
 * Tracee's zero values.
 *
 * Parsing is most of a replay's cost, so a line in Tracee's shape is not
 * parsed here: its routing fields are found by search, an event no one wants
 * is dropped on its name, and the others are parsed (and checked) only when
 * the engine uses them. A line that fails that check is reported then.
 *
 * @module
 */

import {
  envelopeFromJson,
  type EventEnvelope,
  eventOrigin,
  type EventRouting,
  eventRouting,
  parseEventLine,
  plainStringAt,
} from "../event/mod.ts";
import type { EventSource, SourceLosses } from "./source.ts";
import type { Scope } from "./scope.ts";

/** Options of {@linkcode openReplaySource}. */
export interface ReplayOptions {
  /** A file path, or `-` for stdin. */
  path: string;
  /** Called for each skipped line. */
  onMalformed?: (line: number, reason: string) => void;
  /**
   * Most events per batch.
   * @default {1024}
   */
  batchSize?: number;
  /**
   * Which event names to deliver; others are skipped unparsed.
   * @default {all}
   */
  wants?: (eventName: string) => boolean;
  /**
   * Only events in this scope are delivered (`--scope`), tested once a line
   * is wanted by name; a line is parsed for it unless its origin decides.
   * @default {all}
   */
  scope?: Scope;
}

const EVENT_NAME_KEY = '"eventName":"';
/** The key's tail: a rarer first character makes `indexOf` twice as fast. */
const EVENT_NAME_TAIL = EVENT_NAME_KEY.slice(4);
const CONTAINER_ID_KEY = '"containerId":"';
const CONTAINER_KEY = '"container":';
const NEXT_CONTAINER_KEY = ',"container":';
const CONTAINER_ID_MEMBER = '{"id":"';
const CONTAINER_STARTED_KEY = '"containerStarted":';
const ARGS_KEY = '"args":';

/** Where the first `"eventName":"` of `json` is, or -1. */
function eventNameAt(json: string): number {
  const back = EVENT_NAME_KEY.length - EVENT_NAME_TAIL.length;
  for (
    let at = json.indexOf(EVENT_NAME_TAIL);
    at >= 0;
    at = json.indexOf(EVENT_NAME_TAIL, at + 1)
  ) {
    if (json.startsWith(EVENT_NAME_KEY, at - back)) return at - back;
  }
  return -1;
}

/**
 * The container id routing reads, found by search: a non-empty `containerId`
 * before the event's name; else (it is `""` or absent) `container.id`, as
 * Tracee's own origin reads it: `""` when the one `container` is `{}` or
 * absent. `undefined` when that is not clear.
 */
function scanContainerId(json: string, nameAt: number): string | undefined {
  const idAt = json.lastIndexOf(CONTAINER_ID_KEY, nameAt);
  let at: number;
  if (idAt >= 0) {
    const id = plainStringAt(json, idAt + CONTAINER_ID_KEY.length);
    if (id !== "") return id;
    // In Tracee's order `container` follows: no search of the line.
    const next = idAt + CONTAINER_ID_KEY.length + 1;
    at = json.startsWith(NEXT_CONTAINER_KEY, next)
      ? next + 1
      : uniqueContainerAt(json);
  } else if (json.includes('"containerId"')) return undefined;
  else at = uniqueContainerAt(json);
  if (at === -1) return "";
  if (at < 0) return undefined;
  const value = at + CONTAINER_KEY.length;
  if (json.startsWith("{}", value)) return "";
  return json.startsWith(CONTAINER_ID_MEMBER, value)
    ? plainStringAt(json, value + CONTAINER_ID_MEMBER.length)
    : undefined;
}

/**
 * Where the line's one `"container":` is; -1 when it has no `container`
 * member at all, -2 when that is not clear (another, or the name elsewhere).
 */
function uniqueContainerAt(json: string): number {
  const at = json.indexOf(CONTAINER_KEY);
  if (at < 0) return json.includes('"container"') ? -2 : -1;
  return json.includes(CONTAINER_KEY, at + 1) ? -2 : at;
}

/**
 * `containerStarted` found by search after the event's name; `false` (the
 * zero value) when the line has none. `undefined` when that is not clear.
 */
function scanContainerStarted(
  json: string,
  nameAt: number,
): { started: boolean; at: number } | undefined {
  const at = json.indexOf(CONTAINER_STARTED_KEY, nameAt);
  if (at < 0) {
    return json.includes('"containerStarted"')
      ? undefined
      : { started: false, at: nameAt };
  }
  const flag = at + CONTAINER_STARTED_KEY.length;
  if (json.startsWith("true", flag)) return { started: true, at: flag };
  if (json.startsWith("false", flag)) return { started: false, at: flag };
  return undefined;
}

/**
 * The routing fields of a line in Tracee's shape, found by search instead of
 * parsing (a search costs a fifth of `JSON.parse`): an object whose first
 * `eventName` is preceded by its container's id and followed by
 * `containerStarted`, then `args`, in Tracee's field order; each may be
 * absent (then it has Tracee's zero value). `undefined` for any other line,
 * which is then parsed in full.
 */
function scanRouting(json: string): EventRouting | undefined {
  if (!json.startsWith("{") || !json.endsWith("}")) return undefined;
  const nameAt = eventNameAt(json);
  if (nameAt < 0) return undefined;
  const eventName = plainStringAt(json, nameAt + EVENT_NAME_KEY.length);
  if (!eventName) return undefined;
  const containerId = scanContainerId(json, nameAt);
  if (containerId === undefined) return undefined;
  const flag = scanContainerStarted(json, nameAt);
  if (flag === undefined) return undefined;
  const argsAt = json.indexOf(ARGS_KEY, flag.at);
  if (
    argsAt < 0
      ? json.includes('"args"')
      // Go writes a nil list as null.
      : json[argsAt + ARGS_KEY.length] !== "[" &&
        !json.startsWith("null", argsAt + ARGS_KEY.length)
  ) {
    return undefined;
  }
  return { eventName, origin: eventOrigin(containerId, flag.started) };
}

/** What {@linkcode parseEventLineLazily} returns for an unwanted event. */
export const UNWANTED = "unwanted";

/**
 * One line of Tracee JSON as an envelope, routed on fields found by search
 * when the line is in Tracee's shape (parsed only when used), else parsed
 * now; {@linkcode UNWANTED} when `wants` refuses its name, `undefined` for a
 * blank line or one that is not an event (`report`ed). A replayed file's
 * lines and messages from a broker go through here alike.
 */
export function parseEventLineLazily(
  line: string,
  lineNumber: number,
  options: {
    report: (line: number, reason: string) => void;
    wants?: (eventName: string) => boolean;
  },
): EventEnvelope | typeof UNWANTED | undefined {
  const json = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (json.trim() === "") return undefined;
  const routing = scanRouting(json);
  if (routing) {
    if (options.wants && !options.wants(routing.eventName)) return UNWANTED;
    return envelopeFromJson(json, routing, lineNumber, options.report);
  }
  const event = parseEventLine(json);
  if (typeof event === "string") {
    options.report(lineNumber, event);
    return undefined;
  }
  return envelopeFromJson(
    json,
    eventRouting(event),
    lineNumber,
    options.report,
    event,
  );
}

const READ_BYTES = 1024 * 1024;

/** Reads events from newline-delimited JSON. */
export class ReplaySource implements EventSource {
  readonly name: string;
  #file: Deno.FsFile | typeof Deno.stdin;
  #onMalformed: ReplayOptions["onMalformed"];
  #batchSize: number;
  #wants: ReplayOptions["wants"];
  #scope: Scope | undefined;
  #malformed = 0;
  #unwanted = 0;
  #outOfScope = 0;
  #closed = false;
  /** Records report lines that prove malformed when the engine uses them. */
  readonly #reportMalformed = (line: number, reason: string): void => {
    this.#malformed++;
    this.#onMalformed?.(line, reason);
  };

  constructor(file: Deno.FsFile | typeof Deno.stdin, options: ReplayOptions) {
    this.name = options.path === "-" ? "stdin" : options.path;
    this.#file = file;
    this.#onMalformed = options.onMalformed;
    this.#batchSize = options.batchSize ?? 1024;
    this.#wants = options.wants;
    this.#scope = options.scope?.all ? undefined : options.scope;
  }

  /** Lines skipped so far because they are not events. */
  get malformed(): number {
    return this.#malformed;
  }

  /** Events skipped so far because no one wants them. */
  get unwanted(): number {
    return this.#unwanted;
  }

  /** Events skipped so far as outside the scope. */
  get outOfScope(): number {
    return this.#outOfScope;
  }

  losses(): SourceLosses {
    return {
      lost: 0,
      dropped: {
        unselected: this.#unwanted,
        malformed: this.#malformed,
        out_of_scope: this.#outOfScope,
      },
    };
  }

  async *batches(signal: AbortSignal): AsyncGenerator<EventEnvelope[]> {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(READ_BYTES);
    let rest = "";
    let lineNumber = 0;
    let batch: EventEnvelope[] = [];
    while (!signal.aborted) {
      const read = await this.#file.read(buffer);
      const text = read === null
        ? rest + decoder.decode()
        : rest + decoder.decode(
          buffer.subarray(0, read),
          { stream: true },
        );
      const lines = text.split("\n");
      rest = read === null ? "" : lines.pop() ?? "";
      for (const line of lines) {
        lineNumber++;
        const envelope = this.#parse(line, lineNumber);
        if (envelope && this.#inScope(envelope)) batch.push(envelope);
        if (batch.length >= this.#batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
      if (read === null) return;
    }
  }

  #parse(line: string, lineNumber: number): EventEnvelope | undefined {
    const envelope = parseEventLineLazily(line, lineNumber, {
      report: this.#reportMalformed,
      ...(this.#wants ? { wants: this.#wants } : {}),
    });
    if (envelope === UNWANTED) this.#unwanted++;
    else return envelope;
  }

  /** Whether the envelope is in scope; a line that proves malformed is not (it is reported). */
  #inScope(envelope: EventEnvelope): boolean {
    const scope = this.#scope;
    if (scope === undefined) return true;
    if (scope.byOriginOnly) {
      if (scope.matchesOrigin(envelope.origin)) return true;
    } else if (envelope.problem() !== undefined) {
      return false;
    } else if (scope.matches(envelope.event())) return true;
    this.#outOfScope++;
    return false;
  }

  summary(): string[] {
    return this.#malformed === 0
      ? []
      : [`${this.#malformed} malformed line(s) of ${this.name} skipped`];
  }

  close(): Promise<void> {
    if (!this.#closed && this.#file !== Deno.stdin) {
      (this.#file as Deno.FsFile).close();
    }
    this.#closed = true;
    return Promise.resolve();
  }
}

/** Opens a replay source on a file, or stdin for `-`. */
export async function openReplaySource(
  options: ReplayOptions,
): Promise<ReplaySource> {
  const file = options.path === "-"
    ? Deno.stdin
    : await Deno.open(options.path);
  return new ReplaySource(file, options);
}
