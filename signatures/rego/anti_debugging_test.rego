# opa test cases for anti_debugging.rego. This file uses `import rego.v1`,
# so it parses in v1 mode and with --v0-compatible, which the v0-syntax
# signature beside it needs.
package tracee.VGL_1_test

import data.tracee.VGL_1
import rego.v1

ptrace_event(process, request) := {
	"processId": 3121,
	"processName": process,
	"eventName": "ptrace",
	"syscall": "ptrace",
	"returnValue": 0,
	"args": [
		{"name": "request", "type": "string", "value": request},
		{"name": "pid", "type": "pid_t", "value": 0},
		{"name": "addr", "type": "void*", "value": "0x0"},
		{"name": "data", "type": "void*", "value": "0x0"},
	],
}

test_selects_ptrace_only if {
	VGL_1.tracee_selected_events == {{"source": "tracee", "name": "ptrace", "origin": "*"}}
}

test_traceme_matches if {
	VGL_1.tracee_match with input as ptrace_event("packed", "PTRACE_TRACEME")
}

test_other_request_does_not_match if {
	not VGL_1.tracee_match with input as ptrace_event("strace", "PTRACE_SEIZE")
}

test_gdb_child_does_not_match if {
	not VGL_1.tracee_match with input as ptrace_event("gdb", "PTRACE_TRACEME")
}
