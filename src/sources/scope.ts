/**
 * `--scope` filters in Tracee's spirit: which events the sensor looks at at
 * all. A scope is a typed value ({@linkcode Scope.filters}) so that the
 * filters the kernel can test may later be pushed into it; today each
 * source applies it as early as it can: the kernel source right after a
 * record's task context is known, before the event is built (the runtime's
 * image and pod fields once they are filled in), the replay source once a
 * line is wanted by name.
 *
 * Grammar of one filter: `container`, `not-container`, `FIELD=V[,V…]` or
 * `FIELD!=V[,V…]`. Filters on different fields must all pass; values given
 * for one field with `=` (in one filter or repeated) are alternatives, with
 * `!=` each is excluded. A string value ending in `*` matches by prefix.
 * The runtime's fields (image, pod) of a container whose details are
 * unknown decide nothing: its events pass those filters.
 *
 * @module
 */

import { Origin, type TraceeEvent } from "../event/mod.ts";

/** The fields a scope can test, and what each is in an event. */
export const ScopeField = {
  /** `processName` (the kernel's comm, at most 15 bytes). */
  Comm: "comm",
  /** `userId`. */
  Uid: "uid",
  /** `hostProcessId`: the process id as the host sees it. */
  Pid: "pid",
  /** `containerId`. */
  ContainerId: "container.id",
  /** `container.image`, from the runtime. */
  ContainerImage: "container.image",
  /** `kubernetes.podNamespace`, from the runtime. */
  K8sNamespace: "k8s.ns",
  /** `kubernetes.podName`, from the runtime. */
  K8sPod: "k8s.pod",
} as const;

/** One of {@linkcode ScopeField}'s values. */
export type ScopeField = typeof ScopeField[keyof typeof ScopeField];

/** One field's test: a value passes if it is one of `include` (when any) and none of `exclude`. */
export interface ValueFilter {
  readonly field: ScopeField;
  readonly include: readonly (string | number)[];
  readonly exclude: readonly (string | number)[];
}

/** In a container (`container`) or not (`not-container`). */
export interface ContainerFilter {
  readonly field: "container";
  readonly inContainer: boolean;
}

/** One filter of a scope. */
export type ScopeFilter = ValueFilter | ContainerFilter;

/** The fields of an event's task context a scope reads before it is built. */
export interface ScopeContext {
  readonly containerId: string;
  readonly processName: string;
  readonly userId: number;
  readonly hostProcessId: number;
}

/** The fields the runtime fills in, which some filters read. */
export type ScopeDetails = Pick<
  TraceeEvent,
  "containerId" | "container" | "kubernetes"
>;

const NUMERIC: ReadonlySet<string> = new Set([ScopeField.Uid, ScopeField.Pid]);
const DETAIL_FIELDS: ReadonlySet<string> = new Set([
  ScopeField.ContainerImage,
  ScopeField.K8sNamespace,
  ScopeField.K8sPod,
]);
const FIELDS: ReadonlySet<string> = new Set(Object.values(ScopeField));
/** The kernel's comm is at most this long: a longer name never matches. */
const COMM_MAX = 15;
const MAX_VALUE = 4096;
const FILTER_REGEXP = /^([a-z0-9.]+)(!?=)(.*)$/s;
const UINT_REGEXP = /^[0-9]{1,10}$/;

/** What `--help` says of `--scope`. */
export const SCOPE_HELP =
  "only events matching this filter: container, not-container, or FIELD=V[,V...] / FIELD!=V[,V...] with FIELD one of " +
  `${
    [...FIELDS].join(", ")
  } (a value ending in * matches by prefix); repeatable, all must pass`;

/** A parsed `--scope`; see the module doc. */
export class Scope {
  /** One filter per field, in the order the fields were first given. */
  readonly filters: readonly ScopeFilter[];
  readonly #context: readonly ScopeFilter[];
  readonly #details: readonly ValueFilter[];

  /** A scope of already merged filters (see {@linkcode parseScope}). */
  constructor(filters: readonly ScopeFilter[]) {
    this.filters = Object.freeze([...filters]);
    this.#details = filters.filter((filter): filter is ValueFilter =>
      DETAIL_FIELDS.has(filter.field)
    );
    this.#context = filters.filter((filter) =>
      !DETAIL_FIELDS.has(filter.field)
    );
  }

  /** Whether every event is in scope. */
  get all(): boolean {
    return this.filters.length === 0;
  }

  /**
   * Whether the only filter is `container` or `not-container`, so that an
   * event's origin decides (a replayed line need not be parsed).
   */
  get byOriginOnly(): boolean {
    return this.filters.length === 1 && this.filters[0]!.field === "container";
  }

  /** Whether an event of `origin` passes, when {@linkcode Scope.byOriginOnly}. */
  matchesOrigin(origin: Origin): boolean {
    const filter = this.filters[0];
    return filter?.field !== "container" ||
      (origin !== Origin.Host) === filter.inContainer;
  }

  /** Whether some filter reads a field the runtime fills in (image, pod). */
  get readsDetails(): boolean {
    return this.#details.length > 0;
  }

  /** Whether the filters on task context fields pass. */
  matchesContext(context: ScopeContext): boolean {
    for (const filter of this.#context) {
      if (filter.field === "container") {
        if ((context.containerId !== "") !== filter.inContainer) return false;
      } else if (!passes(filter, contextValue(filter.field, context))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the filters on the runtime's fields pass. An event in a
   * container whose details are unknown (no `container.name`: the runtime
   * is down, or late, or does not know it) passes undecided: a scope must
   * not hide a container's events because its runtime is unavailable. An
   * event outside containers has none of these fields ("").
   */
  matchesDetails(details: ScopeDetails): boolean {
    if (details.containerId !== "" && details.container.name === undefined) {
      return true;
    }
    for (const filter of this.#details) {
      if (!passes(filter, detailValue(filter.field, details))) return false;
    }
    return true;
  }

  /** Whether an event passes every filter. */
  matches(event: TraceeEvent): boolean {
    return this.matchesContext(event) && this.matchesDetails(event);
  }
}

function contextValue(
  field: ScopeField,
  context: ScopeContext,
): string | number {
  switch (field) {
    case ScopeField.Comm:
      return context.processName;
    case ScopeField.Uid:
      return context.userId;
    case ScopeField.Pid:
      return context.hostProcessId;
    default:
      return context.containerId;
  }
}

function detailValue(field: ScopeField, details: ScopeDetails): string {
  const value = field === ScopeField.ContainerImage
    ? details.container?.image
    : field === ScopeField.K8sNamespace
    ? details.kubernetes?.podNamespace
    : details.kubernetes?.podName;
  return typeof value === "string" ? value : "";
}

function passes(filter: ValueFilter, value: string | number): boolean {
  if (
    filter.include.length > 0 && !filter.include.some((v) => same(v, value))
  ) {
    return false;
  }
  return !filter.exclude.some((v) => same(v, value));
}

function same(wanted: string | number, value: string | number): boolean {
  if (typeof wanted === "number" || typeof value === "number") {
    return wanted === value;
  }
  return wanted.endsWith("*")
    ? value.startsWith(wanted.slice(0, -1))
    : wanted === value;
}

/**
 * Parses `--scope` filters (each as given on the command line) into a
 * {@linkcode Scope}; none gives the scope of every event.
 *
 * @throws {RangeError} When a filter is malformed, names an unknown field,
 * has a value its field cannot hold, or contradicts another.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * const scope = parseScope(["container", "comm=nginx,sh", "uid!=0"]);
 * const context = { containerId: "3f2a", processName: "sh", userId: 33, hostProcessId: 7 };
 * assert.equal(scope.matchesContext(context), true);
 * assert.equal(scope.matchesContext({ ...context, userId: 0 }), false);
 * ```
 */
export function parseScope(texts: readonly string[]): Scope {
  const merged = new Map<string, ScopeFilter>();
  for (const text of texts) {
    const filter = parseFilter(text);
    const known = merged.get(filter.field);
    if (known === undefined) merged.set(filter.field, filter);
    else merged.set(filter.field, mergeFilters(known, filter, text));
  }
  return new Scope([...merged.values()]);
}

function parseFilter(text: string): ScopeFilter {
  const fail = (why: string) =>
    new RangeError(`Cannot use --scope "${text}": ${why}`);
  if (text === "container" || text === "not-container") {
    return { field: "container", inContainer: text === "container" };
  }
  const match = FILTER_REGEXP.exec(text);
  if (match === null) {
    throw fail(
      "expected container, not-container, FIELD=VALUES or FIELD!=VALUES",
    );
  }
  const [, name, operator, list] = match as unknown as [
    string,
    string,
    string,
    string,
  ];
  if (!FIELDS.has(name)) {
    throw fail(`unknown field "${name}" (known: ${[...FIELDS].join(", ")})`);
  }
  const field = name as ScopeField;
  const values = list.split(",").map((value) => parseValue(field, value, fail));
  return operator === "="
    ? { field, include: values, exclude: [] }
    : { field, include: [], exclude: values };
}

function parseValue(
  field: ScopeField,
  value: string,
  fail: (why: string) => RangeError,
): string | number {
  if (value === "") throw fail("a value is empty");
  if (value.length > MAX_VALUE) {
    throw fail(`a value is longer than ${MAX_VALUE} characters`);
  }
  if (NUMERIC.has(field)) {
    const number = Number(value);
    if (!UINT_REGEXP.test(value) || number > 0xffff_ffff) {
      throw fail(`${field} takes whole numbers from 0 to 4294967295`);
    }
    return number;
  }
  if (field === ScopeField.Comm && value.replace(/\*$/, "").length > COMM_MAX) {
    throw fail(
      `a command name is at most ${COMM_MAX} characters (the kernel's comm)`,
    );
  }
  return value;
}

function mergeFilters(
  known: ScopeFilter,
  filter: ScopeFilter,
  text: string,
): ScopeFilter {
  if (known.field === "container" || filter.field === "container") {
    const [a, b] = [known as ContainerFilter, filter as ContainerFilter];
    if (a.inContainer !== b.inContainer) {
      throw new RangeError(
        `Cannot use --scope "${text}": container and not-container exclude each other`,
      );
    }
    return known;
  }
  return {
    field: known.field,
    include: [...known.include, ...filter.include],
    exclude: [...known.exclude, ...filter.exclude],
  };
}
