# VGL-13: SSH private keys read by something other than the SSH tools.
package tracee.VGL_13

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-13",
	"version": "1.0.0",
	"name": "SSH private key read",
	"eventName": "ssh_private_key_read",
	"description": "A process other than the OpenSSH programs (ssh, sshd, sshd-session, sshd-auth, ssh-add, ssh-agent, ssh-keygen, ssh-keysign, or any of them outside the system binary directories) opened for reading an SSH host key (/etc/ssh/ssh_host_*_key) or a user key with a default name (~/.ssh/id_rsa, id_ecdsa, id_ed25519, id_dsa and their -sk variants, for root and users under /home). Processes are recognised by process name and, when the sensor reports it, executable path. Misses keys with other names or places, keys read through ssh-agent, and copies. Known false positives: backup agents, configuration management (e.g. host-key distribution), other SSH implementations (dropbear, libssh-based clients such as some git or Ansible setups, PuTTY tools) and users viewing their own keys with an editor.",
	"tags": ["linux", "credential-access"],
	"properties": {
		"Severity": 3,
		"Category": "credential-access",
		"Technique": "Private Keys",
		"MITRE ATT&CK": "T1552.004: Private Keys",
	},
}

# Vigil's `args` filter gives this signature only the opens it could match
# (Tracee ignores the key); the rule below still checks each one.
tracee_selected_events contains {
	"source": "tracee", "name": "security_file_open", "origin": "*",
	"args": {"pathname": ["/etc/ssh/ssh_host_*", "*/.ssh/id_*"]},
}

ssh_programs := {
	"ssh", "sshd", "sshd-session", "sshd-auth", "ssh-add", "ssh-agent",
	"ssh-keygen", "ssh-keysign",
}

system_binary_dirs := ["/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/lib/", "/usr/libexec/"]

tracee_match := {"pathname": pathname, "flags": flags} if {
	pathname := helpers.get_tracee_argument("pathname")
	private_key(pathname)
	flags := helpers.get_tracee_argument("flags")
	helpers.is_file_read(flags)
	not ssh_program
}

# The string tests come first: OPA's wasm compiles a regex at each call.
private_key(pathname) if {
	startswith(pathname, "/etc/ssh/ssh_host_")
	regex.match(`^/etc/ssh/ssh_host_[a-z0-9]+_key$`, pathname)
}

private_key(pathname) if {
	contains(pathname, "/.ssh/id_")
	regex.match(`^(?:/root|/home/[^/]+)/\.ssh/id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$`, pathname)
}

ssh_program if {
	input.processName in ssh_programs
	trusted_executable(executable_path)
}

# An event without `executable` is treated as one whose path is unknown.
default executable_path := ""

executable_path := input.executable.path

# An empty path means the sensor does not track executables.
trusted_executable("")

trusted_executable(path) if {
	some dir in system_binary_dirs
	startswith(path, dir)
}
