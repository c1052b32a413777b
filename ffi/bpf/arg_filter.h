/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Argument filters tested before a record is made: the path patterns of the
 * selectors that take security_file_open, compiled by user space
 * (src/sources/kernel/path_filter.ts) into two LPM tries over the file's
 * path, the string user space would build from the record:
 *
 *   path_anchored: entries matched at the start of the path (a pattern's
 *                  literal prefix, or an exact path ended by its NUL);
 *   path_anywhere: entries matched at the start of every component (the
 *                  text after a '/' that a pattern requires somewhere).
 *
 * An open passes when one entry matches. The entries over-approximate the
 * patterns (user space's gate stays the exact test), and whatever the walk
 * cannot be sure of (a bare name, a path longer than the window, an
 * unreadable name) passes too.
 *
 * The path is written back to front into a per-CPU window, ending with its
 * NUL at VIGIL_WINDOW_END, by the same walk as put_path's (same steps, same
 * mount crossings), so a component's text is complete, leaf side included,
 * when it is looked up. A lookup key is the 4 bytes before the bytes it
 * tests: they are free until the next component is written. A component is
 * looked up in path_anywhere only when an entry starts with its first byte
 * (a bitmap in cfg), which spares most lookups.
 *
 * Included by vigil.bpf.c after its maps, cfg, KREAD and bounded().
 */
#ifndef VIGIL_ARG_FILTER_H
#define VIGIL_ARG_FILTER_H

struct path_key {
	u32 prefixlen; /* in bits */
	u8 data[VIGIL_FILTER_KEY_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_FILTER_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct path_key);
	__type(value, u8);
} path_anchored SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_FILTER_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct path_key);
	__type(value, u8);
} path_anywhere SEC(".maps");

/* Entries a syscall's own path argument (a user string) must start with. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VIGIL_FILTER_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct path_key);
	__type(value, u8);
} str_anchored SEC(".maps");

struct path_window {
	u8 buf[VIGIL_WINDOW_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct path_window);
} path_window SEC(".maps");

_Static_assert(VIGIL_WINDOW_END + VIGIL_FILTER_KEY_MAX <= VIGIL_WINDOW_SIZE, "window");

struct filter_walk {
	struct mount_walk at;
	u32 pos; /* the first byte written so far */
	u32 walked;
	bool pass; /* an entry matched, or the walk is unsure */
};

/* Masks a window offset so the verifier sees it in [0, VIGIL_WINDOW_SIZE). */
static __always_inline u64 window_bounded(u64 off)
{
	u64 value = off;

	asm volatile("%[v] &= %[m]" : [v] "+r"(value) : [m] "i"(VIGIL_WINDOW_SIZE - 1));
	return value;
}

/* Whether a trie has an entry that starts the window's text at `pos`. */
static __always_inline bool window_lookup(void *trie, struct path_window *win, u32 pos)
{
	if (pos < 4 || pos > VIGIL_WINDOW_END)
		return true;
	u32 len = VIGIL_WINDOW_END + 1 - pos; /* the NUL included */
	u64 key_off = window_bounded(pos - 4);

	if (key_off > VIGIL_WINDOW_END - 4)
		return true;
	struct path_key *key = (void *)(win->buf + key_off);

	key->prefixlen = (len < VIGIL_FILTER_KEY_MAX ? len : VIGIL_FILTER_KEY_MAX) * 8;
	return bpf_map_lookup_elem(trie, key) != NULL;
}

/* One step of path_wanted's walk (a bpf_loop callback), as walk_step's. */
static long filter_step(u64 i, void *data)
{
	u32 zero = 0;
	struct filter_walk *w = data;
	struct path_window *win = bpf_map_lookup_elem(&path_window, &zero);
	struct dentry *d_parent;

	if (!win) {
		w->pass = true;
		return 1;
	}
	long at = mount_walk_step(&w->at, &d_parent);
	if (at != WALK_NAME)
		return at;
	struct dentry *dentry = w->at.dentry;
	u32 len = KREAD(struct dentry, dentry, d_name.len);
	const u8 *name = KREAD(struct dentry, dentry, d_name.name);
	/* Room for the name, its '/' and a key's bit length before it. */
	if (len > 255 || w->pos < len + 5) {
		w->pass = true;
		return 1;
	}
	u64 pos = window_bounded(w->pos - len);
	if (pos > VIGIL_WINDOW_END || bpf_probe_read_kernel(win->buf + pos, len & 255, name)) {
		w->pass = true;
		return 1;
	}
	/* An entry starts with the window's byte at pos: test its first byte first. */
	u8 first = win->buf[pos];
	if ((cfg.filter_flags & VIGIL_FILTER_ANYWHERE) &&
	    (cfg.anywhere_first[(first >> 3) & 31] >> (first & 7)) & 1 &&
	    window_lookup(&path_anywhere, win, pos)) {
		w->pass = true;
		return 1;
	}
	pos = window_bounded(pos - 1);
	win->buf[pos] = '/';
	w->pos = pos;
	w->walked++;
	w->at.dentry = d_parent;
	return 0;
}

/*
 * Whether the path of `file_addr` may match an argument filter: 0 only when
 * no trie entry can.
 */
__noinline int path_wanted(u64 file_addr)
{
	u32 zero = 0;
	struct file *file = (void *)file_addr;
	struct path_window *win = bpf_map_lookup_elem(&path_window, &zero);

	if (!win || !file)
		return 1;
	struct filter_walk w = { .pos = VIGIL_WINDOW_END };

	mount_walk_start(&w.at, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt));

	win->buf[VIGIL_WINDOW_END] = 0;
	bpf_loop(VIGIL_PATH_DEPTH, filter_step, &w, 0);
	/* Nothing walked: user space reports the bare name, not tested here. */
	if (w.pass || !w.walked)
		return 1;
	return (cfg.filter_flags & VIGIL_FILTER_ANCHORED) && window_lookup(&path_anchored, win, w.pos);
}

/*
 * Whether the user string at `src` (a path as the syscall got it) may match
 * an entry of str_anchored: 0 only when it is absolute and none does. A
 * relative path passes: user space reports it resolved against a directory.
 */
__noinline int str_wanted(u64 src)
{
	u32 zero = 0;
	struct path_window *win = bpf_map_lookup_elem(&path_window, &zero);

	if (!win)
		return 1;
	/* More than a key holds, so that a long path's key is not cut by its NUL. */
	long n = bpf_probe_read_user_str(win->buf + 4, 2 * VIGIL_FILTER_KEY_MAX, (const void *)src);
	if (n < 2 || win->buf[4] != '/')
		return 1;
	struct path_key *key = (void *)win->buf;
	key->prefixlen = (n < VIGIL_FILTER_KEY_MAX ? n : VIGIL_FILTER_KEY_MAX) * 8;
	return bpf_map_lookup_elem(&str_anchored, key) != NULL;
}

#endif /* VIGIL_ARG_FILTER_H */
