# opa test cases for shadow_file_read.rego.
package tracee.VGL_12_test

import data.tracee.VGL_12
import rego.v1

open_event(process, executable, pathname, flags) := {
	"processId": 30112,
	"processName": process,
	"executable": {"path": executable},
	"eventName": "security_file_open",
	"syscall": "openat",
	"returnValue": 0,
	"args": [
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "flags", "type": "string", "value": flags},
		{"name": "dev", "type": "dev_t", "value": 8388609},
		{"name": "inode", "type": "unsigned long", "value": 1311620},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "syscall_pathname", "type": "const char*", "value": pathname},
	],
}

test_cat_reads_shadow_matches if {
	VGL_12.tracee_match == {"pathname": "/etc/shadow", "flags": "O_RDONLY|O_LARGEFILE"} with input as open_event("cat", "/usr/bin/cat", "/etc/shadow", "O_RDONLY|O_LARGEFILE")
}

test_backup_gshadow_read_matches if {
	VGL_12.tracee_match.pathname == "/etc/gshadow-" with input as open_event("python3", "", "/etc/gshadow-", "O_RDONLY|O_CLOEXEC|O_LARGEFILE")
}

test_sudo_reads_shadow_does_not_match if {
	not VGL_12.tracee_match with input as open_event("sudo", "/usr/bin/sudo", "/etc/shadow", "O_RDONLY|O_CLOEXEC|O_LARGEFILE")
}

test_unknown_executable_path_is_trusted if {
	not VGL_12.tracee_match with input as open_event("unix_chkpwd", "", "/etc/shadow", "O_RDONLY|O_CLOEXEC|O_LARGEFILE")
}

test_renamed_tool_outside_system_dirs_matches if {
	VGL_12.tracee_match with input as open_event("sudo", "/tmp/.x/sudo", "/etc/shadow", "O_RDONLY|O_LARGEFILE")
}

test_passwd_file_does_not_match if {
	not VGL_12.tracee_match with input as open_event("cat", "/usr/bin/cat", "/etc/passwd", "O_RDONLY|O_LARGEFILE")
}

test_shadow_write_only_does_not_match if {
	not VGL_12.tracee_match with input as open_event("tee", "/usr/bin/tee", "/etc/shadow", "O_WRONLY|O_APPEND|O_LARGEFILE")
}

test_event_without_executable_uses_process_name if {
	not VGL_12.tracee_match with input as object.remove(open_event("sudo", "", "/etc/shadow", "O_RDONLY|O_LARGEFILE"), ["executable"])
	VGL_12.tracee_match with input as object.remove(open_event("cat", "", "/etc/shadow", "O_RDONLY|O_LARGEFILE"), ["executable"])
}
