/**
 * Program-start events for the SDK's tests.
 *
 * @module
 */

import type { TraceeEvent } from "../../../src/event/event.ts";
import { tracee } from "../../_helpers/replay.ts";

/** A start event of process `pid` at `time`, returning `returnValue`. */
export function startEvent(
  eventName: string,
  pid: number,
  time: bigint,
  returnValue = 0,
): TraceeEvent {
  return tracee(eventName, [["pathname", "const char*", "/bin/true"]], {
    hostProcessId: pid,
    timestamp: time,
    returnValue,
  }) as unknown as TraceeEvent;
}
