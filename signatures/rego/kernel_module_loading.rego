# VGL-5: a kernel module is loaded.
package tracee.VGL_5

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-5",
	"version": "1.0.0",
	"name": "Kernel module loading",
	"eventName": "kernel_module_loading",
	"description": "A process called init_module or finit_module (successful or not), or the kernel read a file as a kernel module outside those calls (security_kernel_read_file of type kernel-module). A finit_module call also produces a kernel-module read; that read is not reported again, so one load gives one finding. Misses modules loaded before the sensor started and eBPF programs. Known false positives: every legitimate load, e.g. modprobe run by systemd-udevd on hot-plug or by an administrator.",
	"tags": ["linux", "persistence", "rootkit"],
	"properties": {
		"Severity": 3,
		"Category": "persistence",
		"Technique": "Kernel Modules and Extensions",
		"MITRE ATT&CK": "T1547.006: Kernel Modules and Extensions",
	},
}

tracee_selected_events contains {"source": "tracee", "name": "init_module", "origin": "*"}

tracee_selected_events contains {"source": "tracee", "name": "finit_module", "origin": "*"}

tracee_selected_events contains {"source": "tracee", "name": "security_kernel_read_file", "origin": "*"}

load_syscalls := {"init_module", "finit_module"}

tracee_match := object.union({"syscall": input.eventName}, optional("param_values", "param_values")) if {
	input.eventName in load_syscalls
}

tracee_match := object.union({"syscall": input.syscall}, optional("pathname", "pathname")) if {
	input.eventName == "security_kernel_read_file"
	helpers.get_tracee_argument("type") == "kernel-module"
	not input.syscall in load_syscalls
}

# `{key: value}` for argument `name`, or `{}` when the event lacks it: a
# missing optional argument costs the finding a field, not the finding.
optional(key, name) := {key: value} if {
	value := helpers.get_tracee_argument(name)
} else := {}
