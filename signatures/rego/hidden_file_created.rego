# VGL-14: a hidden file appears in a system directory.
package tracee.VGL_14

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-14",
	"version": "1.0.0",
	"name": "Hidden file created in a system directory",
	"eventName": "hidden_file_created",
	"description": "A file was opened with O_CREAT for writing under a system directory (/bin, /sbin, /lib*, /usr/bin, /usr/sbin, /usr/lib*, /usr/libexec, /usr/local/bin, /usr/local/sbin, /usr/local/lib, /etc, /boot, /dev, including /dev/shm) and its name, or a directory on the way to it, starts with a dot. Hidden directories are thus seen when a file is created in them. Not reported: package managers (dpkg, rpm, apk, pip and npm by process name), node_modules trees, vim swap files (.name.swp), Emacs lock files and systemd's atomic-write temporary files (both a dot and a number sign), /etc/.pwd.lock (the shadow-utils lock), systemd's /etc/.updated, and Chromium's /dev/shm/.org.chromium.* segments. Misses empty hidden directories (mkdir is not selected), files renamed to a hidden name, hard links, and a process that merely renames itself to a package manager's name. Known false positives: other software that ships or creates dotfiles in those trees (e.g. /etc/skel written by a tool other than the package manager, etckeeper's /etc/.git, Ansible's atomic writes through hidden temporary files).",
	"tags": ["linux", "defense-evasion"],
	"properties": {
		"Severity": 2,
		"Category": "defense-evasion",
		"Technique": "Hidden Files and Directories",
		"MITRE ATT&CK": "T1564.001: Hidden Files and Directories",
	},
}

# Vigil's `args` filter gives this signature only the opens it could match
# (Tracee ignores the key); the rule below still checks each one.
tracee_selected_events contains {
	"source": "tracee", "name": "security_file_open", "origin": "*",
	"args": {"pathname": ["*/.*"], "flags": ["*O_CREAT*"]},
}

system_dirs := [
	"/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/",
	"/usr/bin/", "/usr/sbin/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/",
	"/usr/libexec/", "/usr/local/bin/", "/usr/local/sbin/", "/usr/local/lib/",
	"/etc/", "/boot/", "/dev/",
]

package_managers := {"dpkg", "rpm", "apk", "pip", "pip3", "npm"}

expected_files := {"/etc/.pwd.lock", "/etc/.updated"}

tracee_match := {"pathname": pathname, "flags": flags} if {
	flags := helpers.get_tracee_argument("flags")
	helpers.is_file_write(flags)
	contains(flags, "O_CREAT")
	pathname := helpers.get_tracee_argument("pathname")
	some dir in system_dirs
	startswith(pathname, dir)
	some name in split(substring(pathname, count(dir), -1), "/")
	hidden(name)
	not expected(pathname)
	not input.processName in package_managers
}

hidden(name) if {
	startswith(name, ".")
	not name in {".", ".."}
}

expected(pathname) if pathname in expected_files

expected(pathname) if contains(pathname, "/node_modules/")

expected(pathname) if startswith(pathname, "/dev/shm/.org.chromium.")

# vim swap files (.name.swp, .swo, ... .swa).
expected(pathname) if regex.match(`/\.[^/]+\.sw[a-p]$`, pathname)

# Emacs lock files and systemd's temporary files: a dot, a number sign
# (\x23), then the file name.
expected(pathname) if regex.match(`/\.\x23[^/]+$`, pathname)
