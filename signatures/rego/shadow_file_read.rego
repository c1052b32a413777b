# VGL-12: the password hash files are read by something other than the
# programs that manage logins and accounts.
package tracee.VGL_12

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-12",
	"version": "1.0.0",
	"name": "Password hash file read",
	"eventName": "shadow_file_read",
	"description": "A process opened /etc/shadow, /etc/gshadow or their backups (/etc/shadow-, /etc/gshadow-) for reading, and it is not a login, authentication or account-management program (login, sshd, su, sudo, passwd, unix_chkpwd, cron, useradd and the other shadow-utils tools, ...), or it runs from outside the system binary directories. Processes are recognised by process name and, when the sensor reports it, executable path. Misses hashes read from a disk image or backup elsewhere (/var/backups), through a process that is allowed (e.g. an attacker's sudo), and via NSS or a directory service. Known false positives: the daily Debian passwd backup job (cp to /var/backups), configuration-management and backup agents, and PAM-using services not on the list (e.g. display managers other than gdm and lightdm, vsftpd, dovecot).",
	"tags": ["linux", "credential-access"],
	"properties": {
		"Severity": 3,
		"Category": "credential-access",
		"Technique": "/etc/passwd and /etc/shadow",
		"MITRE ATT&CK": "T1003.008: /etc/passwd and /etc/shadow",
	},
}

# Vigil's `args` filter gives this signature only the opens it could match
# (Tracee ignores the key); the rule below still checks each one.
tracee_selected_events contains {
	"source": "tracee", "name": "security_file_open", "origin": "*",
	"args": {"pathname": [path | some path in hash_files]},
}

hash_files := {"/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-"}

# Process names (at most 15 characters, as the kernel keeps them).
account_programs := {
	"login", "sshd", "sshd-session", "sshd-auth", "su", "sudo", "runuser",
	"passwd", "unix_chkpwd", "unix_update", "chage", "chpasswd", "chsh",
	"chfn", "expiry", "gpasswd", "newusers", "useradd", "usermod", "userdel",
	"groupadd", "groupmod", "groupdel", "grpck", "pwck", "pwconv", "pwunconv",
	"grpconv", "grpunconv", "vipw", "vigr", "adduser", "deluser", "cron",
	"crond", "atd", "systemd-sysuser", "gdm-session-wor", "lightdm", "polkitd",
	"polkit-agent-he", "(sd-pam)", "(systemd)",
}

system_binary_dirs := ["/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/lib/", "/usr/libexec/", "/lib/"]

tracee_match := {"pathname": pathname, "flags": flags} if {
	pathname := helpers.get_tracee_argument("pathname")
	pathname in hash_files
	flags := helpers.get_tracee_argument("flags")
	helpers.is_file_read(flags)
	not account_program
}

account_program if {
	input.processName in account_programs
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
