# opa test cases for ssh_private_key_read.rego.
package tracee.VGL_13_test

import data.tracee.VGL_13
import rego.v1

open_event(process, executable, pathname) := {
	"processId": 30877,
	"processName": process,
	"executable": {"path": executable},
	"eventName": "security_file_open",
	"syscall": "openat",
	"returnValue": 0,
	"args": [
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "flags", "type": "string", "value": "O_RDONLY|O_LARGEFILE"},
		{"name": "dev", "type": "dev_t", "value": 8388609},
		{"name": "inode", "type": "unsigned long", "value": 1447110},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "syscall_pathname", "type": "const char*", "value": pathname},
	],
}

test_user_key_read_by_curl_matches if {
	VGL_13.tracee_match == {"pathname": "/home/alice/.ssh/id_ed25519", "flags": "O_RDONLY|O_LARGEFILE"} with input as open_event("curl", "/usr/bin/curl", "/home/alice/.ssh/id_ed25519")
}

test_root_sk_key_read_matches if {
	VGL_13.tracee_match.pathname == "/root/.ssh/id_ecdsa_sk" with input as open_event("python3", "/usr/bin/python3.11", "/root/.ssh/id_ecdsa_sk")
}

test_host_key_read_matches if {
	VGL_13.tracee_match.pathname == "/etc/ssh/ssh_host_rsa_key" with input as open_event("tar", "/usr/bin/tar", "/etc/ssh/ssh_host_rsa_key")
}

test_ssh_reads_user_key_does_not_match if {
	not VGL_13.tracee_match with input as open_event("ssh", "/usr/bin/ssh", "/home/alice/.ssh/id_ed25519")
}

test_sshd_session_reads_host_key_does_not_match if {
	not VGL_13.tracee_match with input as open_event("sshd-session", "/usr/lib/openssh/sshd-session", "/etc/ssh/ssh_host_ed25519_key")
}

test_ssh_outside_system_dirs_matches if {
	VGL_13.tracee_match with input as open_event("ssh", "/dev/shm/ssh", "/home/alice/.ssh/id_rsa")
}

test_public_key_does_not_match if {
	not VGL_13.tracee_match with input as open_event("cat", "/usr/bin/cat", "/home/alice/.ssh/id_ed25519.pub")
}

test_host_public_key_does_not_match if {
	not VGL_13.tracee_match with input as open_event("cat", "/usr/bin/cat", "/etc/ssh/ssh_host_ed25519_key.pub")
}

test_event_without_executable_uses_process_name if {
	not VGL_13.tracee_match with input as object.remove(open_event("ssh", "", "/root/.ssh/id_rsa"), ["executable"])
}
