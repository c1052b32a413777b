/**
 * Turns a finding into an event, as Tracee does: context fields copied from
 * the triggering event, the signature's event id and name, its data as
 * arguments and its metadata under `metadata`.
 *
 * @module
 */

import {
  type EventArgument,
  MAX_JSON_DEPTH,
  nestedDeeperThan,
  stringifyJson,
  type TraceeEvent,
} from "../event/mod.ts";
import type { LoadedSignature } from "../model/mod.ts";

/**
 * The name of Tracee's default policy, the one a run without policy files
 * has: a finding whose trigger matched no named policy matched that one.
 */
export const DEFAULT_POLICY = "";

/**
 * Why a finding's `data` cannot be printed as given, or `undefined` when it
 * can: larger than `maxBytes` as JSON, or nested deeper than a reader of
 * Tracee JSON takes (its values stand three levels down in the finding
 * event, and Go's decoder stops at {@linkcode MAX_JSON_DEPTH}). Such data is
 * replaced by a note, never written in part. Iterative: any depth is
 * measured without recursion.
 */
export function unprintableData(
  data: Record<string, unknown>,
  maxBytes: number,
): string | undefined {
  const maxDepth = MAX_JSON_DEPTH - 2;
  if (nestedDeeperThan(data, maxDepth)) {
    return `finding data nested more than ${maxDepth} levels deep exceeded the depth limit`;
  }
  const size = stringifyJson(data).length;
  return size > maxBytes
    ? `finding data of ${size} bytes exceeded the ${maxBytes}-byte limit`
    : undefined;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Copies `record` with its keys in Go's map order (sorted). */
function sortedKeys(record: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort(byCodeUnit)) {
    sorted[key] = record[key];
  }
  return sorted;
}

function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "bigint") return "number";
  return typeof value;
}

/**
 * Builds the finding event that `signature` reported for `trigger` (an event
 * in Tracee's full shape). Its `matchedPolicies` are the trigger's, or
 * Tracee's default policy's name (`[""]`, as in Tracee's own sample output)
 * when the trigger names none.
 */
export function findingEvent(
  trigger: TraceeEvent,
  signature: LoadedSignature,
  data: true | Record<string, unknown>,
): TraceeEvent {
  const args: EventArgument[] = data === true ? [] : Object.keys(data)
    .sort(byCodeUnit)
    .map((name) => ({ name, type: jsonKind(data[name]), value: data[name] }));
  const { metadata } = signature;
  const event: TraceeEvent = {
    timestamp: trigger.timestamp,
    threadStartTime: trigger.threadStartTime,
    processorId: trigger.processorId,
    processId: trigger.processId,
    cgroupId: trigger.cgroupId,
    threadId: trigger.threadId,
    parentProcessId: trigger.parentProcessId,
    hostProcessId: trigger.hostProcessId,
    hostThreadId: trigger.hostThreadId,
    hostParentProcessId: trigger.hostParentProcessId,
    userId: trigger.userId,
    mountNamespace: trigger.mountNamespace,
    pidNamespace: trigger.pidNamespace,
    processName: trigger.processName,
    executable: trigger.executable,
    hostName: trigger.hostName,
    containerId: trigger.containerId,
    container: trigger.container ?? {},
    kubernetes: trigger.kubernetes ?? {},
    eventId: signature.eventId,
    eventName: metadata.eventName,
    argsNum: args.length,
    returnValue: trigger.returnValue,
    syscall: "",
    stackAddresses: null,
    contextFlags: trigger.contextFlags,
    threadEntityId: trigger.threadEntityId,
    processEntityId: trigger.processEntityId,
    parentEntityId: trigger.parentEntityId,
    args,
    metadata: {
      Version: metadata.version,
      Description: metadata.description,
      Tags: metadata.tags,
      Properties: sortedKeys({
        ...metadata.properties,
        signatureID: metadata.id,
        signatureName: metadata.name,
      }),
    },
  };
  const policies = trigger.matchedPolicies;
  event.matchedPolicies = policies !== undefined && policies.length > 0
    ? policies
    : [DEFAULT_POLICY];
  return event;
}
