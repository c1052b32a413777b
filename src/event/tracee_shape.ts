/**
 * Cheap tests that a line of JSON already has Tracee's shape, or lacks only
 * members that then take Tracee's zero values, so that it can reach
 * signatures without being parsed and normalised (see `normalise.ts`): an
 * anchored regular expression over the members before `args`, about a fifth
 * of the cost of parsing the line.
 *
 * @module
 */

/** A JSON string, whatever it holds (unrolled: no backtracking per char). */
const STRING = String.raw`"[^"\\]*(?:\\.[^"\\]*)*"`;
/** A non-empty JSON string: Go leaves an empty `omitempty` member out. */
const NON_EMPTY = String.raw`"(?=[^"])[^"\\]*(?:\\.[^"\\]*)*"`;
const INT = String.raw`-?\d+`;
const UINT = String.raw`\d+`;
const BOOL = "(?:true|false)";

/** An object of zero or more members matching `member`. */
function object(member: string): string {
  return String.raw`\{(?:(?:${member})(?:,(?:${member}))*)?\}`;
}

/** A member of Tracee's event before `args`: its name, value, zero value. */
interface Member {
  name: string;
  /** What its value may be, as a regular expression. */
  value: string;
  /** Its value as `normalise.ts` gives it when the line has none. */
  zero: string;
}

/**
 * Every member of Tracee's event from `timestamp` to `args`, in Tracee's
 * order, each of Tracee's type, and none that Go would leave out (an empty
 * `container` member, an empty `matchedPolicies`, which follows `eventName`).
 */
const MEMBERS: readonly Member[] = [
  { name: "timestamp", value: INT, zero: "0" },
  { name: "threadStartTime", value: INT, zero: "0" },
  { name: "processorId", value: INT, zero: "0" },
  { name: "processId", value: INT, zero: "0" },
  { name: "cgroupId", value: UINT, zero: "0" },
  { name: "threadId", value: INT, zero: "0" },
  { name: "parentProcessId", value: INT, zero: "0" },
  { name: "hostProcessId", value: INT, zero: "0" },
  { name: "hostThreadId", value: INT, zero: "0" },
  { name: "hostParentProcessId", value: INT, zero: "0" },
  { name: "userId", value: INT, zero: "0" },
  { name: "mountNamespace", value: INT, zero: "0" },
  { name: "pidNamespace", value: INT, zero: "0" },
  { name: "processName", value: STRING, zero: '""' },
  {
    name: "executable",
    value: String.raw`\{"path":${STRING}\}`,
    zero: '{"path":""}',
  },
  { name: "hostName", value: STRING, zero: '""' },
  { name: "containerId", value: STRING, zero: '""' },
  {
    name: "container",
    value: object(`"(?:id|name|image|imageDigest)":${NON_EMPTY}`),
    zero: "{}",
  },
  {
    name: "kubernetes",
    value: object(
      `"(?:podName|podNamespace|podUID)":${NON_EMPTY}|"podSandbox":true`,
    ),
    zero: "{}",
  },
  { name: "eventId", value: `"${INT}"`, zero: '"0"' },
  {
    name: "eventName",
    value: NON_EMPTY +
      String.raw`(?:,"matchedPolicies":\[${STRING}(?:,${STRING})*\])?`,
    zero: "",
  },
  { name: "argsNum", value: INT, zero: "0" },
  { name: "returnValue", value: INT, zero: "0" },
  { name: "syscall", value: STRING, zero: '""' },
  {
    name: "stackAddresses",
    value: String.raw`(?:null|\[(?:${UINT}(?:,${UINT})*)?\])`,
    zero: "null",
  },
  {
    name: "contextFlags",
    value: String
      .raw`\{"containerStarted":${BOOL},"isCompat":${BOOL}\}`,
    zero: '{"containerStarted":false,"isCompat":false}',
  },
  { name: "threadEntityId", value: UINT, zero: "0" },
  { name: "processEntityId", value: UINT, zero: "0" },
  { name: "parentEntityId", value: UINT, zero: "0" },
];

const ARGS_OPENING = '"args":[';
const NULL_ARGS_ENDING = ',"args":null}';

const TRACEE_SHAPE_REGEXP = new RegExp(
  "^\\{" +
    MEMBERS.map(({ name, value }) => `"${name}":${value},`).join("") +
    String.raw`"args":\[`,
);

/**
 * The same members, each but `eventName` optional, each captured (as
 * `"name":value`) when present.
 */
const SPARSE_SHAPE_REGEXP = new RegExp(
  "^\\{" +
    MEMBERS.map(({ name, value }) =>
      name === "eventName"
        ? `("${name}":${value}),`
        : `(?:("${name}":${value}),)?`
    ).join("") +
    String.raw`"args":\[`,
);

/**
 * A surrogate written as an escape: Go never writes one, and a lone one (which
 * OPA's parser refuses) must be read as U+FFFD, as Go's decoder reads it.
 */
const SURROGATE_ESCAPE_REGEXP = /\\u[dD][89a-fA-F]/;

/**
 * Whether `json` holds every member of Tracee's event, in Tracee's order and
 * of Tracee's types, up to `args` (whose items are not looked at), and no
 * surrogate escape. A line that passes is not known to be valid JSON: it is
 * checked when parsed.
 */
export function hasTraceeShape(json: string): boolean {
  return TRACEE_SHAPE_REGEXP.test(json) && !SURROGATE_ESCAPE_REGEXP.test(json);
}

/** By the absent members' names joined: a search for any of them as a key. */
const absentKeySearches = new Map<string, RegExp>();

/** Whether `json` holds a key named one of `names` at or after `from`. */
function namesAnyKey(json: string, names: readonly string[], from: number) {
  const key = names.join("|");
  let search = absentKeySearches.get(key);
  if (search === undefined) {
    // A quote inside a string is escaped: `"name":` is only ever a key.
    search = new RegExp(`"(?:${key})":`, "g");
    absentKeySearches.set(key, search);
  }
  search.lastIndex = from;
  return search.test(json);
}

/**
 * `json` in Tracee's full shape without parsing it: as it is when
 * {@linkcode hasTraceeShape}; else, when it is in that shape but for members
 * it lacks (`args` included, or its last member `"args":null`), with those
 * members added, holding Tracee's zero values (as `normalise.ts` gives them). `undefined` for any other
 * line, and for a line with a key named as a lacking member after `args`
 * (where Go would read it): such a line must be parsed. Like
 * `hasTraceeShape`, this does not prove the line valid JSON.
 */
export function traceeShapedJson(json: string): string | undefined {
  // Complete lines, the usual case, are tested without captures.
  if (TRACEE_SHAPE_REGEXP.test(json)) {
    return SURROGATE_ESCAPE_REGEXP.test(json) ? undefined : json;
  }
  if (SURROGATE_ESCAPE_REGEXP.test(json)) return undefined;
  let text = json;
  let match = SPARSE_SHAPE_REGEXP.exec(text);
  if (match === null && json.endsWith(NULL_ARGS_ENDING)) {
    // Go writes a nil list as null: Tracee's zero value for it is `[]`.
    text = `${json.slice(0, -NULL_ARGS_ENDING.length)},${ARGS_OPENING}]}`;
    match = SPARSE_SHAPE_REGEXP.exec(text);
  } else if (
    match === null && json.endsWith("}") && !json.includes('"args":')
  ) {
    text = `${json.slice(0, -1)},${ARGS_OPENING}]}`;
    match = SPARSE_SHAPE_REGEXP.exec(text);
  }
  if (match === null) return undefined;
  const absent: string[] = [];
  for (let i = 0; i < MEMBERS.length; i++) {
    if (match[i + 1] === undefined) absent.push(MEMBERS[i]!.name);
  }
  const args = match[0].length - ARGS_OPENING.length;
  if (namesAnyKey(text, absent, args)) return undefined;
  let shaped = "{";
  for (let i = 0; i < MEMBERS.length; i++) {
    const member = match[i + 1];
    shaped += member === undefined
      ? `"${MEMBERS[i]!.name}":${MEMBERS[i]!.zero},`
      : `${member},`;
  }
  return shaped + text.slice(args);
}

/**
 * A function giving the JSON of an event in Tracee's shape (as
 * {@linkcode traceeShapedJson} gives it) with only the members named in
 * `fields`, in Tracee's order: the input of signatures that read only those.
 * `undefined` when `fields` names a member after `args` (`metadata`, or one
 * Tracee's event does not have), which it does not cut.
 */
export function eventProjection(
  fields: readonly string[],
): ((json: string) => string) | undefined {
  const kept = new Set(fields);
  const keepArgs = kept.delete("args");
  const indexes = MEMBERS.flatMap((member, i) =>
    kept.delete(member.name) ? [i + 1] : []
  );
  if (kept.size > 0) return undefined;
  return (json) => {
    const match = SPARSE_SHAPE_REGEXP.exec(json);
    if (match === null) return json;
    let projected = "";
    for (const i of indexes) {
      const member = match[i];
      // Absent only from a line that traceeShapedJson did not give.
      if (member === undefined) return json;
      projected += `${projected ? "," : "{"}${member}`;
    }
    if (!keepArgs) return `${projected || "{"}}`;
    const args = json.slice(match[0].length - ARGS_OPENING.length);
    return `${projected ? `${projected},` : "{"}${args}`;
  };
}
