/**
 * Tracee's argument parsing (ParseArgs): raw numbers to the strings signatures
 * compare, e.g. open flags `O_RDONLY|O_CLOEXEC`, ptrace request
 * `PTRACE_TRACEME`, protection `PROT_READ|PROT_EXEC`. Names, order and edge
 * cases follow TRACEE-EVENTS.md section 2; sockaddr objects section 3.
 *
 * @module
 */

type FlagTable = readonly (readonly [name: string, bits: number])[];

/**
 * `parse` with its answers kept for up to 4096 distinct values: flag words
 * repeat (most opens have one of a handful), and naming them is a hot path.
 */
function remembered(
  parse: (value: number) => string,
): (value: number) => string {
  const known = new Map<number, string>();
  return (value) => {
    let text = known.get(value);
    if (text === undefined) {
      text = parse(value);
      if (known.size < 4096) known.set(value, text);
    }
    return text;
  };
}

function joinFlags(value: number, table: FlagTable): string[] {
  const names: string[] = [];
  for (const [name, bits] of table) {
    if ((value & bits) === bits) names.push(name);
  }
  return names;
}

const OPEN_FLAGS: FlagTable = [
  ["O_CREAT", 0o100],
  ["O_EXCL", 0o200],
  ["O_NOCTTY", 0o400],
  ["O_TRUNC", 0o1000],
  ["O_APPEND", 0o2000],
  ["O_NONBLOCK", 0o4000],
  ["O_SYNC", 0o4010000],
  ["FASYNC", 0o20000],
  ["O_LARGEFILE", 0o100000],
  ["O_DIRECTORY", 0o200000],
  ["O_NOFOLLOW", 0o400000],
  ["O_CLOEXEC", 0o2000000],
  ["O_DIRECT", 0o40000],
  ["O_NOATIME", 0o1000000],
  ["O_PATH", 0o10000000],
  ["O_TMPFILE", 0o20000000],
];

/**
 * Open flags as Tracee prints them: one access mode, then the other flags in
 * Tracee's order; `0` gives `""`.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(parseOpenFlags(0o2000000), "O_RDONLY|O_CLOEXEC");
 * ```
 */
export const parseOpenFlags: (flags: number) => string = remembered(
  (flags) => {
    if (flags === 0) return "";
    const mode = flags & 0o1 ? "O_WRONLY" : flags & 0o2 ? "O_RDWR" : "O_RDONLY";
    return [mode, ...joinFlags(flags, OPEN_FLAGS)].join("|");
  },
);

const PROT_FLAGS: FlagTable = [
  ["PROT_READ", 0x1],
  ["PROT_WRITE", 0x2],
  ["PROT_EXEC", 0x4],
  ["PROT_SEM", 0x8],
  ["PROT_GROWSDOWN", 0x01000000],
  ["PROT_GROWSUP", 0x02000000],
];

/** Memory protection (mmap, mprotect): `PROT_NONE` for 0, else bit names. */
export const parseMmapProt: (prot: number) => string = remembered((prot) =>
  prot === 0 ? "PROT_NONE" : joinFlags(prot, PROT_FLAGS).join("|")
);

const FILE_TYPES: FlagTable = [
  ["S_IFSOCK", 0o140000],
  ["S_IFLNK", 0o120000],
  ["S_IFREG", 0o100000],
  ["S_IFBLK", 0o60000],
  ["S_IFDIR", 0o40000],
  ["S_IFCHR", 0o20000],
  ["S_IFIFO", 0o10000],
];

const PERMISSION_CLASSES:
  readonly (readonly [all: string, mask: number, FlagTable])[] = [
    ["S_IRWXU", 0o700, [["S_IRUSR", 0o400], ["S_IWUSR", 0o200], [
      "S_IXUSR",
      0o100,
    ]]],
    ["S_IRWXG", 0o70, [["S_IRGRP", 0o40], ["S_IWGRP", 0o20], [
      "S_IXGRP",
      0o10,
    ]]],
    ["S_IRWXO", 0o7, [["S_IROTH", 0o4], ["S_IWOTH", 0o2], ["S_IXOTH", 0o1]]],
  ];

/** Inode mode (chmod family, exec stdin type): file type then permissions. */
export function parseInodeMode(mode: number): string {
  if (mode === 0) return "";
  const names: string[] = [];
  const type = FILE_TYPES.find(([, bits]) => (mode & bits) === bits);
  if (type) names.push(type[0]);
  for (const [all, mask, bits] of PERMISSION_CLASSES) {
    if ((mode & mask) === mask) names.push(all);
    else names.push(...joinFlags(mode, bits));
  }
  return names.join("|");
}

const CLONE_FLAGS: FlagTable = [
  "CLONE_VM",
  "CLONE_FS",
  "CLONE_FILES",
  "CLONE_SIGHAND",
  "CLONE_PIDFD",
  "CLONE_PTRACE",
  "CLONE_VFORK",
  "CLONE_PARENT",
  "CLONE_THREAD",
  "CLONE_NEWNS",
  "CLONE_SYSVSEM",
  "CLONE_SETTLS",
  "CLONE_PARENT_SETTID",
  "CLONE_CHILD_CLEARTID",
  "CLONE_DETACHED",
  "CLONE_UNTRACED",
  "CLONE_CHILD_SETTID",
  "CLONE_NEWCGROUP",
  "CLONE_NEWUTS",
  "CLONE_NEWIPC",
  "CLONE_NEWUSER",
  "CLONE_NEWPID",
  "CLONE_NEWNET",
  "CLONE_IO",
].map((name, index) => [name, 2 ** (index + 8)] as const);

/** Clone flags in ascending bit order; the exit-signal byte is ignored. */
export function parseCloneFlags(flags: bigint): string {
  const names: string[] = [];
  for (const [name, bits] of CLONE_FLAGS) {
    if (flags & BigInt(bits)) names.push(name);
  }
  return names.join("|");
}

const MEM_PROT_ALERTS = [
  "Unknown alert",
  "Mmaped region with W+E permissions!",
  "Protection changed to Executable!",
  "Protection changed from E to W+E!",
  "Protection changed from W to E!",
] as const;

/** Alert numbers of `mem_prot_alert`. */
export const MemProtAlert = {
  MmapWriteExec: 1,
  ExecAdded: 2,
  WriteAddedToExec: 3,
  WriteToExec: 4,
} as const;

/** The `mem_prot_alert` message for an alert number. */
export function parseMemProtAlert(alert: number): string {
  return MEM_PROT_ALERTS[alert] ?? MEM_PROT_ALERTS[0];
}

const KERNEL_READ_TYPES = [
  "unknown",
  "firmware",
  "kernel-module",
  "kexec-image",
  "kexec-initramfs",
  "security-policy",
  "x509-certificate",
] as const;

/** `kernel_read_file_id` numbers (kernels since 5.9.3). */
export const KernelReadType = { KernelModule: 2 } as const;

/** The `security_kernel_read_file` type string, or `""` when unknown. */
export function parseKernelReadType(type: number): string {
  return KERNEL_READ_TYPES[type] ?? "";
}

const PTRACE_REQUESTS: ReadonlyMap<number, string> = new Map([
  [0, "PTRACE_TRACEME"],
  [1, "PTRACE_PEEKTEXT"],
  [2, "PTRACE_PEEKDATA"],
  [3, "PTRACE_PEEKUSER"],
  [4, "PTRACE_POKETEXT"],
  [5, "PTRACE_POKEDATA"],
  [6, "PTRACE_POKEUSER"],
  [7, "PTRACE_CONT"],
  [8, "PTRACE_KILL"],
  [9, "PTRACE_SINGLESTEP"],
  [12, "PTRACE_GETREGS"],
  [13, "PTRACE_SETREGS"],
  [14, "PTRACE_GETFPREGS"],
  [15, "PTRACE_SETFPREGS"],
  [16, "PTRACE_ATTACH"],
  [17, "PTRACE_DETACH"],
  [18, "PTRACE_GETFPXREGS"],
  [19, "PTRACE_SETFPXREGS"],
  [24, "PTRACE_SYSCALL"],
  [0x4200, "PTRACE_SETOPTIONS"],
  [0x4201, "PTRACE_GETEVENTMSG"],
  [0x4202, "PTRACE_GETSIGINFO"],
  [0x4203, "PTRACE_SETSIGINFO"],
  [0x4204, "PTRACE_GETREGSET"],
  [0x4205, "PTRACE_SETREGSET"],
  [0x4206, "PTRACE_SEIZE"],
  [0x4207, "PTRACE_INTERRUPT"],
  [0x4208, "PTRACE_LISTEN"],
  [0x4209, "PTRACE_PEEKSIGINFO"],
  [0x420a, "PTRACE_GETSIGMASK"],
  [0x420b, "PTRACE_SETSIGMASK"],
  [0x420c, "PTRACE_SECCOMP_GET_FILTER"],
  [0x420d, "PTRACE_SECCOMP_GET_METADATA"],
  [0x420e, "PTRACE_GET_SYSCALL_INFO"],
]);

/** A ptrace request name, or `""` when unknown. */
export function parsePtraceRequest(request: number): string {
  return PTRACE_REQUESTS.get(request) ?? "";
}

const SOCKET_DOMAINS = [
  "AF_UNSPEC",
  "AF_UNIX",
  "AF_INET",
  "AF_AX25",
  "AF_IPX",
  "AF_APPLETALK",
  "AF_NETROM",
  "AF_BRIDGE",
  "AF_ATMPVC",
  "AF_X25",
  "AF_INET6",
  "AF_ROSE",
  "AF_DECnet",
  "AF_NETBEUI",
  "AF_SECURITY",
  "AF_KEY",
  "AF_NETLINK",
  "AF_PACKET",
  "AF_ASH",
  "AF_ECONET",
  "AF_ATMSVC",
  "AF_RDS",
  "AF_SNA",
  "AF_IRDA",
  "AF_PPPOX",
  "AF_WANPIPE",
  "AF_LLC",
  "AF_IB",
  "AF_MPLS",
  "AF_CAN",
  "AF_TIPC",
  "AF_BLUETOOTH",
  "AF_IUCV",
  "AF_RXRPC",
  "AF_ISDN",
  "AF_PHONET",
  "AF_IEEE802154",
  "AF_CAIF",
  "AF_ALG",
  "AF_NFC",
  "AF_VSOCK",
  "AF_KCM",
  "AF_QIPCRTR",
  "AF_SMC",
  "AF_XDP",
] as const;

/** A socket domain (address family) name, or `""` when unknown. */
export function parseSocketDomain(domain: number): string {
  return SOCKET_DOMAINS[domain] ?? "";
}

const SOCKET_TYPES: ReadonlyMap<number, string> = new Map([
  [1, "SOCK_STREAM"],
  [2, "SOCK_DGRAM"],
  [3, "SOCK_RAW"],
  [4, "SOCK_RDM"],
  [5, "SOCK_SEQPACKET"],
  [6, "SOCK_DCCP"],
  [10, "SOCK_PACKET"],
]);

/** A socket type with SOCK_NONBLOCK/SOCK_CLOEXEC; never fails. */
export function parseSocketType(type: number): string {
  const names = [SOCKET_TYPES.get(type & 0xf) ?? String(type)];
  if (type & 0o4000) names.push("SOCK_NONBLOCK");
  if (type & 0o2000000) names.push("SOCK_CLOEXEC");
  return names.join("|");
}

const BPF_COMMANDS = [
  "BPF_MAP_CREATE",
  "BPF_MAP_LOOKUP_ELEM",
  "BPF_MAP_UPDATE_ELEM",
  "BPF_MAP_DELETE_ELEM",
  "BPF_MAP_GET_NEXT_KEY",
  "BPF_PROG_LOAD",
  "BPF_OBJ_PIN",
  "BPF_OBJ_GET",
  "BPF_PROG_ATTACH",
  "BPF_PROG_DETACH",
  "BPF_PROG_TEST_RUN",
  "BPF_PROG_GET_NEXT_ID",
  "BPF_MAP_GET_NEXT_ID",
  "BPF_PROG_GET_FD_BY_ID",
  "BPF_MAP_GET_FD_BY_ID",
  "BPF_OBJ_GET_INFO_BY_FD",
  "BPF_PROG_QUERY",
  "BPF_RAW_TRACEPOINT_OPEN",
  "BPF_BTF_LOAD",
  "BPF_BTF_GET_FD_BY_ID",
  "BPF_TASK_FD_QUERY",
  "BPF_MAP_LOOKUP_AND_DELETE_ELEM",
  "BPF_MAP_FREEZE",
  "BPF_BTF_GET_NEXT_ID",
  "BPF_MAP_LOOKUP_BATCH",
  "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
  "BPF_MAP_UPDATE_BATCH",
  "BPF_MAP_DELETE_BATCH",
  "BPF_LINK_CREATE",
  "BPF_LINK_UPDATE",
  "BPF_LINK_GET_FD_BY_ID",
  "BPF_LINK_GET_NEXT_ID",
  "BPF_ENABLE_STATS",
  "BPF_ITER_CREATE",
  "BPF_LINK_DETACH",
] as const;

/** A bpf(2) command name, or `""` when unknown. */
export function parseBpfCommand(command: number): string {
  return BPF_COMMANDS[command] ?? "";
}

/** A pointer as Tracee prints it: `0x` and lowercase hex, no padding. */
export function formatPointer(address: bigint): string {
  return `0x${BigInt.asUintN(64, address).toString(16)}`;
}

function formatIpv6(bytes: Uint8Array): string {
  const isMappedV4 = bytes.subarray(0, 10).every((byte) => byte === 0) &&
    bytes[10] === 0xff && bytes[11] === 0xff;
  if (isMappedV4) return Array.from(bytes.subarray(12, 16)).join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // The longest run of at least two zero groups becomes "::" (first on ties).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (group: number) => group.toString(16);
  if (bestStart < 0) return groups.map(hex).join(":");
  const head = groups.slice(0, bestStart).map(hex).join(":");
  const tail = groups.slice(bestStart + bestLength).map(hex).join(":");
  return `${head}::${tail}`;
}

/**
 * A `struct sockaddr` as Tracee's object of strings, keys sorted:
 * `{"sa_family":"AF_INET","sin_addr":"10.0.0.1","sin_port":"443"}`.
 */
export function parseSockaddr(bytes: Uint8Array): Record<string, string> {
  if (bytes.length < 2) return { sa_family: "AF_UNSPEC" };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const family = view.getUint16(0, true);
  const name = family === 0
    ? "AF_UNSPEC"
    : SOCKET_DOMAINS[family] ?? "AF_UNSPEC";
  if (family === 2 && bytes.length >= 8) {
    return {
      sa_family: name,
      sin_addr: Array.from(bytes.subarray(4, 8)).join("."),
      sin_port: String(view.getUint16(2, false)),
    };
  }
  if (family === 10 && bytes.length >= 28) {
    return {
      sa_family: name,
      sin6_addr: formatIpv6(bytes.subarray(8, 24)),
      sin6_flowinfo: String(view.getUint32(4, false)),
      sin6_port: String(view.getUint16(2, false)),
      sin6_scopeid: String(view.getUint32(24, true)),
    };
  }
  if (family === 1) {
    const path = bytes.subarray(2, 110);
    const end = path.indexOf(0);
    return {
      sa_family: name,
      sun_path: new TextDecoder().decode(
        end < 0 ? path : path.subarray(0, end),
      ),
    };
  }
  return { sa_family: name };
}
