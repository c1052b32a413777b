/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Scope filters tested before a record is made: the task must be in every
 * scope user space loaded (src/sources/kernel/scope_filter.ts), one of the
 * uids, host pids, comms and cgroup ids given for each, and outside the
 * host's mount namespace when only containers are wanted. Each test is one
 * map lookup; with no scope loaded the verifier drops them all (cfg is
 * read-only).
 *
 * Included by vigil.bpf.c after cfg and current_cgroup_id().
 */
#ifndef VIGIL_SCOPE_FILTER_H
#define VIGIL_SCOPE_FILTER_H

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_SCOPE_ENTRIES);
	__type(key, u32);
	__type(value, u8);
} scope_uids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_SCOPE_ENTRIES);
	__type(key, u32);
	__type(value, u8);
} scope_pids SEC(".maps");

struct scope_comm {
	char comm[VIGIL_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_SCOPE_ENTRIES);
	__type(key, struct scope_comm);
	__type(value, u8);
} scope_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIGIL_SCOPE_ENTRIES);
	__type(key, u64);
	__type(value, u8);
} scope_cgroups SEC(".maps");

/* Whether the current task is in every loaded scope. */
static __always_inline bool task_in_scope(u32 tgid)
{
	u32 flags = cfg.scope_flags;

	if (!flags)
		return true;
	if (flags & VIGIL_SCOPE_UID) {
		u32 uid = (u32)bpf_get_current_uid_gid();
		if (!bpf_map_lookup_elem(&scope_uids, &uid))
			return false;
	}
	if ((flags & VIGIL_SCOPE_PID) && !bpf_map_lookup_elem(&scope_pids, &tgid))
		return false;
	if (flags & VIGIL_SCOPE_COMM) {
		struct scope_comm key = {};
		bpf_get_current_comm(key.comm, sizeof(key.comm));
		if (!bpf_map_lookup_elem(&scope_comms, &key))
			return false;
	}
	struct task_struct *task = bpf_get_current_task_btf();
	if (flags & VIGIL_SCOPE_CGROUP) {
		u64 cgroup_id = current_cgroup_id(task);
		if (!bpf_map_lookup_elem(&scope_cgroups, &cgroup_id))
			return false;
	}
	if ((flags & VIGIL_SCOPE_CONTAINER) && task->nsproxy->mnt_ns->ns.inum == cfg.host_mnt_ns)
		return false;
	return true;
}

#endif /* VIGIL_SCOPE_FILTER_H */
