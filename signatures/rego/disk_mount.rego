# VGL-9: a container mounts a device.
package tracee.VGL_9

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-9",
	"version": "1.0.0",
	"name": "Device mounted in a container",
	"eventName": "disk_mount",
	"description": "A process in a running container mounted a device node from /dev (security_sb_mount whose source starts with /dev/ and that is not a bind mount), e.g. the host's disk, to read or change host files. Mounts made by runc while setting the container up are excluded. Misses devices reached through a node created elsewhere (mknod /tmp/disk), mounts from the host or a container that has not started, and filesystems reached another way (nsenter, /proc/1/root). Known false positives: privileged storage containers (CSI node plugins, backup agents) that mount volumes by design.",
	"tags": ["linux", "container", "escape"],
	"properties": {
		"Severity": 3,
		"Category": "privilege-escalation",
		"Technique": "Escape to Host",
		"MITRE ATT&CK": "T1611: Escape to Host",
	},
}

tracee_selected_events contains {"source": "tracee", "name": "security_sb_mount", "origin": "container"}

ms_bind := 4096

tracee_match := object.union_n([{"device": device}, optional("mountpoint", "path"), optional("type", "type")]) if {
	device := helpers.get_tracee_argument("dev_name")
	startswith(device, "/dev/")
	not bind_mount
	not startswith(input.processName, "runc:")
}

# Without flags a bind mount cannot be told apart: the mount is reported.
bind_mount if bits.and(helpers.get_tracee_argument("flags"), ms_bind) != 0

# `{key: value}` for argument `name`, or `{}` when the event lacks it: a
# missing optional argument costs the finding a field, not the finding.
optional(key, name) := {key: value} if {
	value := helpers.get_tracee_argument(name)
} else := {}
