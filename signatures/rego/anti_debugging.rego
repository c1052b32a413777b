# VGL-1: a process asks to be traced by its parent (ptrace PTRACE_TRACEME).
#
# Written in OPA's v0 syntax on purpose, to show that Vigil loads Tracee-era
# signatures unchanged. Test with
# `opa test --v0-compatible signatures/lib signatures/rego`.
package tracee.VGL_1

import data.tracee.helpers

__rego_metadoc__ := {
	"id": "VGL-1",
	"version": "1.0.0",
	"name": "Anti-debugging",
	"eventName": "anti_debugging",
	"description": "A process called ptrace(PTRACE_TRACEME), which malware does to stop a debugger or tracer from attaching to it. Misses other anti-debugging tricks (reading TracerPid from /proc/self/status, timing checks, PTRACE_ATTACH on a sibling). Known false positives: programs started under a debugger; the forked child of gdb and lldb-server is excluded by name, other debuggers and emulators that use PTRACE_TRACEME are reported.",
	"tags": ["linux", "defense-evasion"],
	"properties": {
		"Severity": 2,
		"Category": "defense-evasion",
		"Technique": "Debugger Evasion",
		"MITRE ATT&CK": "T1622: Debugger Evasion",
	},
}

tracee_selected_events[selector] {
	selector := {"source": "tracee", "name": "ptrace", "origin": "*"}
}

debugger_names := {"gdb", "lldb-server"}

tracee_match {
	helpers.get_tracee_argument("request") == "PTRACE_TRACEME"
	not debugger_names[input.processName]
}
