/** A loaded signature for engine unit tests, without loading one. */

import type { LoadedSignature } from "../../../src/model/mod.ts";

/** A TypeScript signature at sandbox index `index`, with plain metadata. */
export function loadedSignature(
  index: number,
  metadata: Partial<LoadedSignature["metadata"]> = {},
): LoadedSignature {
  return {
    index,
    path: `/signatures/s${index}.ts`,
    kind: "typescript",
    metadata: {
      id: `TEST-${index}`,
      version: "1",
      name: `Test ${index}`,
      eventName: `test_${index}`,
      description: "",
      tags: null,
      properties: {},
      ...metadata,
    },
    selectors: [],
    eventId: 6000 + index,
  };
}
