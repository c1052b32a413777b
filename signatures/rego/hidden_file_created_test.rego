# opa test cases for hidden_file_created.rego.
package tracee.VGL_14_test

import data.tracee.VGL_14
import rego.v1

create_event(process, pathname) := {
	"processId": 31990,
	"processName": process,
	"eventName": "security_file_open",
	"syscall": "openat",
	"returnValue": 0,
	"args": [
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "flags", "type": "string", "value": "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE"},
		{"name": "dev", "type": "dev_t", "value": 8388609},
		{"name": "inode", "type": "unsigned long", "value": 1573001},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "syscall_pathname", "type": "const char*", "value": pathname},
	],
}

test_hidden_file_in_usr_lib_matches if {
	VGL_14.tracee_match == {"pathname": "/usr/lib/.cache-x", "flags": "O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE"} with input as create_event("curl", "/usr/lib/.cache-x")
}

test_file_in_hidden_dir_matches if {
	VGL_14.tracee_match.pathname == "/etc/.d/cron.sh" with input as create_event("bash", "/etc/.d/cron.sh")
}

test_hidden_file_in_dev_shm_matches if {
	VGL_14.tracee_match.pathname == "/dev/shm/.ICE-unix-x" with input as create_event("sh", "/dev/shm/.ICE-unix-x")
}

test_open_without_create_does_not_match if {
	not VGL_14.tracee_match with input as object.union(create_event("bash", "/etc/.hidden"), {"args": [
		{"name": "pathname", "type": "const char*", "value": "/etc/.hidden"},
		{"name": "flags", "type": "string", "value": "O_WRONLY|O_TRUNC|O_LARGEFILE"},
	]})
}

test_hidden_file_in_home_does_not_match if {
	not VGL_14.tracee_match with input as create_event("bash", "/home/alice/.bash_history")
}

test_dpkg_does_not_match if {
	not VGL_14.tracee_match with input as create_event("dpkg", "/etc/skel/.bashrc.dpkg-new")
}

test_shadow_lock_does_not_match if {
	not VGL_14.tracee_match with input as create_event("useradd", "/etc/.pwd.lock")
}

test_vim_swap_file_does_not_match if {
	not VGL_14.tracee_match with input as create_event("vim", "/etc/.hosts.swp")
}

test_emacs_lock_file_does_not_match if {
	not VGL_14.tracee_match with input as create_event("emacs", "/etc/.#hosts")
}

test_node_modules_does_not_match if {
	not VGL_14.tracee_match with input as create_event("node", "/usr/lib/node_modules/corepack/node_modules/.bin/x")
}

test_visible_file_does_not_match if {
	not VGL_14.tracee_match with input as create_event("bash", "/etc/motd")
}
