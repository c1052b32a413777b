# VGL-6: the dynamic linker is told to load a library of the attacker's.
package tracee.VGL_6

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-6",
	"version": "1.0.0",
	"name": "Dynamic linker hijacking",
	"eventName": "ld_preload",
	"description": "A program was started with LD_PRELOAD naming a library other than a few well-known system ones (fakeroot, eatmydata, jemalloc, tcmalloc, faketime, sanitizer runtimes, in a system library directory or given by bare name), or with LD_LIBRARY_PATH pointing into /tmp, /var/tmp, /dev/shm or /run/shm; or /etc/ld.so.preload was opened for writing. The environment is read from sched_process_exec's env, which the sensor fills only when exec environments are captured. Misses LD_AUDIT and other loader variables, libraries planted in system directories, LD_LIBRARY_PATH pointing elsewhere and /etc/ld.so.preload replaced by rename. Known false positives: profilers, memory debuggers and shims preloaded from non-system paths (e.g. /opt or a build tree).",
	"tags": ["linux", "persistence", "defense-evasion"],
	"properties": {
		"Severity": 3,
		"Category": "persistence",
		"Technique": "Dynamic Linker Hijacking",
		"MITRE ATT&CK": "T1574.006: Dynamic Linker Hijacking",
	},
}

tracee_selected_events contains {"source": "tracee", "name": "sched_process_exec", "origin": "*"}

# Vigil's `args` filter gives this signature only the opens it could match
# (Tracee ignores the key); the rule below still checks each one.
tracee_selected_events contains {
	"source": "tracee", "name": "security_file_open", "origin": "*",
	"args": {"pathname": ["/etc/ld.so.preload"]},
}

tracee_match := {"variables": found} if {
	input.eventName == "sched_process_exec"
	env := helpers.get_tracee_argument("env")
	is_array(env)
	found := [entry | some entry in env; suspicious_variable(entry)]
	count(found) > 0
}

tracee_match := {"pathname": pathname, "flags": flags} if {
	input.eventName == "security_file_open"
	pathname := helpers.get_tracee_argument("pathname")
	pathname == "/etc/ld.so.preload"
	flags := helpers.get_tracee_argument("flags")
	helpers.is_file_write(flags)
}

# ld.so splits LD_PRELOAD on colons and spaces.
suspicious_variable(entry) if {
	startswith(entry, "LD_PRELOAD=")
	value := substring(entry, count("LD_PRELOAD="), -1)
	some library in split(replace(value, " ", ":"), ":")
	library != ""
	not expected_preload(library)
}

suspicious_variable(entry) if {
	startswith(entry, "LD_LIBRARY_PATH=")
	some dir in split(substring(entry, count("LD_LIBRARY_PATH="), -1), ":")
	temporary_dir(dir)
}

preload_name_prefixes := [
	"libfakeroot", "libeatmydata", "libjemalloc", "libtcmalloc", "libfaketime",
	"libasan", "libtsan", "libubsan", "liblsan",
]

system_lib_dirs := ["/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"]

expected_preload(library) if {
	parts := split(library, "/")
	name := parts[count(parts) - 1]
	some prefix in preload_name_prefixes
	startswith(name, prefix)
	trusted_location(library)
}

# A bare name is looked up in the system library path.
trusted_location(library) if not contains(library, "/")

trusted_location(library) if {
	some dir in system_lib_dirs
	startswith(library, dir)
}

temporary_dirs := ["/tmp", "/var/tmp", "/dev/shm", "/run/shm"]

temporary_dir(dir) if {
	some tmp in temporary_dirs
	dir == tmp
}

temporary_dir(dir) if {
	some tmp in temporary_dirs
	startswith(dir, concat("", [tmp, "/"]))
}
