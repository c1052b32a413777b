# opa test cases for fileless_execution.rego.
package tracee.VGL_4_test

import data.tracee.VGL_4
import rego.v1

exec_event(container_id, cmdpath, pathname) := {
	"processId": 8810,
	"processName": "payload",
	"containerId": container_id,
	"eventName": "sched_process_exec",
	"syscall": "execveat",
	"returnValue": 0,
	"args": [
		{"name": "cmdpath", "type": "const char*", "value": cmdpath},
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "dev", "type": "dev_t", "value": 1},
		{"name": "inode", "type": "unsigned long", "value": 2048},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "inode_mode", "type": "umode_t", "value": 33279},
		{"name": "interpreter_pathname", "type": "const char*", "value": ""},
		{"name": "interpreter_dev", "type": "dev_t", "value": 0},
		{"name": "interpreter_inode", "type": "unsigned long", "value": 0},
		{"name": "interpreter_ctime", "type": "unsigned long", "value": 0},
		{"name": "argv", "type": "const char**", "value": ["payload"]},
		{"name": "interp", "type": "const char*", "value": cmdpath},
		{"name": "stdin_type", "type": "string", "value": "S_IFCHR"},
		{"name": "stdin_path", "type": "char*", "value": "/dev/pts/1"},
		{"name": "invoked_from_kernel", "type": "int", "value": 0},
		{"name": "prev_comm", "type": "const char*", "value": "python3"},
		{"name": "env", "type": "const char**", "value": []},
	],
}

test_memfd_exec_matches if {
	VGL_4.tracee_match == {"pathname": "memfd:payload"} with input as exec_event("", "/dev/fd/4", "memfd:payload")
}

test_runc_memfd_on_host_does_not_match if {
	not VGL_4.tracee_match with input as exec_event("", "/proc/self/exe", "memfd:runc_cloned:/proc/self/exe")
}

test_runc_named_memfd_in_container_matches if {
	VGL_4.tracee_match == {"pathname": "memfd:runc_cloned:/proc/self/exe"} with input as exec_event("4f1d8a52c0b3e9d7a6f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a1908", "/proc/self/exe", "memfd:runc_cloned:/proc/self/exe")
}

test_dev_shm_binary_matches if {
	VGL_4.tracee_match == {"pathname": "/dev/shm/.x/kworker"} with input as exec_event("", "/dev/shm/.x/kworker", "/dev/shm/.x/kworker")
}

test_run_shm_binary_matches if {
	VGL_4.tracee_match == {"pathname": "/run/shm/a"} with input as exec_event("", "./a", "/run/shm/a")
}

test_dev_shm_script_matches_through_cmdpath if {
	VGL_4.tracee_match == {"pathname": "/dev/shm/stage.sh"} with input as exec_event("", "/dev/shm/stage.sh", "/usr/bin/dash")
}

test_ordinary_exec_does_not_match if {
	not VGL_4.tracee_match with input as exec_event("", "/usr/bin/ls", "/usr/bin/ls")
}

test_shm_lookalike_does_not_match if {
	not VGL_4.tracee_match with input as exec_event("", "/home/dev/shm/tool", "/home/dev/shm/tool")
}
