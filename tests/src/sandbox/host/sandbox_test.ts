import assert from "node:assert/strict";
import {
  Sandbox,
  type SandboxRestart,
  type SandboxSignature,
} from "../../../../src/sandbox/mod.ts";

/** A TypeScript signature (checked CommonJS) that runs `body` per event. */
function signature(name: string, body: string): SandboxSignature {
  return {
    kind: "typescript",
    path: `/signatures/${name}.ts`,
    code: `exports.metadata = { id: "${name}" };
exports.selectedEvents = [];
exports.onEvent = (event, report) => { ${body} };`,
  };
}

const ECHO = signature("echo", "report({ n: event.n });");
const EVENTS = ['{"n":1}', '{"n":2}'];

function routes(...signatures: number[]): Map<number, number[]> {
  return new Map(signatures.map((s) => [s, [0, 1]]));
}

Deno.test("Sandbox restarts its process killed from outside mid-batch, charges no one, and answers the batch", async () => {
  const restarts: SandboxRestart[] = [];
  const slow = signature(
    "slow",
    "const end = Date.now() + 400; while (Date.now() < end); report({ n: event.n });",
  );
  const sandbox = new Sandbox({ signatures: [slow, ECHO], bundles: [] }, {
    deadlineMs: 20_000,
    onRestart: (restart) => restarts.push(restart),
  });
  try {
    const pids: number[] = [];
    sandbox.onSpawn((pid) => pids.push(pid));
    const outcomes = await sandbox.start();
    assert.deepEqual(outcomes.map((o) => o.ok), [true, true]);
    const pending = sandbox.evaluate(EVENTS, routes(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    Deno.kill(pids[0]!, "SIGKILL");
    const result = await pending;
    assert.deepEqual(result.offences, []);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(
      result.findings.map((f) => [f.signature, f.event]).sort(),
      [[0, 0], [0, 1], [1, 0], [1, 1]],
    );
    assert.equal(sandbox.restarts, 1);
    assert.equal(restarts.length, 1);
    assert.equal(restarts[0]!.signature, undefined);
    assert.match(restarts[0]!.cause, /SIGKILL/);
    assert.equal(pids.length, 2);
    assert.notEqual(pids[1], pids[0]);
  } finally {
    await sandbox.close();
  }
});

Deno.test("Sandbox charges a hanging signature, skips its share, quarantines it, and the others go on after the restart", async () => {
  const hang = signature("hang", "for (;;);");
  const sandbox = new Sandbox({ signatures: [hang, ECHO], bundles: [] }, {
    deadlineMs: 500,
    quarantineAfter: 1,
  });
  try {
    await sandbox.start();
    const first = await sandbox.evaluate(EVENTS, routes(0, 1));
    assert.deepEqual(first.offences, [{
      signature: 0,
      reason: "exceeded the 500 ms deadline",
      quarantined: true,
    }]);
    assert.deepEqual(first.failures.map((f) => [f.signature, f.event]), [
      [0, -1],
    ]);
    assert.deepEqual(first.findings.map((f) => f.signature), [1, 1]);
    assert.deepEqual([...sandbox.quarantined], [0]);
    assert.equal(sandbox.restarts, 1);
    const second = await sandbox.evaluate(EVENTS, routes(0, 1));
    assert.deepEqual(second.offences, []);
    assert.deepEqual(second.findings.map((f) => f.signature), [1, 1]);
    assert.equal(second.micros.has(0), false);
  } finally {
    await sandbox.close();
  }
});

Deno.test("Sandbox.close() resolves the batches in flight and is idempotent", async () => {
  const hang = signature("hang", "for (;;);");
  const sandbox = new Sandbox({ signatures: [hang], bundles: [] }, {
    deadlineMs: 60_000,
  });
  await sandbox.start();
  const pending = sandbox.evaluate(EVENTS, routes(0));
  await sandbox.close();
  await sandbox.close();
  const result = await pending;
  assert.deepEqual(result.findings, []);
});
