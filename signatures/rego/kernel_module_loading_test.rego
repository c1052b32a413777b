# opa test cases for kernel_module_loading.rego.
package tracee.VGL_5_test

import data.tracee.VGL_5
import rego.v1

init_module_event := {
	"processId": 9310,
	"processName": "insmod",
	"eventName": "init_module",
	"syscall": "init_module",
	"returnValue": 0,
	"args": [
		{"name": "module_image", "type": "void*", "value": "0x7f6b3c400010"},
		{"name": "len", "type": "unsigned long", "value": 412880},
		{"name": "param_values", "type": "const char*", "value": ""},
	],
}

finit_module_event(ret) := {
	"processId": 9311,
	"processName": "modprobe",
	"eventName": "finit_module",
	"syscall": "finit_module",
	"returnValue": ret,
	"args": [
		{"name": "fd", "type": "int", "value": 3},
		{"name": "param_values", "type": "const char*", "value": "hide=1"},
		{"name": "flags", "type": "int", "value": 0},
	],
}

read_file_event(syscall, type) := {
	"processId": 9311,
	"processName": "modprobe",
	"eventName": "security_kernel_read_file",
	"syscall": syscall,
	"returnValue": 0,
	"args": [
		{"name": "pathname", "type": "const char*", "value": "/usr/lib/modules/6.18.0-1-amd64/extra/rk.ko"},
		{"name": "dev", "type": "dev_t", "value": 8388609},
		{"name": "inode", "type": "unsigned long", "value": 1310991},
		{"name": "type", "type": "string", "value": type},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
	],
}

test_init_module_matches if {
	VGL_5.tracee_match == {"syscall": "init_module", "param_values": ""} with input as init_module_event
}

test_finit_module_matches if {
	VGL_5.tracee_match == {"syscall": "finit_module", "param_values": "hide=1"} with input as finit_module_event(0)
}

test_failed_finit_module_matches if {
	VGL_5.tracee_match.syscall == "finit_module" with input as finit_module_event(-1)
}

test_module_read_inside_finit_module_is_not_reported_twice if {
	not VGL_5.tracee_match with input as read_file_event("finit_module", "kernel-module")
}

test_module_read_elsewhere_matches if {
	VGL_5.tracee_match == {"syscall": "", "pathname": "/usr/lib/modules/6.18.0-1-amd64/extra/rk.ko"} with input as read_file_event("", "kernel-module")
}

test_firmware_read_does_not_match if {
	not VGL_5.tracee_match with input as read_file_event("", "firmware")
}

# The event without its argument `name`.
without(event, name) := object.union(event, {"args": [arg | some arg in event.args; arg.name != name]})

test_init_module_without_param_values_matches if {
	VGL_5.tracee_match == {"syscall": "init_module"} with input as without(init_module_event, "param_values")
}
