# VGL-3: memory that was writable becomes executable.
package tracee.VGL_3

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-3",
	"version": "1.0.0",
	"name": "Dynamic code loading",
	"eventName": "dynamic_code_loading",
	"description": "A process made writable memory executable (mem_prot_alert: \"Protection changed from W to E!\" or \"Protection changed from E to W+E!\"), the way unpackers and in-memory loaders run code they wrote. Misses mappings created writable and executable at once by mmap (alert 1, too common in JIT runtimes to report) and code run through an interpreter. Known false positives: just-in-time compilers (JVM, V8/Node.js, .NET, LuaJIT, PyPy) and programs with text relocations.",
	"tags": ["linux", "defense-evasion"],
	"properties": {
		"Severity": 2,
		"Category": "defense-evasion",
		"Technique": "Software Packing",
		"MITRE ATT&CK": "T1027.002: Software Packing",
	},
}

tracee_selected_events contains {"source": "tracee", "name": "mem_prot_alert", "origin": "*"}

reported_alerts := {"Protection changed from W to E!", "Protection changed from E to W+E!"}

tracee_match := object.union_n([
	{"alert": alert},
	optional("prot", "prot"),
	optional("prev_prot", "prev_prot"),
	optional("pathname", "pathname"),
]) if {
	alert := helpers.get_tracee_argument("alert")
	alert in reported_alerts
}

# `{key: value}` for argument `name`, or `{}` when the event lacks it: a
# missing optional argument costs the finding a field, not the finding.
optional(key, name) := {key: value} if {
	value := helpers.get_tracee_argument(name)
} else := {}
