# opa test cases for code_injection.rego.
package tracee.VGL_2_test

import data.tracee.VGL_2
import rego.v1

ptrace_event(request, pid) := {
	"processId": 5120,
	"processName": "injector",
	"eventName": "ptrace",
	"syscall": "ptrace",
	"returnValue": 0,
	"args": [
		{"name": "request", "type": "string", "value": request},
		{"name": "pid", "type": "pid_t", "value": pid},
		{"name": "addr", "type": "void*", "value": "0x55d4c2a01000"},
		{"name": "data", "type": "void*", "value": "0x9090909090909090"},
	],
}

open_event(pathname, flags, raw) := {
	"processId": 5120,
	"processName": "injector",
	"eventName": "security_file_open",
	"syscall": "openat",
	"returnValue": 0,
	"args": [
		{"name": "pathname", "type": "const char*", "value": pathname},
		{"name": "flags", "type": "string", "value": flags},
		{"name": "dev", "type": "dev_t", "value": 21},
		{"name": "inode", "type": "unsigned long", "value": 88421},
		{"name": "ctime", "type": "unsigned long", "value": 1795680000123456789},
		{"name": "syscall_pathname", "type": "const char*", "value": raw},
	],
}

vm_writev_event(pid) := {
	"processId": 5120,
	"processName": "injector",
	"eventName": "process_vm_writev",
	"syscall": "process_vm_writev",
	"returnValue": 4096,
	"args": [
		{"name": "pid", "type": "pid_t", "value": pid},
		{"name": "local_iov", "type": "const struct iovec*", "value": "0x7ffd1c2b3a40"},
		{"name": "liovcnt", "type": "unsigned long", "value": 1},
		{"name": "remote_iov", "type": "const struct iovec*", "value": "0x7ffd1c2b3a50"},
		{"name": "riovcnt", "type": "unsigned long", "value": 1},
		{"name": "flags", "type": "unsigned long", "value": 0},
	],
}

test_selects_three_events if {
	{s.name | some s in VGL_2.tracee_selected_events} == {"ptrace", "security_file_open", "process_vm_writev"}
}

test_poketext_matches if {
	VGL_2.tracee_match == {"method": "ptrace", "request": "PTRACE_POKETEXT", "target_pid": 1880} with input as ptrace_event("PTRACE_POKETEXT", 1880)
}

test_pokedata_matches if {
	VGL_2.tracee_match.request == "PTRACE_POKEDATA" with input as ptrace_event("PTRACE_POKEDATA", 1880)
}

test_peek_does_not_match if {
	not VGL_2.tracee_match with input as ptrace_event("PTRACE_PEEKTEXT", 1880)
}

test_other_proc_mem_write_matches if {
	VGL_2.tracee_match == {"method": "proc_mem", "pathname": "/proc/1880/mem", "flags": "O_RDWR|O_LARGEFILE"} with input as open_event("/proc/1880/mem", "O_RDWR|O_LARGEFILE", "/proc/1880/mem")
}

test_thread_mem_write_matches if {
	VGL_2.tracee_match.method == "proc_mem" with input as open_event("/proc/1880/task/1882/mem", "O_WRONLY|O_LARGEFILE", "/proc/1880/task/1882/mem")
}

test_proc_mem_read_does_not_match if {
	not VGL_2.tracee_match with input as open_event("/proc/1880/mem", "O_RDONLY|O_LARGEFILE", "/proc/1880/mem")
}

test_own_mem_write_does_not_match if {
	not VGL_2.tracee_match with input as open_event("/proc/5120/mem", "O_RDWR|O_LARGEFILE", "/proc/5120/mem")
}

test_self_mem_write_does_not_match if {
	not VGL_2.tracee_match with input as open_event("/proc/75120/mem", "O_RDWR|O_LARGEFILE", "/proc/self/mem")
}

test_other_proc_file_does_not_match if {
	not VGL_2.tracee_match with input as open_event("/proc/1880/oom_score_adj", "O_WRONLY|O_TRUNC|O_LARGEFILE", "/proc/1880/oom_score_adj")
}

test_vm_writev_to_other_matches if {
	VGL_2.tracee_match == {"method": "process_vm_writev", "target_pid": 1880} with input as vm_writev_event(1880)
}

test_vm_writev_to_self_does_not_match if {
	not VGL_2.tracee_match with input as vm_writev_event(5120)
}

# The event without its argument `name`.
without(event, name) := object.union(event, {"args": [arg | some arg in event.args; arg.name != name]})

test_mem_write_without_syscall_pathname_matches if {
	VGL_2.tracee_match.method == "proc_mem" with input as without(open_event("/proc/1880/mem", "O_RDWR|O_LARGEFILE", "/proc/1880/mem"), "syscall_pathname")
}

test_poketext_without_pid_matches_without_target if {
	VGL_2.tracee_match == {"method": "ptrace", "request": "PTRACE_POKETEXT"} with input as without(ptrace_event("PTRACE_POKETEXT", 1880), "pid")
}

test_vm_writev_without_process_id_matches if {
	VGL_2.tracee_match.target_pid == 1880 with input as object.remove(vm_writev_event(1880), ["processId"])
}
