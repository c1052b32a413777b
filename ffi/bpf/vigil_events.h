/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The ring record layout shared by the BPF programs (vigil.bpf.c) and the
 * TypeScript decoder: tools/gen_ring_record_layout.ts generates
 * ffi/ring_record_layout.ts from this file (`make` runs it). Fixed-width
 * types and explicit padding only; a trailing comment on a #define becomes
 * its doc comment there.
 */
#ifndef VIGIL_EVENTS_H
#define VIGIL_EVENTS_H

#define VIGIL_SYSCALL_MAX 512
#define VIGIL_ARGS 6
#define VIGIL_COMM_LEN 16
#define VIGIL_HEADER_SIZE 184
/* Fields are appended while the record is shorter than this. */
#define VIGIL_DATA_LIMIT 16384
#define VIGIL_SCRATCH_SIZE 32768
#define VIGIL_STR_MAX 4096
#define VIGIL_ARGV_MAX 38
#define VIGIL_ARGAREA_MAX 8191
#define VIGIL_PATH_DEPTH 20

/* Record kinds (vigil_header.kind). */
#define VIGIL_KIND_SYSCALL 1 /* a syscall: at exit, or at entry for exec */
#define VIGIL_KIND_EXEC 2 /* sched_process_exec (+ security_bprm_check) */
#define VIGIL_KIND_FORK 3 /* sched_process_fork */
#define VIGIL_KIND_EXIT 4 /* sched_process_exit */
#define VIGIL_KIND_CGROUP_MKDIR 5 /* cgroup_mkdir: args id, hierarchy; path */
#define VIGIL_KIND_CGROUP_RMDIR 6 /* cgroup_rmdir: args id, hierarchy */
#define VIGIL_KIND_CGROUP_STARTED 7 /* first exec in a cgroup made since load */

/* vigil_header.flags */
#define VIGIL_FLAG_EMIT_SYSCALL 0x1 /* the syscall event was requested */
#define VIGIL_FLAG_EMIT_DERIVED 0x2 /* its derived event was requested */
#define VIGIL_FLAG_AT_ENTRY 0x4 /* sent at syscall entry (exec) */
#define VIGIL_FLAG_COMPAT 0x8 /* 32-bit task */
#define VIGIL_FLAG_GROUP_EXIT 0x10 /* sched_process_exit: last thread */
#define VIGIL_FLAG_KTHREAD_PARENT 0x20 /* exec: parent is a kernel thread */

/* Field kinds: each field is {u8 kind, u8 index, u16 len} then len bytes. */
#define VIGIL_FIELD_STR 1 /* user string of argument `index` */
#define VIGIL_FIELD_STR_ELEM 2 /* one element of string array `index` */
#define VIGIL_FIELD_ARRAY_FULL 3 /* array `index` hit VIGIL_ARGV_MAX */
#define VIGIL_FIELD_SOCKADDR 4 /* sockaddr bytes of argument `index` */
#define VIGIL_FIELD_PATH 5 /* path components, leaf first, NUL-separated */
#define VIGIL_FIELD_FILE 6 /* struct vigil_file of slot `index` */
#define VIGIL_FIELD_KERNEL_STR 7 /* kernel string, slot `index` */
#define VIGIL_FIELD_ARG_AREA 8 /* NUL-separated area, slot `index` */
#define VIGIL_FIELD_U64 9 /* a u64, slot `index` */
#define VIGIL_FIELD_TASK 10 /* struct vigil_task, fork task `index` */

/* Fork tasks (VIGIL_FIELD_TASK index). */
#define VIGIL_TASK_PARENT 0
#define VIGIL_TASK_CHILD 1
#define VIGIL_TASK_PARENT_PROCESS 2
#define VIGIL_TASK_LEADER 3

/* VIGIL_FIELD_PATH index bit: nothing was walked, the value is a bare name. */
#define VIGIL_PATH_BARE 0x80

/* Path / file / string slots. */
#define VIGIL_SLOT_FILE 0 /* the file the event is about */
#define VIGIL_SLOT_BASE 1 /* directory a relative path argument starts at */
#define VIGIL_SLOT_STDIN 2 /* exec: fd 0 */
#define VIGIL_SLOT_CMDPATH 3 /* exec: bprm->filename */
#define VIGIL_SLOT_INTERP 4 /* exec: bprm->interp */
#define VIGIL_SLOT_PREV_COMM 5 /* exec: comm before exec */
#define VIGIL_SLOT_ARGV 6 /* exec: argument area */
#define VIGIL_SLOT_ENVP 7 /* exec: environment area */
#define VIGIL_SLOT_ARGC 8 /* exec: bprm->argc */
#define VIGIL_SLOT_PREV_PROT 9 /* mprotect: vm_flags before the call */
#define VIGIL_SLOT_SOCK_TYPE 10 /* connect: sock->type */
#define VIGIL_SLOT_INTERPRETER 11 /* exec: the ELF interpreter's file */
#define VIGIL_SLOT_CGROUP_PATH 12 /* cgroup_mkdir: path from the hierarchy's root */

/* Argument capture kinds (config.arg_kinds). */
#define VIGIL_ARG_RAW 0
#define VIGIL_ARG_STR 1
#define VIGIL_ARG_PATH 2 /* string; relative values get a BASE path */
#define VIGIL_ARG_STR_ARRAY 3
#define VIGIL_ARG_SOCKADDR 4
#define VIGIL_ARG_DIRFD 5 /* dirfd of the PATH argument that follows */

/* config.sys_flags */
#define VIGIL_SYS_EMIT 0x1
#define VIGIL_SYS_DERIVED 0x2
#define VIGIL_SYS_AT_ENTRY 0x4
#define VIGIL_SYS_SAVE 0x8 /* record entry state only (exec prev_comm) */
#define VIGIL_SYS_EXIT_ONLY 0x10 /* no entry state: arguments from registers at exit */
#define VIGIL_SYS_FILTER_STR 0x20 /* its event only when its path argument may match str_anchored */

/* config.sched_flags */
#define VIGIL_SCHED_EXEC 0x1
#define VIGIL_SCHED_BPRM 0x2
#define VIGIL_SCHED_FORK 0x4
#define VIGIL_SCHED_EXIT 0x8

struct vigil_header {
	unsigned long long ts; /* boot-time ns */
	unsigned long long start_time; /* thread start, boot-time ns */
	unsigned long long leader_start; /* process start, boot-time ns */
	unsigned long long parent_start; /* parent process start, boot-time ns */
	unsigned long long cgroup_id;
	long long ret;
	unsigned long long args[VIGIL_ARGS];
	unsigned int mnt_ns;
	unsigned int pid_ns;
	unsigned int host_pid;
	unsigned int host_tid;
	unsigned int host_ppid;
	unsigned int pid;
	unsigned int tid;
	unsigned int ppid;
	unsigned int uid;
	unsigned int cpu;
	int syscall_nr; /* -1 when not in a syscall */
	unsigned int size; /* whole record, header included */
	unsigned char kind;
	unsigned char flags;
	unsigned short pad;
	unsigned int pad2;
	char comm[VIGIL_COMM_LEN];
	char hostname[VIGIL_COMM_LEN];
};

struct vigil_file {
	unsigned long long inode;
	unsigned long long ctime; /* ns since epoch */
	unsigned int dev; /* kernel encoding: major << 20 | minor */
	unsigned int flags; /* file->f_flags */
	unsigned short mode;
	unsigned short pad;
	unsigned int pad2;
};

/* One task of sched_process_fork (VIGIL_FIELD_TASK). */
struct vigil_task {
	unsigned long long start_time; /* boot-time ns */
	unsigned int tid;
	unsigned int ns_tid;
	unsigned int pid;
	unsigned int ns_pid;
};

struct vigil_field {
	unsigned char kind;
	unsigned char index;
	unsigned short len;
};

/* config.features: helpers the running kernel offers (ffi/features.ts). */
#define VIGIL_FEATURE_FIND_VMA 0x1
#define VIGIL_FEATURE_TASK_PT_REGS 0x2

/* config.filter_flags: the argument filters user space loaded (arg_filter.h). */
#define VIGIL_FILTER_FILE_PATH 0x1 /* security_file_open-only opens are filtered */
#define VIGIL_FILTER_ANCHORED 0x2 /* path_anchored has entries */
#define VIGIL_FILTER_ANYWHERE 0x4 /* path_anywhere has entries */

/* config.scope_flags: the scope filters user space loaded (scope_filter.h). */
#define VIGIL_SCOPE_UID 0x1 /* the task's uid is in scope_uids */
#define VIGIL_SCOPE_PID 0x2 /* its host tgid is in scope_pids */
#define VIGIL_SCOPE_COMM 0x4 /* its comm is in scope_comms */
#define VIGIL_SCOPE_CGROUP 0x8 /* its cgroup id is in scope_cgroups */
#define VIGIL_SCOPE_CONTAINER 0x10 /* its mount namespace is not the host's */

/* Indexes of the dropped map: events filtered out before a record was made. */
#define VIGIL_DROP_ARGUMENT 0 /* no argument filter could match */
#define VIGIL_DROP_SCOPE 1 /* the task was out of scope */

/* LPM trie keys of the argument filters: a bit length, then the bytes. */
#define VIGIL_FILTER_KEY_MAX 256
#define VIGIL_FILTER_ENTRIES 1024
/* Where the filter's path ends (its NUL) in the per-CPU path window. */
#define VIGIL_WINDOW_END 768
#define VIGIL_WINDOW_SIZE 1024
#define VIGIL_SCOPE_ENTRIES 1024
#define VIGIL_FIRST_BYTES 32

struct vigil_config {
	unsigned int self_tgid;
	unsigned int sched_flags;
	unsigned int features;
	unsigned int cgroup_subsys; /* 0: the v2 hierarchy; n: v1 controller n - 1 */
	unsigned int filter_flags;
	unsigned int scope_flags;
	unsigned int host_mnt_ns; /* the host's mount namespace, for VIGIL_SCOPE_CONTAINER */
	unsigned int pad;
	/* Bit b: an entry of path_anywhere starts with byte b (arg_filter.h). */
	unsigned char anywhere_first[VIGIL_FIRST_BYTES];
	unsigned char sys_flags[VIGIL_SYSCALL_MAX];
	unsigned char arg_kinds[VIGIL_SYSCALL_MAX][VIGIL_ARGS];
};

/* excluded map values */
#define VIGIL_EXCLUDE_PROCESS 1 /* this process only */
#define VIGIL_EXCLUDE_DESCENDANTS 2 /* and every process it forks */

#define VIGIL_FILE_SIZE 32
#define VIGIL_TASK_SIZE 24
#define VIGIL_CONFIG_SIZE 3648

#endif /* VIGIL_EVENTS_H */
