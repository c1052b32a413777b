// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Vigil's kernel side: syscall and scheduler tracepoints only (this kernel
 * refuses kprobes, fentry and LSM programs), so the events Tracee takes from
 * LSM hooks are derived here from the syscalls that reach those hooks.
 *
 * Every handler follows the same rhythm: cheap filters first (syscall table,
 * own and excluded processes), then fill a per-CPU scratch record, then copy
 * it into the ring buffer, counting what could not be reserved.
 *
 * Each tracepoint has a tp_btf and a raw_tp variant; user space autoloads the
 * one the kernel supports (ffi/features.ts).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vigil_events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * KREAD(type, ptr, field): a field of a kernel object. Through
 * bpf_rdonly_cast (Linux 6.2+; the verifier turns the call into a move) it
 * is a plain load that faults safely, where BPF_CORE_READ costs a helper
 * call (those calls took a tenth of an open-heavy loop's CPU, 4% after).
 * The object built with -DVIGIL_PORTABLE, for older kernels, uses
 * BPF_CORE_READ.
 */
#ifdef VIGIL_PORTABLE
#define KREAD(type, ptr, field) BPF_CORE_READ((type *)(ptr), field)
#else
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define KREAD(type, ptr, field) \
	(((type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))->field)
#endif

_Static_assert(sizeof(struct vigil_header) == VIGIL_HEADER_SIZE, "header size");
_Static_assert(sizeof(struct vigil_file) == VIGIL_FILE_SIZE, "file size");
_Static_assert(sizeof(struct vigil_task) == VIGIL_TASK_SIZE, "task size");
_Static_assert(sizeof(struct vigil_config) == VIGIL_CONFIG_SIZE, "config size");

#define WAKEUP_BYTES (256 * 1024)
/* emit_syscall flag above the VIGIL_SYS_* bits: the record is sent at entry. */
#define EMIT_AT_ENTRY 0x100
#define AT_FDCWD -100
#define PF_KTHREAD 0x00200000
#define TS_COMPAT 0x0002
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10

#define NR_OPEN 2
#define NR_MMAP 9
#define NR_MPROTECT 10
#define NR_CONNECT 42
#define NR_EXECVE 59
#define NR_OPENAT 257
#define NR_FINIT_MODULE 313
#define NR_EXECVEAT 322
#define NR_OPENAT2 437

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* Records the ring buffer had no room for, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} lost SEC(".maps");

/* Events filtered out before a record was made, per CPU (VIGIL_DROP_*). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} dropped SEC(".maps");

struct scratch {
	u8 buf[VIGIL_SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* Host tgids never traced (VIGIL_EXCLUDE_*). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, u32);
	__type(value, u8);
} excluded SEC(".maps");

/* Syscall entry state, per thread, until the syscall returns. */
struct inflight {
	u64 ts;
	u64 args[VIGIL_ARGS];
	u64 prev_prot;
	u64 vm_file;
	char comm[VIGIL_COMM_LEN]; /* execve and execveat only */
	u32 nr;
	u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

/*
 * Cgroups of the records' hierarchy made since load, in which no task has
 * execed yet: the first exec in one starts its container (Tracee's
 * `containerStarted`), and is told with a VIGIL_KIND_CGROUP_STARTED record.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, u8);
} unstarted SEC(".maps");

/* Written by user space before load. */
const volatile struct vigil_config cfg = {};

static __always_inline struct scratch *scratch_buf(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline bool is_excluded(u32 tgid)
{
	return tgid == cfg.self_tgid || bpf_map_lookup_elem(&excluded, &tgid);
}

static __always_inline void count_drop(u32 index)
{
	u64 *count = bpf_map_lookup_elem(&dropped, &index);

	if (count)
		*count += 1;
}

/* The id of `p` in its own pid namespace, and that namespace's inode. */
static __always_inline u32 ns_nr(struct pid *p, u32 *ns_inum)
{
	struct upid up = {};
	unsigned int level = KREAD(struct pid, p, level);
	void *numbers = (void *)p + bpf_core_field_offset(struct pid, numbers);

	bpf_probe_read_kernel(&up, sizeof(up), numbers + (level & 31) * sizeof(struct upid));
	if (ns_inum)
		*ns_inum = KREAD(struct pid_namespace, up.ns, ns.inum);
	return up.nr;
}

static __always_inline void fill_task(struct vigil_task *t, struct task_struct *task)
{
	t->start_time = BPF_CORE_READ(task, start_boottime);
	t->tid = BPF_CORE_READ(task, pid);
	t->pid = BPF_CORE_READ(task, tgid);
	t->ns_tid = ns_nr(BPF_CORE_READ(task, thread_pid), NULL);
	t->ns_pid = ns_nr(BPF_CORE_READ(task, group_leader, thread_pid), NULL);
}

/*
 * The id of the current task's cgroup in the v1 hierarchy of controller
 * cfg.cgroup_subsys - 1, for hosts that use no v2 hierarchy: the kernfs id
 * of task->cgroups->subsys[ssid]->cgroup, as the v2 id is of its cgroup.
 */
static __always_inline u64 v1_cgroup_id(struct task_struct *task)
{
	u32 ssid = (cfg.cgroup_subsys - 1) & 31;
	struct css_set *cset = BPF_CORE_READ(task, cgroups);
	struct cgroup_subsys_state *css = NULL;

	bpf_probe_read_kernel(&css, sizeof(css),
			      (void *)cset + bpf_core_field_offset(struct css_set, subsys) +
				      ssid * sizeof(css));
	return BPF_CORE_READ(css, cgroup, kn, id);
}

/* The current task's cgroup id in the hierarchy records carry. */
static __always_inline u64 current_cgroup_id(struct task_struct *task)
{
	return cfg.cgroup_subsys ? v1_cgroup_id(task) : bpf_get_current_cgroup_id();
}

#include "scope_filter.h"

/*
 * Whether the current task's records are not wanted: Vigil's own, excluded,
 * or out of scope (counted).
 */
static __always_inline bool not_traced(u32 tgid)
{
	if (is_excluded(tgid))
		return true;
	if (task_in_scope(tgid))
		return false;
	count_drop(VIGIL_DROP_SCOPE);
	return true;
}

/*
 * Fills the header for the current task, stamped `ts` (a syscall's entry
 * time, else now). Its fields are read through the BTF-typed task pointer:
 * plain loads, where a BPF_CORE_READ costs a helper call each (about two
 * dozen per record).
 */
__noinline int fill_header(struct scratch *s, u8 kind, u64 ts)
{
	if (!s)
		return 0;
	struct vigil_header *h = (void *)s->buf;
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *leader = task->group_leader;
	struct task_struct *parent = leader->real_parent;
	struct task_struct *parent_leader = parent->group_leader;
	struct nsproxy *nsproxy = task->nsproxy;
	u64 id = bpf_get_current_pid_tgid();
	u32 pid_ns = 0, parent_ns = 0, ppid;

	h->ts = ts;
	h->start_time = task->start_boottime;
	h->leader_start = leader->start_boottime;
	h->parent_start = parent_leader->start_boottime;
	h->cgroup_id = current_cgroup_id(task);
	h->ret = 0;
	h->host_pid = id >> 32;
	h->host_tid = (u32)id;
	h->host_ppid = parent->tgid;
	h->tid = ns_nr(task->thread_pid, &pid_ns);
	h->pid = ns_nr(leader->thread_pid, NULL);
	ppid = ns_nr(parent_leader->thread_pid, &parent_ns);
	/* Tracee reports 0 for a parent outside the task's pid namespace. */
	h->ppid = parent_ns == pid_ns ? ppid : 0;
	h->pid_ns = pid_ns;
	h->mnt_ns = nsproxy->mnt_ns->ns.inum;
	h->uid = (u32)bpf_get_current_uid_gid();
	h->cpu = bpf_get_smp_processor_id();
	h->syscall_nr = -1;
	h->kind = kind;
	h->flags = 0;
	h->pad = 0;
	h->pad2 = 0;
	if (bpf_core_field_exists(task->thread_info.status) &&
	    (task->thread_info.status & TS_COMPAT))
		h->flags |= VIGIL_FLAG_COMPAT;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	__builtin_memset(h->hostname, 0, sizeof(h->hostname));
	bpf_probe_read_kernel_str(h->hostname, sizeof(h->hostname),
				  &nsproxy->uts_ns->name.nodename);
	return 0;
}

/* The syscall `task` is in, from its saved user registers, or -1. */
static __always_inline int current_syscall(struct task_struct *task)
{
	if (!(cfg.features & VIGIL_FEATURE_TASK_PT_REGS))
		return -1;
	if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		return -1;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return BPF_CORE_READ(regs, orig_ax);
}

/* Masks an offset in a way the compiler cannot drop, so the verifier sees it. */
static __always_inline u32 bounded(u32 off)
{
	u64 value = off;

	asm volatile("%[v] &= %[m]" : [v] "+r"(value) : [m] "i"(VIGIL_DATA_LIMIT - 1));
	return value;
}

static __always_inline struct vigil_field *field_at(u8 *buf, u32 off)
{
	return (struct vigil_field *)(buf + bounded(off));
}

/*
 * A NUL-terminated string as a field of `kind`: read from kernel memory for
 * VIGIL_FIELD_KERNEL_STR, else from user memory.
 */
__noinline u32 put_str(struct scratch *s, u32 off, u8 kind, u8 index, u64 src)
{
	if (!s)
		return off;
	u8 *buf = s->buf;
	if (off >= VIGIL_DATA_LIMIT)
		return off;
	off = bounded(off);
	long n = kind == VIGIL_FIELD_KERNEL_STR
		? bpf_probe_read_kernel_str(buf + off + 4, VIGIL_STR_MAX, (const void *)src)
		: bpf_probe_read_user_str(buf + off + 4, VIGIL_STR_MAX, (const void *)src);
	/* An unreadable string becomes "", as Tracee's zero value. */
	if (n < 1)
		n = 1;
	struct vigil_field *f = field_at(buf, off);
	f->kind = kind;
	f->index = index;
	f->len = (n - 1) & (VIGIL_STR_MAX - 1);
	return off + 4 + f->len;
}

__noinline u32 put_u64(struct scratch *s, u32 off, u8 index, u64 value)
{
	if (!s)
		return off;
	u8 *buf = s->buf;
	if (off >= VIGIL_DATA_LIMIT)
		return off;
	off = bounded(off);
	struct vigil_field *f = field_at(buf, off);
	f->kind = VIGIL_FIELD_U64;
	f->index = index;
	f->len = 8;
	__builtin_memcpy(buf + off + 4, &value, 8);
	return off + 12;
}

/* Where a walk from a dentry up to the root of the mount tree stands. */
struct mount_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct mount *mnt_parent;
};

static __always_inline void mount_walk_start(struct mount_walk *m, struct dentry *dentry,
					     struct vfsmount *vfsmnt)
{
	struct mount *mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);

	m->dentry = dentry;
	m->vfsmnt = vfsmnt;
	m->mnt = mnt;
	m->mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
}

/* mount_walk_step's answer when the dentry has a name to take. */
#define WALK_NAME -1

/*
 * One step up: WALK_NAME when the walk's dentry has a name to take (its
 * parent in `d_parent`); else what a bpf_loop callback returns: 0 when it
 * was the root of its mount and the walk crossed to the mount it is mounted
 * on, 1 at the root of the mount tree.
 */
static __always_inline long mount_walk_step(struct mount_walk *m, struct dentry **d_parent)
{
	/* Locals: KREAD's argument must not be a field of this struct (CO-RE). */
	struct dentry *dentry = m->dentry;
	struct vfsmount *vfsmnt = m->vfsmnt;
	struct mount *mnt = m->mnt;
	struct dentry *mnt_root = KREAD(struct vfsmount, vfsmnt, mnt_root);

	*d_parent = KREAD(struct dentry, dentry, d_parent);
	if (dentry != mnt_root && dentry != *d_parent)
		return WALK_NAME;
	if (dentry != mnt_root || mnt == m->mnt_parent)
		return 1;
	m->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
	mnt = m->mnt_parent;
	m->mnt = mnt;
	m->mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
	m->vfsmnt = (void *)mnt + bpf_core_field_offset(struct mount, mnt);
	return 0;
}

struct walk {
	struct mount_walk at;
	u32 off;
	u32 walked;
};

/* One step of put_path (a bpf_loop callback, so the verifier checks it once). */
static long walk_step(u64 i, void *data)
{
	struct walk *w = data;
	struct scratch *s = scratch_buf();
	struct dentry *d_parent;

	if (!s)
		return 1;
	long at = mount_walk_step(&w->at, &d_parent);
	if (at != WALK_NAME)
		return at;
	if (w->off >= VIGIL_DATA_LIMIT)
		return 1;
	u32 off = bounded(w->off);
	struct dentry *dentry = w->at.dentry;
	long n = bpf_probe_read_kernel_str(s->buf + off, 256, KREAD(struct dentry, dentry, d_name.name));
	if (n > 0) {
		w->off = off + n;
		w->walked++;
	}
	w->at.dentry = d_parent;
	return 0;
}

/*
 * Walks from `dentry` up to the root of the mount tree, crossing mount points,
 * writing names leaf first; user space reverses and joins them.
 */
__noinline u32 put_path(struct scratch *s, u32 off, u8 index, u64 dentry_addr, u64 vfsmnt_addr)
{
	struct walk w = {};

	if (!s || off >= VIGIL_DATA_LIMIT || !dentry_addr)
		return off;
	off = bounded(off);
	mount_walk_start(&w.at, (void *)dentry_addr, (void *)vfsmnt_addr);
	w.off = off + 4;
	bpf_loop(VIGIL_PATH_DEPTH, walk_step, &w, 0);
	if (!w.walked) {
		/* Pseudo files (memfd, pipes): Tracee's bare dentry name. */
		long n = bpf_probe_read_kernel_str(s->buf + off + 4, 256,
						   BPF_CORE_READ((struct dentry *)dentry_addr, d_name.name));
		w.off = off + 4 + (n > 0 ? n : 0);
		index |= VIGIL_PATH_BARE;
	}
	struct vigil_field *f = field_at(s->buf, off);
	f->kind = VIGIL_FIELD_PATH;
	f->index = index;
	f->len = w.off - off - 4;
	return w.off;
}

#include "arg_filter.h"

__noinline u32 put_file(struct scratch *s, u32 off, u8 index, u64 file_addr)
{
	struct file *file = (void *)file_addr;
	if (!s)
		return off;
	u8 *buf = s->buf;
	if (off >= VIGIL_DATA_LIMIT || !file)
		return off;
	off = bounded(off);
	struct inode *inode = KREAD(struct file, file, f_inode);
	struct vigil_file *vf = (void *)(buf + off + 4);
	struct vigil_field *f = field_at(buf, off);
	u64 sec = 0, nsec = 0;

	if (bpf_core_field_exists(inode->i_ctime_sec)) {
		sec = KREAD(struct inode, inode, i_ctime_sec);
		/* The top bits of i_ctime_nsec are multigrain flags (I_CTIME_QUERIED). */
		nsec = KREAD(struct inode, inode, i_ctime_nsec) & 0x3fffffff;
	}
	vf->inode = KREAD(struct inode, inode, i_ino);
	vf->ctime = (s64)sec < 0 ? 0 : sec * 1000000000ULL + nsec;
	struct super_block *sb = KREAD(struct inode, inode, i_sb);
	vf->dev = KREAD(struct super_block, sb, s_dev);
	vf->flags = KREAD(struct file, file, f_flags);
	vf->mode = KREAD(struct inode, inode, i_mode);
	vf->pad = 0;
	vf->pad2 = 0;
	f->kind = VIGIL_FIELD_FILE;
	f->index = index;
	f->len = sizeof(*vf);
	off += 4 + sizeof(*vf);
	/* put_path takes plain numbers, which KREAD's pointers are not. */
	return put_path(s, off, index, (u64)BPF_CORE_READ(file, f_path.dentry),
			(u64)BPF_CORE_READ(file, f_path.mnt));
}

static __always_inline struct file *fd_file(struct task_struct *task, long fd)
{
	struct files_struct *files = KREAD(struct task_struct, task, files);
	struct fdtable *fdt = KREAD(struct files_struct, files, fdt);
	struct file **fds = KREAD(struct fdtable, fdt, fd);
	struct file *file = NULL;

	if (fd < 0 || fd >= KREAD(struct fdtable, fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

__noinline u32 put_sockaddr(struct scratch *s, u32 off, u8 index, u64 src_addr)
{
	const void *src = (const void *)src_addr;
	if (!s)
		return off;
	u8 *buf = s->buf;
	if (off >= VIGIL_DATA_LIMIT)
		return off;
	off = bounded(off);
	u16 family = 0;
	u32 size = 2;

	if (src)
		bpf_probe_read_user(&family, sizeof(family), src);
	if (family == AF_INET)
		size = 16;
	else if (family == AF_INET6)
		size = 28;
	else if (family == AF_UNIX)
		size = 110;
	if (!src || bpf_probe_read_user(buf + off + 4, size, src))
		__builtin_memset(buf + off + 4, 0, 2);
	struct vigil_field *f = field_at(buf, off);
	f->kind = VIGIL_FIELD_SOCKADDR;
	f->index = index;
	f->len = size;
	return off + 4 + size;
}

/* Reads up to VIGIL_ARGV_MAX strings of a user `char *const *` array. */
__noinline u32 put_str_array(struct scratch *s, u32 off, u8 index, u64 src)
{
	const char *const *array = (const void *)src;
	if (!s)
		return off;
	u8 *buf = s->buf;
	int i;

	for (i = 0; i < VIGIL_ARGV_MAX; i++) {
		const char *item = NULL;

		if (!array || bpf_probe_read_user(&item, sizeof(item), &array[i]) || !item)
			return off;
		off = put_str(s, off, VIGIL_FIELD_STR_ELEM, index, (u64)item);
	}
	if (off < VIGIL_DATA_LIMIT) {
		struct vigil_field *f = field_at(buf, off);
		f->kind = VIGIL_FIELD_ARRAY_FULL;
		f->index = index;
		f->len = 0;
		off += 4;
	}
	return off;
}

/* Copies a NUL-separated area (argv or environ) of the current mm. */
__noinline u32 put_area(struct scratch *s, u32 off, u8 index, u64 start, u64 end)
{
	if (!s)
		return off;
	u8 *buf = s->buf;
	if (off >= VIGIL_DATA_LIMIT || end <= start)
		return off;
	off = bounded(off);
	u64 len = end - start;
	if (len > VIGIL_ARGAREA_MAX)
		len = VIGIL_ARGAREA_MAX;
	len &= VIGIL_ARGAREA_MAX;
	if (bpf_probe_read_user(buf + off + 4, len, (void *)start))
		return off;
	struct vigil_field *f = field_at(buf, off);
	f->kind = VIGIL_FIELD_ARG_AREA;
	f->index = index;
	f->len = len;
	return off + 4 + len;
}

static __always_inline void submit(struct scratch *s, u32 size)
{
	struct vigil_header *h = (void *)s->buf;
	u64 queued = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	/*
	 * Wake the reader only when this record makes the queue cross
	 * WAKEUP_BYTES: one wakeup per batch, none while the reader lags (it
	 * also drains on a short timer).
	 */
	u64 flags = queued < WAKEUP_BYTES && queued + size >= WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP :
									      BPF_RB_NO_WAKEUP;

	size &= VIGIL_SCRATCH_SIZE - 1;
	h->size = size;
	if (bpf_ringbuf_output(&events, s->buf, size, flags)) {
		u32 zero = 0;
		u64 *count = bpf_map_lookup_elem(&lost, &zero);
		if (count)
			*count += 1;
	}
}

struct vma_ctx {
	u64 flags;
	u64 file;
};

static long vma_found(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_ctx *ctx = data;

	ctx->flags = vma->vm_flags;
	/* Read, not loaded: a plain number that global functions accept. */
	bpf_probe_read_kernel(&ctx->file, sizeof(ctx->file), &vma->vm_file);
	return 0;
}

/* Directory a relative path argument `i` starts from: its dirfd, else the cwd. */
__noinline u32 put_base(struct scratch *s, u32 off, const struct inflight *in, u32 nr, int i)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	if (!s || !in)
		return off;
	nr &= VIGIL_SYSCALL_MAX - 1;
	if (i > 0 && i <= VIGIL_ARGS - 1 && cfg.arg_kinds[nr][i - 1] == VIGIL_ARG_DIRFD &&
	    (int)in->args[i - 1] != AT_FDCWD) {
		struct file *dir = fd_file(task, (int)in->args[i - 1]);
		if (!dir)
			return off;
		return put_path(s, off, VIGIL_SLOT_BASE, (u64)BPF_CORE_READ(dir, f_path.dentry),
				(u64)BPF_CORE_READ(dir, f_path.mnt));
	}
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	return put_path(s, off, VIGIL_SLOT_BASE, (u64)BPF_CORE_READ(fs, pwd.dentry),
			(u64)BPF_CORE_READ(fs, pwd.mnt));
}

__noinline int emit_syscall(const struct inflight *in, u32 nr, long ret, u32 flags)
{
	struct scratch *s = scratch_buf();
	if (!s || !in)
		return 0;
	u8 *buf = s->buf;
	u8 sf = flags;
	bool at_entry = flags & EMIT_AT_ENTRY;
	struct vigil_header *h = (void *)buf;
	struct task_struct *task = (void *)bpf_get_current_task();
	bool base_done = false;
	u32 off = VIGIL_HEADER_SIZE;

	fill_header(s, VIGIL_KIND_SYSCALL, in->ts);
	h->syscall_nr = nr;
	h->ret = ret;
	if (sf & VIGIL_SYS_EMIT)
		h->flags |= VIGIL_FLAG_EMIT_SYSCALL;
	if (sf & VIGIL_SYS_DERIVED)
		h->flags |= VIGIL_FLAG_EMIT_DERIVED;
	if (at_entry)
		h->flags |= VIGIL_FLAG_AT_ENTRY;
	for (int i = 0; i < VIGIL_ARGS; i++) {
		u8 kind = cfg.arg_kinds[nr & (VIGIL_SYSCALL_MAX - 1)][i];
		u64 arg = in->args[i];

		h->args[i] = in->args[i];
		if (kind == VIGIL_ARG_STR || kind == VIGIL_ARG_PATH) {
			u32 start = off;
			off = put_str(s, off, VIGIL_FIELD_STR, i, arg);
			if (kind == VIGIL_ARG_PATH && !base_done && off > start + 4 &&
			    buf[bounded(start + 4)] != '/') {
				off = put_base(s, off, in, nr, i);
				base_done = true;
			}
		} else if (kind == VIGIL_ARG_STR_ARRAY) {
			off = put_str_array(s, off, i, arg);
		} else if (kind == VIGIL_ARG_SOCKADDR) {
			off = put_sockaddr(s, off, i, arg);
		}
	}
	if (sf & VIGIL_SYS_DERIVED) {
		switch (nr) {
		case NR_OPEN:
		case NR_OPENAT:
		case NR_OPENAT2:
			if (ret >= 0)
				off = put_file(s, off, VIGIL_SLOT_FILE, (u64)fd_file(task, ret));
			break;
		case NR_FINIT_MODULE:
			off = put_file(s, off, VIGIL_SLOT_FILE, (u64)fd_file(task, (int)in->args[0]));
			break;
		case NR_MMAP:
			if ((int)in->args[4] >= 0)
				off = put_file(s, off, VIGIL_SLOT_FILE,
					       (u64)fd_file(task, (int)in->args[4]));
			break;
		case NR_MPROTECT:
			off = put_u64(s, off, VIGIL_SLOT_PREV_PROT, in->prev_prot);
			off = put_file(s, off, VIGIL_SLOT_FILE, in->vm_file);
			break;
		case NR_CONNECT: {
			struct file *sock_file = fd_file(task, (int)in->args[0]);
			struct socket *sock = BPF_CORE_READ(sock_file, private_data);
			off = put_u64(s, off, VIGIL_SLOT_SOCK_TYPE, BPF_CORE_READ(sock, type));
			break;
		}
		}
	}
	submit(s, off);
	return 0;
}

/* Where a syscall handler reads the arguments from (a constant in each caller). */
enum args_from {
	ARGS_BTF_REGS, /* tp_btf: a typed pt_regs pointer, plain loads */
	ARGS_RAW_REGS, /* raw_tp: a bare pt_regs address, a helper call each */
	ARGS_TRACEPOINT, /* tracepoint/syscalls/sys_enter_*: the record's copy */
};

/*
 * The records of tracepoint/syscalls/sys_{enter,exit}_* (their tracefs format
 * files). A record holds only its syscall's arguments, and the kernel refuses
 * to attach a program that reads its context past the record, so arguments
 * are copied with a helper: those past the syscall's own are left over from
 * earlier records, as registers are for the raw tracepoint, and the decoder
 * reads only the syscall's parameters.
 */
struct syscall_enter_record {
	u64 common;
	int nr;
	int pad;
	u64 args[VIGIL_ARGS];
};

struct syscall_exit_record {
	u64 common;
	int nr;
	int pad;
	long ret;
};

#define REG(regs, from, reg) ((from) == ARGS_BTF_REGS ? (regs)->reg : BPF_CORE_READ(regs, reg))

/* Syscall argument `i` (0-5, a constant) as the x86-64 syscall ABI passes it. */
static __always_inline u64 syscall_arg(const void *src, enum args_from from, int i)
{
	const struct pt_regs *regs = src;
	u64 arg = 0;

	if (from == ARGS_TRACEPOINT) {
		bpf_probe_read_kernel(&arg, sizeof(arg),
				      &((const struct syscall_enter_record *)src)->args[i]);
		return arg;
	}
	switch (i) {
	case 0:
		return REG(regs, from, di);
	case 1:
		return REG(regs, from, si);
	case 2:
		return REG(regs, from, dx);
	case 3:
		return REG(regs, from, r10);
	case 4:
		return REG(regs, from, r8);
	default:
		return REG(regs, from, r9);
	}
}

static __always_inline int on_sys_enter(const void *src, long id, enum args_from from)
{
	if (id < 0 || id >= VIGIL_SYSCALL_MAX)
		return 0;
	u8 sf = cfg.sys_flags[id];
	if (!sf || (sf & VIGIL_SYS_EXIT_ONLY))
		return 0;
	u64 arg2 = syscall_arg(src, from, 2);
	/* mmap matters only when it asks for a writable and executable mapping. */
	if (id == NR_MMAP && !(sf & VIGIL_SYS_EMIT) && (arg2 & 6) != 6)
		return 0;
	/*
	 * Every mem_prot_alert asks for execution (prot_alert), so mprotect
	 * without PROT_EXEC skips the VMA lookup, and is not followed at all
	 * when only the alert was selected.
	 */
	bool exec_asked = (arg2 & VM_EXEC) != 0;
	if (id == NR_MPROTECT && !(sf & VIGIL_SYS_EMIT) && !exec_asked)
		return 0;
	u64 pid_tgid = bpf_get_current_pid_tgid();
	if (not_traced(pid_tgid >> 32))
		return 0;

	struct inflight in = {};
	if (from == ARGS_TRACEPOINT) {
		bpf_probe_read_kernel(in.args, sizeof(in.args),
				      ((const struct syscall_enter_record *)src)->args);
	} else {
		in.args[0] = syscall_arg(src, from, 0);
		in.args[1] = syscall_arg(src, from, 1);
		in.args[2] = arg2;
		in.args[3] = syscall_arg(src, from, 3);
		in.args[4] = syscall_arg(src, from, 4);
		in.args[5] = syscall_arg(src, from, 5);
	}
	in.ts = bpf_ktime_get_boot_ns();
	in.nr = id;
	/* exec's own record reports the name the process had before it. */
	if (id == NR_EXECVE || id == NR_EXECVEAT)
		bpf_get_current_comm(in.comm, sizeof(in.comm));
	if (id == NR_MPROTECT && exec_asked && (sf & VIGIL_SYS_DERIVED) &&
	    (cfg.features & VIGIL_FEATURE_FIND_VMA)) {
		struct vma_ctx vma = {};
		bpf_find_vma(bpf_get_current_task_btf(), in.args[0], vma_found, &vma, 0);
		in.prev_prot = vma.flags;
		in.vm_file = vma.file;
	}
	/* exec replaces the memory the arguments live in: report it now. */
	if (sf & VIGIL_SYS_AT_ENTRY)
		emit_syscall(&in, id, 0, sf | EMIT_AT_ENTRY);
	u32 tid = (u32)pid_tgid;
	bpf_map_update_elem(&inflight, &tid, &in, BPF_ANY);
	return 0;
}

/* Whether mprotect's request against the previous vm_flags raises an alert. */
static __always_inline bool prot_alert(const struct inflight *in)
{
	u64 prev = in->prev_prot, req = in->args[2];

	if (!(prev & VM_EXEC) && (req & VM_EXEC))
		return true;
	if ((prev & VM_EXEC) && !(prev & VM_WRITE) && (req & (VM_WRITE | VM_EXEC)) == (VM_WRITE | VM_EXEC))
		return true;
	return (prev & VM_WRITE) && (req & VM_EXEC) && !(req & VM_WRITE);
}

/*
 * Whether an open that only security_file_open wants opened a file whose
 * path no argument filter can match (counted): then no record is made.
 */
static __always_inline bool open_filtered(long id, long ret, u8 sf)
{
	if (!(cfg.filter_flags & VIGIL_FILTER_FILE_PATH) || (sf & VIGIL_SYS_EMIT) || ret < 0 ||
	    (id != NR_OPEN && id != NR_OPENAT && id != NR_OPENAT2))
		return false;
	if (path_wanted((u64)fd_file(bpf_get_current_task_btf(), ret)))
		return false;
	count_drop(VIGIL_DROP_ARGUMENT);
	return true;
}

static __always_inline int on_sys_exit(long id, long ret)
{
	if (id < 0 || id >= VIGIL_SYSCALL_MAX)
		return 0;
	u8 sf = cfg.sys_flags[id];
	if (!sf)
		return 0;
	/*
	 * Followed at exit alone (user space sets this for security_file_open's
	 * opens where bpf_task_pt_regs exists): the arguments are still in the
	 * task's saved registers, which spares the inflight map's update, lookup
	 * and delete, and in per-syscall mode the entry hook.
	 */
	if (sf & VIGIL_SYS_EXIT_ONLY) {
		/* A failed open opens no file. */
		if (ret < 0 || not_traced(bpf_get_current_pid_tgid() >> 32) ||
		    open_filtered(id, ret, sf))
			return 0;
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		struct inflight in = {
			.ts = bpf_ktime_get_boot_ns(),
			.args = { regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9 },
			.nr = id,
		};
		return emit_syscall(&in, id, ret, sf);
	}
	/*
	 * mprotect without PROT_EXEC saved nothing at entry when only its alert
	 * is wanted: its saved registers say so without a map lookup.
	 */
	if (id == NR_MPROTECT && !(sf & VIGIL_SYS_EMIT) && (cfg.features & VIGIL_FEATURE_TASK_PT_REGS) &&
	    !(((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()))->dx & VM_EXEC))
		return 0;
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct inflight *saved = bpf_map_lookup_elem(&inflight, &tid);
	if (!saved)
		return 0;
	struct inflight in = *saved;
	bpf_map_delete_elem(&inflight, &tid);
	if (in.nr != id || !(sf & (VIGIL_SYS_EMIT | VIGIL_SYS_DERIVED)))
		return 0;
	/* The syscall's own event, when its path argument can match no filter. */
	if ((sf & VIGIL_SYS_FILTER_STR) && (sf & VIGIL_SYS_EMIT) &&
	    !str_wanted(in.args[id == NR_OPEN ? 0 : 1])) {
		count_drop(VIGIL_DROP_ARGUMENT);
		sf &= ~VIGIL_SYS_EMIT;
		if (!(sf & VIGIL_SYS_DERIVED))
			return 0;
	}
	/* exec is reported at entry, and again only when it failed. */
	if ((sf & VIGIL_SYS_AT_ENTRY) && ret >= 0)
		return 0;
	/* A failed open opens no file: nothing for security_file_open. */
	if ((id == NR_OPEN || id == NR_OPENAT || id == NR_OPENAT2) && !(sf & VIGIL_SYS_EMIT) && ret < 0)
		return 0;
	/* Only mprotect calls that raise an alert matter for mem_prot_alert. */
	if (id == NR_MPROTECT && !(sf & VIGIL_SYS_EMIT) && (ret != 0 || !prot_alert(&in)))
		return 0;
	if (open_filtered(id, ret, sf))
		return 0;
	emit_syscall(&in, id, ret, sf);
	return 0;
}

#define AT_BASE 7
#define AUXV_WORDS 56

struct auxv_search {
	u64 *auxv;
	u64 base;
};

/* One auxv pair (a bpf_loop callback): stops at AT_BASE. */
static long auxv_step(u64 i, void *data)
{
	struct auxv_search *search = data;
	u64 pair[2] = {};

	if (i * 2 + 1 >= AUXV_WORDS)
		return 1;
	bpf_probe_read_kernel(pair, sizeof(pair), search->auxv + i * 2);
	if (pair[0] == 0)
		return 1;
	if (pair[0] == AT_BASE) {
		search->base = pair[1];
		return 1;
	}
	return 0;
}

/* The file mapped at the ELF interpreter's base (AT_BASE), if any. */
static __always_inline u64 interpreter_file(struct mm_struct *mm)
{
	struct auxv_search search = {
		.auxv = (void *)mm + bpf_core_field_offset(struct mm_struct, saved_auxv),
	};
	struct vma_ctx vma = {};

	if (!(cfg.features & VIGIL_FEATURE_FIND_VMA))
		return 0;
	bpf_loop(AUXV_WORDS / 2, auxv_step, &search, 0);
	if (!search.base)
		return 0;
	bpf_find_vma(bpf_get_current_task_btf(), search.base, vma_found, &vma, 0);
	return vma.file;
}

/*
 * The first exec in a cgroup made since load by a task in another mount
 * namespace than its parent's (Tracee's rule: the container's entrypoint,
 * not the runtime's own helper): a header-only record.
 */
static __always_inline void check_started(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	u64 cgroup_id = current_cgroup_id(task);

	if (!bpf_map_lookup_elem(&unstarted, &cgroup_id))
		return;
	if (task->nsproxy->mnt_ns->ns.inum ==
	    task->real_parent->nsproxy->mnt_ns->ns.inum)
		return;
	bpf_map_delete_elem(&unstarted, &cgroup_id);
	struct scratch *s = scratch_buf();
	if (!s)
		return;
	fill_header(s, VIGIL_KIND_CGROUP_STARTED, bpf_ktime_get_boot_ns());
	submit(s, VIGIL_HEADER_SIZE);
}

static __always_inline int on_exec(struct task_struct *task, struct linux_binprm *bprm)
{
	u32 sched = cfg.sched_flags;
	check_started();
	if (!(sched & (VIGIL_SCHED_EXEC | VIGIL_SCHED_BPRM)))
		return 0;
	u64 pid_tgid = bpf_get_current_pid_tgid();
	if (not_traced(pid_tgid >> 32))
		return 0;
	struct scratch *s = scratch_buf();
	if (!s)
		return 0;
	struct vigil_header *h = (void *)s->buf;
	u32 tid = (u32)pid_tgid;
	struct inflight *in = bpf_map_lookup_elem(&inflight, &tid);
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	u32 off = VIGIL_HEADER_SIZE;

	fill_header(s, VIGIL_KIND_EXEC, bpf_ktime_get_boot_ns());
	h->syscall_nr = in ? (int)in->nr : current_syscall(task);
	if (sched & VIGIL_SCHED_EXEC)
		h->flags |= VIGIL_FLAG_EMIT_SYSCALL;
	if (sched & VIGIL_SCHED_BPRM)
		h->flags |= VIGIL_FLAG_EMIT_DERIVED;
	if (BPF_CORE_READ(task, real_parent, flags) & PF_KTHREAD)
		h->flags |= VIGIL_FLAG_KTHREAD_PARENT;
	off = put_str(s, off, VIGIL_FIELD_KERNEL_STR, VIGIL_SLOT_CMDPATH, (u64)BPF_CORE_READ(bprm, filename));
	off = put_str(s, off, VIGIL_FIELD_KERNEL_STR, VIGIL_SLOT_INTERP, (u64)BPF_CORE_READ(bprm, interp));
	if (in && off < VIGIL_DATA_LIMIT) {
		/* Inline: a global function cannot take a pointer into a map value. */
		struct vigil_field *f = field_at(s->buf, off);
		long n = bpf_probe_read_kernel_str(s->buf + bounded(off) + 4, VIGIL_COMM_LEN, in->comm);
		f->kind = VIGIL_FIELD_KERNEL_STR;
		f->index = VIGIL_SLOT_PREV_COMM;
		f->len = n > 0 ? n - 1 : 0;
		off = bounded(off) + 4 + f->len;
	}
	off = put_u64(s, off, VIGIL_SLOT_ARGC, BPF_CORE_READ(bprm, argc));
	off = put_area(s, off, VIGIL_SLOT_ARGV, BPF_CORE_READ(mm, arg_start),
		       BPF_CORE_READ(mm, arg_end));
	off = put_area(s, off, VIGIL_SLOT_ENVP, BPF_CORE_READ(mm, env_start),
		       BPF_CORE_READ(mm, env_end));
	off = put_file(s, off, VIGIL_SLOT_STDIN, (u64)fd_file(task, 0));
	off = put_file(s, off, VIGIL_SLOT_FILE, (u64)BPF_CORE_READ(bprm, file));
	if (sched & VIGIL_SCHED_EXEC)
		off = put_file(s, off, VIGIL_SLOT_INTERPRETER, interpreter_file(mm));
	submit(s, off);
	return 0;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	u32 parent_tgid = BPF_CORE_READ(parent, tgid);
	u8 *mode = bpf_map_lookup_elem(&excluded, &parent_tgid);

	if (mode) {
		u32 child_tgid = BPF_CORE_READ(child, tgid);
		/* A new process of an excluded sandbox is a sandbox too. */
		if (*mode == VIGIL_EXCLUDE_DESCENDANTS && child_tgid == BPF_CORE_READ(child, pid))
			bpf_map_update_elem(&excluded, &child_tgid, mode, BPF_ANY);
		return 0;
	}
	if (!(cfg.sched_flags & VIGIL_SCHED_FORK) || parent_tgid == cfg.self_tgid)
		return 0;
	if (!task_in_scope(parent_tgid)) {
		count_drop(VIGIL_DROP_SCOPE);
		return 0;
	}
	struct scratch *s = scratch_buf();
	if (!s)
		return 0;
	struct vigil_header *h = (void *)s->buf;
	struct task_struct *current = (void *)bpf_get_current_task();
	struct task_struct *leader = BPF_CORE_READ(child, group_leader);
	struct task_struct *parent_process = BPF_CORE_READ(leader, real_parent, group_leader);
	struct task_struct *tasks[4] = { parent, child, parent_process, leader };
	u32 off = VIGIL_HEADER_SIZE;

	fill_header(s, VIGIL_KIND_FORK, bpf_ktime_get_boot_ns());
	h->syscall_nr = current_syscall(current);
	h->flags |= VIGIL_FLAG_EMIT_SYSCALL;
	for (int i = 0; i < 4; i++) {
		struct vigil_field *f = field_at(s->buf, off);
		f->kind = VIGIL_FIELD_TASK;
		f->index = i;
		f->len = sizeof(struct vigil_task);
		fill_task((void *)(s->buf + bounded(off) + 4), tasks[i]);
		off += 4 + sizeof(struct vigil_task);
	}
	submit(s, off);
	return 0;
}

static __always_inline int on_exit(struct task_struct *task)
{
	u32 tgid = BPF_CORE_READ(task, tgid);
	bool group_dead = BPF_CORE_READ(task, signal, live.counter) == 0;

	if (bpf_map_lookup_elem(&excluded, &tgid)) {
		/* The pid may be reused: forget it when its last thread ends. */
		if (group_dead)
			bpf_map_delete_elem(&excluded, &tgid);
		return 0;
	}
	if (!(cfg.sched_flags & VIGIL_SCHED_EXIT) || tgid == cfg.self_tgid)
		return 0;
	if (!task_in_scope(tgid)) {
		count_drop(VIGIL_DROP_SCOPE);
		return 0;
	}
	struct scratch *s = scratch_buf();
	if (!s)
		return 0;
	struct vigil_header *h = (void *)s->buf;

	fill_header(s, VIGIL_KIND_EXIT, bpf_ktime_get_boot_ns());
	h->syscall_nr = current_syscall(task);
	h->flags |= VIGIL_FLAG_EMIT_SYSCALL;
	h->args[0] = BPF_CORE_READ(task, exit_code);
	if (group_dead)
		h->flags |= VIGIL_FLAG_GROUP_EXIT;
	submit(s, VIGIL_HEADER_SIZE);
	return 0;
}

/*
 * A cgroup made or removed, in any hierarchy: its id, hierarchy and (made)
 * path, so that user space knows a container's cgroup before its first task
 * runs there. Sent whatever the caller: the runtime that makes it may be
 * anyone's.
 */
static __always_inline int on_cgroup(u8 kind, struct cgroup *cgrp, const char *path)
{
	struct scratch *s = scratch_buf();
	if (!s)
		return 0;
	struct vigil_header *h = (void *)s->buf;
	u32 off = VIGIL_HEADER_SIZE;

	u64 id = BPF_CORE_READ(cgrp, kn, id);
	u32 hierarchy_id = BPF_CORE_READ(cgrp, root, hierarchy_id);
	u32 ssid = (cfg.cgroup_subsys - 1) & 31;
	/* v1: the hierarchy the records' controller is bound to. */
	bool ours = cfg.cgroup_subsys ? (BPF_CORE_READ(cgrp, root, subsys_mask) >> ssid) & 1 :
					hierarchy_id == 0;
	u8 created = 1;

	if (ours && kind == VIGIL_KIND_CGROUP_MKDIR)
		bpf_map_update_elem(&unstarted, &id, &created, BPF_ANY);
	else if (ours)
		bpf_map_delete_elem(&unstarted, &id);
	fill_header(s, kind, bpf_ktime_get_boot_ns());
	h->args[0] = id;
	h->args[1] = hierarchy_id;
	if (kind == VIGIL_KIND_CGROUP_MKDIR)
		off = put_str(s, off, VIGIL_FIELD_KERNEL_STR, VIGIL_SLOT_CGROUP_PATH, (u64)path);
	submit(s, off);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(btf_sys_enter, struct pt_regs *regs, long id)
{
	return on_sys_enter(regs, id, ARGS_BTF_REGS);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_sys_enter, struct pt_regs *regs, long id)
{
	return on_sys_enter(regs, id, ARGS_RAW_REGS);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_sys_exit, struct pt_regs *regs, long ret)
{
	/* A typed pointer: a plain load, no helper call, on every syscall. */
	return on_sys_exit(regs->orig_ax, ret);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_sys_exit, struct pt_regs *regs, long ret)
{
	return on_sys_exit(BPF_CORE_READ(regs, orig_ax), ret);
}

/*
 * The same handlers attached to one tracepoint per selected syscall
 * (tracepoint/syscalls/sys_enter_<name>): the kernel then runs no program for
 * the other syscalls, which the sys_enter/sys_exit pair above cost about
 * 80 ns each. User space attaches these when tracefs has the syscall events.
 */
SEC("tracepoint")
int tp_sys_enter(struct syscall_enter_record *ctx)
{
	return on_sys_enter(ctx, ctx->nr, ARGS_TRACEPOINT);
}

SEC("tracepoint")
int tp_sys_exit(struct syscall_exit_record *ctx)
{
	return on_sys_exit(ctx->nr, ctx->ret);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(btf_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return on_exec(p, bprm);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(raw_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return on_exec(p, bprm);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(btf_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(btf_sched_process_exit, struct task_struct *p)
{
	return on_exit(p);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(raw_sched_process_exit, struct task_struct *p)
{
	return on_exit(p);
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(btf_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return on_cgroup(VIGIL_KIND_CGROUP_MKDIR, cgrp, path);
}

SEC("raw_tp/cgroup_mkdir")
int BPF_PROG(raw_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return on_cgroup(VIGIL_KIND_CGROUP_MKDIR, cgrp, path);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(btf_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return on_cgroup(VIGIL_KIND_CGROUP_RMDIR, cgrp, path);
}

SEC("raw_tp/cgroup_rmdir")
int BPF_PROG(raw_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return on_cgroup(VIGIL_KIND_CGROUP_RMDIR, cgrp, path);
}
