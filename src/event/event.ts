/**
 * The event model: Tracee's event shape, as Vigil reads, routes and prints it.
 *
 * 64-bit values (`timestamp`, `threadStartTime`, `ctime`, namespace and cgroup
 * ids) may exceed `Number.MAX_SAFE_INTEGER`; wherever an exact value is held
 * it is a `bigint`, never a rounded `number`.
 *
 * @module
 */

/** An integer that may be wider than 53 bits. */
export type Int64 = number | bigint;

/** One argument of an event, in Tracee's `{name, type, value}` shape. */
export interface EventArgument {
  name: string;
  type: string;
  value: unknown;
}

/** The `container` object; empty fields are omitted from the output. */
export interface ContainerInfo {
  id?: string;
  name?: string;
  image?: string;
  imageDigest?: string;
}

/** The `kubernetes` object; empty fields are omitted from the output. */
export interface KubernetesInfo {
  podName?: string;
  podNamespace?: string;
  podUID?: string;
  podSandbox?: boolean;
}

/** Flags describing the context an event was produced in. */
export interface ContextFlags {
  containerStarted: boolean;
  isCompat: boolean;
}

/** Metadata carried by findings (signature events) only. */
export interface FindingMetadata {
  Version: string;
  Description: string;
  Tags: string[] | null;
  Properties: Record<string, unknown>;
}

/**
 * A Tracee event. Field order in this interface is the order of Tracee's JSON
 * output (see `EVENT_FIELD_ORDER`).
 */
export interface TraceeEvent {
  timestamp: Int64;
  threadStartTime: Int64;
  processorId: number;
  processId: number;
  cgroupId: Int64;
  threadId: number;
  parentProcessId: number;
  hostProcessId: number;
  hostThreadId: number;
  hostParentProcessId: number;
  userId: number;
  mountNamespace: Int64;
  pidNamespace: Int64;
  processName: string;
  executable: { path: string };
  hostName: string;
  containerId: string;
  container: ContainerInfo;
  kubernetes: KubernetesInfo;
  /**
   * The event id; printed as a JSON string, as Tracee does (so a replayed
   * event holds it as a string).
   */
  eventId: number | string;
  eventName: string;
  matchedPolicies?: string[];
  argsNum: number;
  returnValue: Int64;
  syscall: string;
  stackAddresses: Int64[] | null;
  contextFlags: ContextFlags;
  threadEntityId: number;
  processEntityId: number;
  parentEntityId: number;
  args: EventArgument[];
  metadata?: FindingMetadata;
}

/** Tracee's JSON field order. */
export const EVENT_FIELD_ORDER = [
  "timestamp",
  "threadStartTime",
  "processorId",
  "processId",
  "cgroupId",
  "threadId",
  "parentProcessId",
  "hostProcessId",
  "hostThreadId",
  "hostParentProcessId",
  "userId",
  "mountNamespace",
  "pidNamespace",
  "processName",
  "executable",
  "hostName",
  "containerId",
  "container",
  "kubernetes",
  "eventId",
  "eventName",
  "matchedPolicies",
  "argsNum",
  "returnValue",
  "syscall",
  "stackAddresses",
  "contextFlags",
  "threadEntityId",
  "processEntityId",
  "parentEntityId",
  "args",
  "metadata",
] as const satisfies readonly (keyof TraceeEvent)[];

/** Where an event happened, as signature selectors name it. */
export const Origin = {
  Host: "host",
  Container: "container",
  ContainerInit: "container-init",
} as const;

/** One of {@linkcode Origin}'s values. */
export type Origin = typeof Origin[keyof typeof Origin];

/**
 * Classifies an event as Tracee does: `container` once its container has
 * started, `container-init` inside a container that has not, else `host`.
 */
export function eventOrigin(
  containerId: string | undefined,
  containerStarted: boolean | undefined,
): Origin {
  if (containerStarted) return Origin.Container;
  if (containerId) return Origin.ContainerInit;
  return Origin.Host;
}

/** Returns the value of the argument called `name`, or `undefined`. */
export function argumentValue(
  event: Pick<TraceeEvent, "args">,
  name: string,
): unknown {
  for (const arg of event.args) {
    if (arg.name === name) return arg.value;
  }
  return undefined;
}
