/**
 * The fleet: sensors publish findings (and chosen base events) to NATS
 * JetStream with acknowledgements, message ids that make a retry a
 * duplicate the server drops, and a spool on disk while the broker is away;
 * collectors run the engine over every host's events from a shared durable
 * consumer; `vigil tail` follows the findings.
 *
 * @example Subjects are built from hostile names, one safe token each
 * ```ts
 * import assert from "node:assert/strict";
 * import { findingSubject } from "./mod.ts";
 *
 * assert.equal(
 *   findingSubject("web.1", "VGL-2"),
 *   "vigil.findings.web%2E1.VGL-2",
 * );
 * ```
 *
 * @example Publish findings from an engine (what `-o nats://…` does)
 * ```ts ignore
 * import { openJetStreamOutput } from "./mod.ts";
 *
 * const output = openJetStreamOutput({ url: "nats://127.0.0.1:4222", spoolDir: "/var/lib/vigil/spool" });
 * const engine = new Engine({ signatures, sandbox, output, print });
 * await engine.run(source, signal);
 * await output.close();
 * ```
 *
 * @module
 */

export * from "./collect_source.ts";
export * from "./connection.ts";
export * from "./follow.ts";
export * from "./jetstream_output.ts";
export * from "./publisher.ts";
export * from "./spool.ts";
export * from "./subjects.ts";
