# VGL-10: a running container writes an executable file.
package tracee.VGL_10

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-10",
	"version": "1.0.0",
	"name": "Executable dropped in a container",
	"eventName": "dropped_executable",
	"description": "A process in a running container wrote a file starting with the ELF magic (magic_write, offset 0), i.e. a new executable or library appeared that was not in the image. Misses scripts, executables written from the host, copies that do not start at offset 0, files made by rename or hard link, and binaries unpacked into memory (see VGL-4). Known false positives: package managers, compilers and linkers run inside a running container (build and CI containers), and applications that unpack native libraries at start (e.g. Java and Python wheels extracting .so files).",
	"tags": ["linux", "container", "drift"],
	"properties": {
		"Severity": 2,
		"Category": "command-and-control",
		"Technique": "Ingress Tool Transfer",
		"MITRE ATT&CK": "T1105: Ingress Tool Transfer",
	},
}

tracee_selected_events contains {"source": "tracee", "name": "magic_write", "origin": "container"}

tracee_match := optional("pathname", "pathname") if {
	helpers.is_elf_file(helpers.get_tracee_argument("bytes"))
}

# `{key: value}` for argument `name`, or `{}` when the event lacks it: a
# missing optional argument costs the finding a field, not the finding.
optional(key, name) := {key: value} if {
	value := helpers.get_tracee_argument(name)
} else := {}
