# opa test cases for dropped_executable.rego.
package tracee.VGL_10_test

import data.tracee.VGL_10
import rego.v1

# The first 32 bytes of an x86-64 ELF executable and of a shell script.
elf_bytes := "f0VMRgIBAQAAAAAAAAAAAAIAPgABAAAAMBBAAAAAAAA="

script_bytes := "IyEvYmluL3NoCmN1cmwgLXMgaHR0cDovLzE5OC41MS4="

write_event(pathname, bytes) := {
	"processId": 88,
	"processName": "curl",
	"containerId": "9b2d0c7e5a4f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a19080f7e6d5c4",
	"contextFlags": {"containerStarted": true, "isCompat": false},
	"eventName": "magic_write",
	"syscall": "write",
	"returnValue": 16384,
	"args": [
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "bytes", "type": "bytes", "value": bytes},
		{"name": "dev", "type": "dev_t", "value": 44},
		{"name": "inode", "type": "unsigned long", "value": 526133},
	],
}

test_selects_container_writes if {
	VGL_10.tracee_selected_events == {{"source": "tracee", "name": "magic_write", "origin": "container"}}
}

test_elf_write_matches if {
	VGL_10.tracee_match == {"pathname": "/tmp/xmrig"} with input as write_event("/tmp/xmrig", elf_bytes)
}

test_script_write_does_not_match if {
	not VGL_10.tracee_match with input as write_event("/tmp/run.sh", script_bytes)
}

# The event without its argument `name`.
without(event, name) := object.union(event, {"args": [arg | some arg in event.args; arg.name != name]})

test_elf_write_without_pathname_matches if {
	VGL_10.tracee_match == {} with input as without(write_event("/tmp/xmrig", elf_bytes), "pathname")
}
