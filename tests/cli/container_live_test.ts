/**
 * Container ids live, on the real kernel with a real containerd: the test's
 * own containerd runs a busybox image built here, in kubelet-style cgroups
 * (`/kubepods/besteffort/pod<uid>/<64-hex id>`), and a process in it reads
 * /etc/shadow. The built-ins' finding (VGL-12) carries the container's id and
 * `containerStarted`, for a one-command container and for a shell that lives
 * on; a signature selecting origin `container` gets the event, one selecting
 * `host` does not.
 *
 * Skipped without BPF or containerd (tools/setup.sh installs it), except
 * under CI=true or VIGIL_REQUIRE_KERNEL=1, where it fails instead.
 */
import assert from "node:assert/strict";
import { kernelAvailable } from "../_helpers/kernel.ts";
import {
  containerdInstalled,
  randomHex,
  startContainerd,
} from "../_helpers/containerd.ts";
import {
  signatureId,
  startSensor,
  tempDir,
  waitFor,
} from "../_helpers/live_sensor.ts";

const REQUIRED = Deno.env.get("CI") === "true" ||
  Deno.env.get("VIGIL_REQUIRE_KERNEL") === "1";
const BUILTINS = new URL("../../signatures", import.meta.url).pathname;
/** How long a finding may take to arrive. */
const ARRIVAL_MS = 5_000;

/** Rego signatures on opens of /etc/shadow from one origin each. */
function originSignature(id: string, origin: string): string {
  return `package vigil.test.origin_${origin}

import rego.v1

__rego_metadoc__ := {
	"id": "${id}",
	"version": "1.0.0",
	"name": "Shadow read from origin ${origin}",
	"eventName": "shadow_read_${origin}",
	"description": "Any open of /etc/shadow from origin ${origin}",
}

tracee_selected_events contains {
	"source": "tracee", "name": "security_file_open", "origin": "${origin}",
	"args": {"pathname": ["/etc/shadow"]},
}

tracee_match := true
`;
}

Deno.test({
  name:
    "a process in a containerd container reading /etc/shadow gives findings with its container id, one-command or long-lived",
  ignore: !REQUIRED && !(kernelAvailable() && containerdInstalled()),
  async fn() {
    assert.ok(kernelAvailable(), "BPF is not available");
    assert.ok(containerdInstalled(), "containerd is not installed");
    await using signatures = await tempDir();
    await Deno.writeTextFile(
      `${signatures.path}/in_container.rego`,
      originSignature("T-IN-CONTAINER", "container"),
    );
    await Deno.writeTextFile(
      `${signatures.path}/on_host.rego`,
      originSignature("T-ON-HOST", "host"),
    );
    await using containerd = await startContainerd();
    await using sensor = await startSensor([
      "-s",
      BUILTINS,
      "-s",
      signatures.path,
      "--containerd-socket",
      containerd.socket,
    ]);
    const commands = {
      "one command": ["/bin/cat", "/etc/shadow"],
      "a shell that lives on": [
        "/bin/sh",
        "-c",
        "sleep 0.5; cat /etc/shadow >/dev/null; sleep 2",
      ],
    };
    for (const [what, command] of Object.entries(commands)) {
      const id = randomHex(32);
      await containerd.runContainer(id, crypto.randomUUID(), command);
      const ofContainer = (signature: string) =>
        sensor.findings.filter((finding) =>
          signatureId(finding) === signature && finding.containerId === id
        );
      assert.ok(
        await waitFor(
          () =>
            ofContainer("VGL-12").length > 0 &&
            ofContainer("T-IN-CONTAINER").length > 0,
          ARRIVAL_MS,
        ),
        `${what}: no finding with container id ${id}; findings: ${
          JSON.stringify(
            sensor.findings.map((f) => [signatureId(f), f.containerId]),
          )
        }`,
      );
      const builtin = ofContainer("VGL-12");
      for (const finding of builtin) {
        assert.equal(finding.container.id, id, what);
        assert.equal(finding.contextFlags.containerStarted, true, what);
        assert.equal(finding.processName, "cat", what);
      }
      const pids = new Set(builtin.map((finding) => finding.hostProcessId));
      assert.deepEqual(
        sensor.findings.filter((finding) =>
          signatureId(finding) === "T-ON-HOST" &&
          pids.has(finding.hostProcessId)
        ),
        [],
        `${what}: the container's open was selected as the host's`,
      );
    }
  },
});
