/**
 * Credentials as NATS users give them, against a real broker that requires
 * them: user and password, or a token, in the URL; a wrong one publishes
 * nothing and keeps the findings in the spool.
 */

import assert from "node:assert/strict";
import {
  ignoreNatsTests,
  type NatsServer,
  natsServer,
} from "../_helpers/nats.ts";
import { ROOT } from "../_helpers/replay.ts";
import { connectNats } from "../../src/fleet/mod.ts";
import { hostLines, runSensor } from "./_fleet.ts";

const SIGNATURES = `${ROOT}signatures/rego`;

for (
  const [kind, serverArgs, userinfo] of [
    [
      "user and password",
      ["--user", "alice", "--pass", "s3cret"],
      "alice:s3cret",
    ],
    ["a token", ["--auth", "t0ken"], "t0ken"],
  ] as const
) {
  Deno.test({
    name: `a sensor authenticates with ${kind} in the URL`,
    ignore: ignoreNatsTests(),
    async fn() {
      await using server = await natsServer({ args: [...serverArgs] });
      const lines = await hostLines(["shadow_file_read.jsonl"], "node-a", 2);
      const url = server.url.replace("nats://", `nats://${userinfo}@`);
      const sensor = await runSensor(url, server.dir, "good", lines, [
        "--signatures-dir",
        SIGNATURES,
      ]);
      assert.equal(sensor.code, 0, sensor.stderr);
      assert.match(sensor.stderr, /2 message\(s\) published to NATS/);

      const wrong = server.url.replace("nats://", "nats://mallory:guess@");
      const refused = await runSensor(wrong, server.dir, "bad", lines, [
        "--signatures-dir",
        SIGNATURES,
      ]);
      assert.equal(refused.code, 0, refused.stderr);
      assert.match(refused.stderr, /2 left in the spool/);
    },
  });
}

/** Runs openssl with `args` in `dir`; throws with its output when it fails. */
function openssl(dir: string, args: string[]): void {
  const run = new Deno.Command("openssl", { args, cwd: dir }).outputSync();
  if (!run.success) {
    throw new Error(
      `openssl ${args[0]}: ${new TextDecoder().decode(run.stderr)}`,
    );
  }
}

/** A CA, and a certificate and key it signed for `name` (an IP for the server). */
function certificates(dir: string, names: Record<string, string>): void {
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
  openssl(dir, [
    "req",
    "-x509",
    ...key,
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=vigil test CA",
  ]);
  for (const [name, extension] of Object.entries(names)) {
    openssl(dir, [
      "req",
      ...key,
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`,
    ]);
    Deno.writeTextFileSync(`${dir}/${name}.ext`, `${extension}\n`);
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "1",
      "-extfile",
      `${name}.ext`,
    ]);
  }
}

/**
 * A broker over TLS with a certificate for `subjectAltName`, signed by a fresh
 * CA in `dir` that also signs the client certificate `sensor`; with `verify`,
 * every client must present one.
 */
async function tlsBroker(
  dir: string,
  subjectAltName: string,
  verify: boolean,
): Promise<NatsServer> {
  certificates(dir, {
    server: `subjectAltName=${subjectAltName}`,
    sensor: "extendedKeyUsage=clientAuth",
  });
  return await natsServer({
    args: [
      "--tls",
      "--tlscert",
      `${dir}/server.pem`,
      "--tlskey",
      `${dir}/server.key`,
      ...(verify ? ["--tlsverify", "--tlscacert", `${dir}/ca.pem`] : []),
    ],
  });
}

Deno.test({
  name:
    "a sensor publishes over TLS with a client certificate, and one without is refused",
  ignore: ignoreNatsTests(),
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vigil-tls-" });
    try {
      await using server = await tlsBroker(dir, "IP:127.0.0.1", true);
      const url = server.url.replace("nats://", "tls://");
      const lines = await hostLines(["shadow_file_read.jsonl"], "node-a", 2);
      const ca = ["--nats-tls-ca", `${dir}/ca.pem`];
      const sensor = await runSensor(url, server.dir, "good", lines, [
        "--signatures-dir",
        SIGNATURES,
        ...ca,
        "--nats-tls-cert",
        `${dir}/sensor.pem`,
        "--nats-tls-key",
        `${dir}/sensor.key`,
      ]);
      assert.equal(sensor.code, 0, sensor.stderr);
      assert.match(sensor.stderr, /2 message\(s\) published to NATS/);

      const anonymous = await runSensor(url, server.dir, "bad", lines, [
        "--signatures-dir",
        SIGNATURES,
        ...ca,
      ]);
      // The server's TLS alert used to end the process (Deno's Node layer
      // raises it where the client has no listener).
      assert.equal(anonymous.code, 0, anonymous.stderr);
      assert.doesNotMatch(anonymous.stderr, /Uncaught|error:/);
      assert.match(anonymous.stderr, /2 left in the spool/);

      // A server whose certificate another CA signed is not trusted.
      const other = `${dir}/other`;
      Deno.mkdirSync(other);
      certificates(other, {});
      const untrusting = await runSensor(url, server.dir, "untrusting", lines, [
        "--signatures-dir",
        SIGNATURES,
        "--nats-tls-ca",
        `${other}/ca.pem`,
        "--nats-tls-cert",
        `${dir}/sensor.pem`,
        "--nats-tls-key",
        `${dir}/sensor.key`,
      ]);
      assert.equal(untrusting.code, 0, untrusting.stderr);
      assert.match(
        untrusting.stderr,
        /Cannot connect to NATS: unable to verify the first certificate/,
      );
      assert.match(untrusting.stderr, /2 left in the spool/);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a server given by IP address must have a certificate for that address",
  ignore: ignoreNatsTests(),
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vigil-tls-" });
    try {
      await using server = await tlsBroker(
        dir,
        "IP:10.9.8.7,DNS:localhost",
        false,
      );
      // Node would check "localhost", which this certificate names.
      await assert.rejects(
        connectNats({
          url: server.url.replace("nats://", "tls://"),
          tlsCa: `${dir}/ca.pem`,
          timeoutMs: 5000,
        }),
        /does not match certificate's altnames/,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
