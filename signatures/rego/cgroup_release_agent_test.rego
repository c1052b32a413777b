# opa test cases for cgroup_release_agent.rego.
package tracee.VGL_8_test

import data.tracee.VGL_8
import rego.v1

open_event(pathname, flags) := {
	"processId": 41,
	"processName": "sh",
	"containerId": "9b2d0c7e5a4f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080f7e6d5c4",
	"contextFlags": {"containerStarted": true, "isCompat": false},
	"eventName": "security_file_open",
	"syscall": "openat",
	"returnValue": 0,
	"args": [
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "flags", "type": "string", "value": flags},
		{"name": "dev", "type": "dev_t", "value": 63},
		{"name": "inode", "type": "unsigned long", "value": 9},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "syscall_pathname", "type": "const char*", "value": pathname},
	],
}

test_selects_container_opens if {
	VGL_8.tracee_selected_events == {{
		"source": "tracee", "name": "security_file_open", "origin": "container",
		"args": {"pathname": ["*/release_agent", "*/notify_on_release"]},
	}}
}

test_release_agent_write_matches if {
	VGL_8.tracee_match == {"pathname": "/tmp/cgrp/release_agent", "flags": "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE"} with input as open_event("/tmp/cgrp/release_agent", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE")
}

test_notify_on_release_write_matches if {
	VGL_8.tracee_match.pathname == "/tmp/cgrp/x/notify_on_release" with input as open_event("/tmp/cgrp/x/notify_on_release", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE")
}

test_release_agent_read_does_not_match if {
	not VGL_8.tracee_match with input as open_event("/sys/fs/cgroup/memory/release_agent", "O_RDONLY|O_LARGEFILE")
}

test_other_cgroup_file_write_does_not_match if {
	not VGL_8.tracee_match with input as open_event("/sys/fs/cgroup/memory/memory.limit_in_bytes", "O_WRONLY|O_TRUNC|O_LARGEFILE")
}
