# VGL-8: a container writes a cgroup v1 release agent setting.
package tracee.VGL_8

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-8",
	"version": "1.0.0",
	"name": "Cgroup release agent modification",
	"eventName": "cgroup_release_agent",
	"description": "A process in a running container opened a cgroup v1 release_agent or notify_on_release file for writing. The release agent runs as root on the host when a cgroup empties, a known container escape. Misses writes from the host and from a container that has not started, and escapes through other host-executed hooks (core_pattern, uevent_helper). Known false positives: none expected in containers; on the host (not selected) systemd writes these files at boot.",
	"tags": ["linux", "container", "escape"],
	"properties": {
		"Severity": 4,
		"Category": "privilege-escalation",
		"Technique": "Escape to Host",
		"MITRE ATT&CK": "T1611: Escape to Host",
	},
}

# Vigil's `args` filter gives this signature only the opens it could match
# (Tracee ignores the key); the rule below still checks each one.
tracee_selected_events contains {
	"source": "tracee", "name": "security_file_open", "origin": "container",
	"args": {"pathname": ["*/release_agent", "*/notify_on_release"]},
}

tracee_match := {"pathname": pathname, "flags": flags} if {
	flags := helpers.get_tracee_argument("flags")
	helpers.is_file_write(flags)
	pathname := helpers.get_tracee_argument("pathname")
	release_setting(pathname)
}

release_setting(pathname) if endswith(pathname, "/release_agent")

release_setting(pathname) if endswith(pathname, "/notify_on_release")
