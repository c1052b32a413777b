# VGL-15: kernel memory or scheduler internals are read.
package tracee.VGL_15

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-15",
	"version": "1.0.0",
	"name": "Kernel memory or scheduler reconnaissance",
	"eventName": "kernel_recon",
	"description": "A process other than a kernel tracing or crash tool (perf, bpftrace, bpftool, crash, makedumpfile, kdump, gdb, by process name) opened /proc/kcore, /proc/kallsyms, /proc/sched_debug or /sys/kernel/debug/sched/debug for reading: kernel symbol addresses defeat KASLR and exploits use them to find their targets, and scheduler state reveals the host's tasks from a container. Misses /boot/System.map, /sys/kernel/debug by other paths, /dev/mem and /dev/kmem, and reads by a renamed process. Known false positives: profilers and tracers not on the list (e.g. BCC tools, systemtap, Tracee and other security agents, except the sensor itself, which does not see its own events).",
	"tags": ["linux", "discovery"],
	"properties": {
		"Severity": 2,
		"Category": "discovery",
		"Technique": "System Information Discovery",
		"MITRE ATT&CK": "T1082: System Information Discovery",
	},
}

# Vigil's `args` filter gives this signature only the opens it could match
# (Tracee ignores the key); the rule below still checks each one.
tracee_selected_events contains {
	"source": "tracee", "name": "security_file_open", "origin": "*",
	"args": {"pathname": [path | some path in kernel_files]},
}

kernel_files := {"/proc/kcore", "/proc/kallsyms", "/proc/sched_debug", "/sys/kernel/debug/sched/debug"}

kernel_tools := {"perf", "bpftrace", "bpftool", "crash", "makedumpfile", "kdump", "gdb"}

tracee_match := {"pathname": pathname} if {
	pathname := helpers.get_tracee_argument("pathname")
	pathname in kernel_files
	helpers.is_file_read(helpers.get_tracee_argument("flags"))
	not input.processName in kernel_tools
}
