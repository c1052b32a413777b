# opa test cases for dynamic_code_loading.rego.
package tracee.VGL_3_test

import data.tracee.VGL_3
import rego.v1

alert_event(alert, prot, prev_prot) := {
	"processId": 7001,
	"processName": "loader",
	"eventName": "mem_prot_alert",
	"syscall": "mprotect",
	"returnValue": 0,
	"args": [
		{"name": "alert", "type": "string", "value": alert},
		{"name": "addr", "type": "void*", "value": "0x7f3a2c000000"},
		{"name": "len", "type": "size_t", "value": 8192},
		{"name": "prot", "type": "string", "value": prot},
		{"name": "prev_prot", "type": "string", "value": prev_prot},
		{"name": "pathname", "type": "const char*", "value": ""},
		{"name": "dev", "type": "dev_t", "value": 0},
		{"name": "inode", "type": "unsigned long", "value": 0},
		{"name": "ctime", "type": "u64", "value": 0},
	],
}

test_write_to_exec_matches if {
	VGL_3.tracee_match == {
		"alert": "Protection changed from W to E!",
		"prot": "PROT_READ|PROT_EXEC",
		"prev_prot": "PROT_READ|PROT_WRITE",
		"pathname": "",
	} with input as alert_event("Protection changed from W to E!", "PROT_READ|PROT_EXEC", "PROT_READ|PROT_WRITE")
}

test_exec_to_write_exec_matches if {
	VGL_3.tracee_match.alert == "Protection changed from E to W+E!" with input as alert_event("Protection changed from E to W+E!", "PROT_READ|PROT_WRITE|PROT_EXEC", "PROT_READ|PROT_EXEC")
}

test_mmap_write_exec_does_not_match if {
	not VGL_3.tracee_match with input as alert_event("Mmaped region with W+E permissions!", "PROT_READ|PROT_WRITE|PROT_EXEC", "PROT_NONE")
}

test_made_executable_does_not_match if {
	not VGL_3.tracee_match with input as alert_event("Protection changed to Executable!", "PROT_READ|PROT_EXEC", "PROT_READ")
}

# The event without its argument `name`.
without(event, name) := object.union(event, {"args": [arg | some arg in event.args; arg.name != name]})

test_alert_without_other_arguments_matches if {
	event := without(without(without(alert_event("Protection changed from W to E!", "PROT_READ|PROT_EXEC", "PROT_READ|PROT_WRITE"), "prot"), "prev_prot"), "pathname")
	VGL_3.tracee_match == {"alert": "Protection changed from W to E!"} with input as event
}
