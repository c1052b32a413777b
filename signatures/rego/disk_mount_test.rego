# opa test cases for disk_mount.rego.
package tracee.VGL_9_test

import data.tracee.VGL_9
import rego.v1

mount_event(process, dev_name, path, type, flags) := {
	"processId": 57,
	"threadId": 57,
	"processName": process,
	"containerId": "9b2d0c7e5a4f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080f7e6d5c4",
	"contextFlags": {"containerStarted": true, "isCompat": false},
	"eventName": "security_sb_mount",
	"syscall": "mount",
	"returnValue": 0,
	"args": [
		{"name": "dev_name", "type": "const char*", "value": dev_name},
		{"name": "path", "type": "const char*", "value": path},
		{"name": "type", "type": "const char*", "value": type},
		{"name": "flags", "type": "unsigned long", "value": flags},
	],
}

test_selects_container_mounts if {
	VGL_9.tracee_selected_events == {{"source": "tracee", "name": "security_sb_mount", "origin": "container"}}
}

test_host_disk_mount_matches if {
	VGL_9.tracee_match == {"device": "/dev/sda1", "mountpoint": "/mnt/host", "type": "ext4"} with input as mount_event("mount", "/dev/sda1", "/mnt/host", "ext4", 3236757504)
}

test_nvme_mount_matches if {
	VGL_9.tracee_match.device == "/dev/nvme0n1p2" with input as mount_event("mount", "/dev/nvme0n1p2", "/tmp/r", "xfs", 0)
}

test_bind_mount_of_dev_node_does_not_match if {
	not VGL_9.tracee_match with input as mount_event("mount", "/dev/null", "/proc/kcore", "", 4096)
}

test_runc_setup_mount_does_not_match if {
	not VGL_9.tracee_match with input as mount_event("runc:[2:INIT]", "/dev/sdb", "/data", "ext4", 0)
}

test_pseudo_filesystem_does_not_match if {
	not VGL_9.tracee_match with input as mount_event("mount", "tmpfs", "/mnt/t", "tmpfs", 0)
}

# The event without its argument `name`.
without(event, name) := object.union(event, {"args": [arg | some arg in event.args; arg.name != name]})

test_mount_without_flags_path_and_type_matches if {
	event := without(without(without(mount_event("mount", "/dev/sda1", "/mnt/host", "ext4", 0), "flags"), "path"), "type")
	VGL_9.tracee_match == {"device": "/dev/sda1"} with input as event
}
