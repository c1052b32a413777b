# VGL-2: one process writes into the memory of another.
package tracee.VGL_2

import data.tracee.helpers
import rego.v1

__rego_metadoc__ := {
	"id": "VGL-2",
	"version": "1.0.0",
	"name": "Code injection",
	"eventName": "code_injection",
	"description": "A process wrote into another process's memory: ptrace PTRACE_POKETEXT or PTRACE_POKEDATA, an open for writing of /proc/<pid>/mem (or /proc/<pid>/task/<tid>/mem) of another process, or process_vm_writev to another pid. Misses injection through PTRACE_SETREGS alone, shared memory, LD_PRELOAD (see VGL-6) and writes to a process's own memory. Known false positives: debuggers setting breakpoints (gdb pokes text, and may write /proc/<pid>/mem), checkpoint/restore tools (CRIU) and live-patching agents.",
	"tags": ["linux", "process-injection"],
	"properties": {
		"Severity": 3,
		"Category": "defense-evasion",
		"Technique": "Process Injection",
		"MITRE ATT&CK": "T1055: Process Injection",
	},
}

tracee_selected_events contains {"source": "tracee", "name": "ptrace", "origin": "*"}

# Vigil's `args` filter gives this signature only the opens it could match
# (Tracee ignores the key); the rule below still checks each one.
tracee_selected_events contains {
	"source": "tracee", "name": "security_file_open", "origin": "*",
	"args": {"pathname": ["/proc/*/mem"]},
}

tracee_selected_events contains {"source": "tracee", "name": "process_vm_writev", "origin": "*"}

poke_requests := {"PTRACE_POKETEXT", "PTRACE_POKEDATA"}

tracee_match := object.union({"method": "ptrace", "request": request}, optional("target_pid", "pid")) if {
	input.eventName == "ptrace"
	request := helpers.get_tracee_argument("request")
	request in poke_requests
}

tracee_match := {"method": "proc_mem", "pathname": pathname, "flags": flags} if {
	input.eventName == "security_file_open"
	flags := helpers.get_tracee_argument("flags")
	helpers.is_file_write(flags)
	pathname := helpers.get_tracee_argument("pathname")
	target := proc_mem_target(pathname)
	not own_pid(target)
	not opened_as_self
}

tracee_match := {"method": "process_vm_writev", "target_pid": target} if {
	input.eventName == "process_vm_writev"
	target := helpers.get_tracee_argument("pid")
	not own_pid(target)
}

# The pid whose memory file `pathname` is; undefined for any other path.
# The string tests come first: OPA's wasm compiles a regex at each call.
proc_mem_target(pathname) := to_number(parts[1]) if {
	startswith(pathname, "/proc/")
	endswith(pathname, "/mem")
	parts := regex.find_all_string_submatch_n(`^/proc/([0-9]+)/(?:task/[0-9]+/)?mem$`, pathname, 1)[0]
}

# A rule, not `target != input.processId`, which an event without processId
# would make undefined.
own_pid(pid) if pid == input.processId

# /proc/self and /proc/thread-self resolve to the opener's own pid directory,
# whose number is in the pid namespace of the proc mount, not necessarily the
# opener's: trust the unresolved syscall argument when it names itself.
# A rule, not `not f(argument)`: OPA would hoist the argument out of `not`,
# and the whole match would be undefined for an event without it.
opened_as_self if regex.match(`^/proc/(?:self|thread-self)/`, helpers.get_tracee_argument("syscall_pathname"))

# `{key: value}` for argument `name`, or `{}` when the event lacks it: a
# missing optional argument costs the finding a field, not the finding.
optional(key, name) := {key: value} if {
	value := helpers.get_tracee_argument(name)
} else := {}
