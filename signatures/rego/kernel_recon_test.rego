# opa test cases for kernel_recon.rego.
package tracee.VGL_15_test

import data.tracee.VGL_15
import rego.v1

open_event(process, pathname) := {
	"processId": 412,
	"processName": process,
	"eventName": "security_file_open",
	"syscall": "openat",
	"returnValue": 0,
	"args": [
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "flags", "type": "string", "value": "O_RDONLY|O_LARGEFILE"},
		{"name": "dev", "type": "dev_t", "value": 22},
		{"name": "inode", "type": "unsigned long", "value": 4026531841},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "syscall_pathname", "type": "const char*", "value": pathname},
	],
}

test_kallsyms_read_matches if {
	VGL_15.tracee_match == {"pathname": "/proc/kallsyms"} with input as open_event("grep", "/proc/kallsyms")
}

test_kcore_read_matches if {
	VGL_15.tracee_match.pathname == "/proc/kcore" with input as open_event("dd", "/proc/kcore")
}

test_sched_debug_read_matches if {
	VGL_15.tracee_match.pathname == "/sys/kernel/debug/sched/debug" with input as open_event("cat", "/sys/kernel/debug/sched/debug")
}

test_perf_reads_kallsyms_does_not_match if {
	not VGL_15.tracee_match with input as open_event("perf", "/proc/kallsyms")
}

test_modules_list_does_not_match if {
	not VGL_15.tracee_match with input as open_event("lsmod", "/proc/modules")
}
