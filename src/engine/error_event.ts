/**
 * Vigil's `signature_error` event: a signature hung or crashed its sandbox,
 * was killed, and may be quarantined. It is an event like the others, so it
 * reaches the same outputs as the findings.
 *
 * @module
 */

import { SIGNATURE_ERROR_EVENT, type TraceeEvent } from "../event/mod.ts";
import type { Offence } from "../sandbox/mod.ts";
import type { LoadedSignature } from "../model/mod.ts";

/** Now, in nanoseconds since the epoch. */
function nowNanos(): bigint {
  return BigInt(
    Math.round((performance.timeOrigin + performance.now()) * 1000),
  ) * 1000n;
}

/** The event reporting `offence` by `signature`, in Vigil's own context. */
export function signatureErrorEvent(
  signature: LoadedSignature,
  offence: Offence,
): TraceeEvent {
  const args = [
    { name: "signatureID", type: "string", value: signature.metadata.id },
    { name: "signatureName", type: "string", value: signature.metadata.name },
    { name: "path", type: "string", value: signature.path },
    { name: "error", type: "string", value: offence.reason },
    { name: "quarantined", type: "bool", value: offence.quarantined },
  ];
  const timestamp = nowNanos();
  return {
    timestamp,
    threadStartTime: 0,
    processorId: 0,
    processId: Deno.pid,
    cgroupId: 0,
    threadId: Deno.pid,
    parentProcessId: Deno.ppid,
    hostProcessId: Deno.pid,
    hostThreadId: Deno.pid,
    hostParentProcessId: Deno.ppid,
    userId: Deno.uid() ?? 0,
    mountNamespace: 0,
    pidNamespace: 0,
    processName: "vigil",
    executable: { path: Deno.execPath() },
    hostName: Deno.hostname().slice(0, 15),
    containerId: "",
    container: {},
    kubernetes: {},
    eventId: SIGNATURE_ERROR_EVENT.id,
    eventName: SIGNATURE_ERROR_EVENT.name,
    argsNum: args.length,
    returnValue: 0,
    syscall: "",
    stackAddresses: null,
    contextFlags: { containerStarted: false, isCompat: false },
    threadEntityId: 0,
    processEntityId: 0,
    parentEntityId: 0,
    args,
  };
}
