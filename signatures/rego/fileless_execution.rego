# VGL-4: a program runs from memory or from a memory-backed directory.
package tracee.VGL_4

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-4",
	"version": "1.0.0",
	"name": "Fileless execution",
	"eventName": "fileless_execution",
	"description": "A program was executed from an anonymous memory file (memfd_create, the binary path starts with memfd:) or from /dev/shm or /run/shm, where it leaves nothing on disk. On the host, runc re-executing itself from memfd:runc_cloned is expected and not reported. Misses scripts passed as an argument to an interpreter (python3 /dev/shm/x.py), other tmpfs mounts (/tmp, /run/user) and code loaded into a running process. Known false positives: software that deliberately runs sealed copies of itself from memfd (some container runtimes and self-updaters).",
	"tags": ["linux", "defense-evasion"],
	"properties": {
		"Severity": 3,
		"Category": "defense-evasion",
		"Technique": "Reflective Code Loading",
		"MITRE ATT&CK": "T1620: Reflective Code Loading",
	},
}

tracee_selected_events contains {"source": "tracee", "name": "sched_process_exec", "origin": "*"}

# pathname is the binary (the interpreter, for a script); cmdpath is the path
# given to exec, so a script kept in /dev/shm is caught through it.
tracee_match := {"pathname": pathname} if {
	pathname := helpers.get_tracee_argument("pathname")
	startswith(pathname, "memfd:")
	not runc_on_host(pathname)
} else := {"pathname": pathname} if {
	pathname := helpers.get_tracee_argument("pathname")
	in_shm(pathname)
} else := {"pathname": cmdpath} if {
	cmdpath := helpers.get_tracee_argument("cmdpath")
	in_shm(cmdpath)
}

in_shm(path) if startswith(path, "/dev/shm/")

in_shm(path) if startswith(path, "/run/shm/")

runc_on_host(pathname) if {
	input.containerId == ""
	startswith(pathname, "memfd:runc_cloned")
}
