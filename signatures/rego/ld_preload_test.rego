# opa test cases for ld_preload.rego.
package tracee.VGL_6_test

import data.tracee.VGL_6
import rego.v1

exec_event(env) := {
	"processId": 10422,
	"processName": "sshd",
	"eventName": "sched_process_exec",
	"syscall": "execve",
	"returnValue": 0,
	"args": [
		{"name": "cmdpath", "type": "const char*", "value": "/usr/sbin/sshd"},
		{"name": "pathname", "type": "const char*", "value": "/usr/sbin/sshd"},
		{"name": "dev", "type": "dev_t", "value": 8388609},
		{"name": "inode", "type": "unsigned long", "value": 1049211},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "inode_mode", "type": "umode_t", "value": 33261},
		{"name": "interpreter_pathname", "type": "const char*", "value": "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
		{"name": "interpreter_dev", "type": "dev_t", "value": 8388609},
		{"name": "interpreter_inode", "type": "unsigned long", "value": 1050020},
		{"name": "interpreter_ctime", "type": "unsigned long", "value": 1795600000000000000},
		{"name": "argv", "type": "const char**", "value": ["/usr/sbin/sshd", "-D"]},
		{"name": "interp", "type": "const char*", "value": "/usr/sbin/sshd"},
		{"name": "stdin_type", "type": "string", "value": "S_IFCHR"},
		{"name": "stdin_path", "type": "char*", "value": "/dev/null"},
		{"name": "invoked_from_kernel", "type": "int", "value": 0},
		{"name": "prev_comm", "type": "const char*", "value": "bash"},
		{"name": "env", "type": "const char**", "value": env},
	],
}

open_event(pathname, flags) := {
	"processId": 10423,
	"processName": "bash",
	"eventName": "security_file_open",
	"syscall": "openat",
	"returnValue": 0,
	"args": [
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "flags", "type": "string", "value": flags},
		{"name": "dev", "type": "dev_t", "value": 8388609},
		{"name": "inode", "type": "unsigned long", "value": 1311002},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "syscall_pathname", "type": "const char*", "value": pathname},
	],
}

test_preload_from_tmp_matches if {
	VGL_6.tracee_match == {"variables": ["LD_PRELOAD=/tmp/.l/libhook.so"]} with input as exec_event(["PATH=/usr/bin:/bin", "LD_PRELOAD=/tmp/.l/libhook.so", "HOME=/root"])
}

test_one_bad_preload_entry_matches if {
	VGL_6.tracee_match == {"variables": ["LD_PRELOAD=libeatmydata.so /opt/x/hook.so"]} with input as exec_event(["LD_PRELOAD=libeatmydata.so /opt/x/hook.so"])
}

test_library_path_in_dev_shm_matches if {
	VGL_6.tracee_match == {"variables": ["LD_LIBRARY_PATH=/usr/local/lib:/dev/shm"]} with input as exec_event(["LD_LIBRARY_PATH=/usr/local/lib:/dev/shm"])
}

test_both_variables_are_reported_together if {
	VGL_6.tracee_match == {"variables": ["LD_LIBRARY_PATH=/var/tmp/lib", "LD_PRELOAD=/var/tmp/lib/x.so"]} with input as exec_event(["LD_LIBRARY_PATH=/var/tmp/lib", "LD_PRELOAD=/var/tmp/lib/x.so"])
}

test_fakeroot_does_not_match if {
	not VGL_6.tracee_match with input as exec_event([
		"LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/libfakeroot:/usr/lib64/libfakeroot",
		"LD_PRELOAD=libfakeroot-sysv.so",
		"FAKEROOTKEY=1183746",
	])
}

test_system_jemalloc_does_not_match if {
	not VGL_6.tracee_match with input as exec_event(["LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"])
}

test_allowed_name_outside_system_dirs_matches if {
	VGL_6.tracee_match with input as exec_event(["LD_PRELOAD=/tmp/libjemalloc.so.2"])
}

test_library_path_elsewhere_does_not_match if {
	not VGL_6.tracee_match with input as exec_event(["LD_LIBRARY_PATH=/opt/app/lib:/home/dev/tmp/lib"])
}

test_empty_env_does_not_match if {
	not VGL_6.tracee_match with input as exec_event([])
}

test_preload_file_write_matches if {
	VGL_6.tracee_match == {"pathname": "/etc/ld.so.preload", "flags": "O_WRONLY|O_CREAT|O_APPEND|O_LARGEFILE"} with input as open_event("/etc/ld.so.preload", "O_WRONLY|O_CREAT|O_APPEND|O_LARGEFILE")
}

test_preload_file_read_does_not_match if {
	not VGL_6.tracee_match with input as open_event("/etc/ld.so.preload", "O_RDONLY|O_CLOEXEC|O_LARGEFILE")
}

test_other_file_write_does_not_match if {
	not VGL_6.tracee_match with input as open_event("/etc/ld.so.conf.d/x.conf", "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE")
}
