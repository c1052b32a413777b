/**
 * Tracee's base events that Vigil knows by name, with their ids (syscall
 * events use x86_64 syscall numbers). Signature events get ids from
 * `FIRST_SIGNATURE_EVENT_ID` up, in load order.
 *
 * @module
 */

/** Event name → Tracee event id. */
export const BASE_EVENT_IDS: ReadonlyMap<string, number> = new Map([
  ["read", 0],
  ["write", 1],
  ["open", 2],
  ["close", 3],
  ["mmap", 9],
  ["mprotect", 10],
  ["dup", 32],
  ["dup2", 33],
  ["socket", 41],
  ["connect", 42],
  ["accept", 43],
  ["bind", 49],
  ["listen", 50],
  ["clone", 56],
  ["fork", 57],
  ["vfork", 58],
  ["execve", 59],
  ["exit", 60],
  ["kill", 62],
  ["rename", 82],
  ["unlink", 87],
  ["chmod", 90],
  ["fchmod", 91],
  ["chown", 92],
  ["ptrace", 101],
  ["setuid", 105],
  ["setgid", 106],
  ["setreuid", 113],
  ["setregid", 114],
  ["setresuid", 117],
  ["setresgid", 119],
  ["prctl", 157],
  ["mount", 165],
  ["umount2", 166],
  ["init_module", 175],
  ["delete_module", 176],
  ["tkill", 200],
  ["exit_group", 231],
  ["openat", 257],
  ["fchownat", 260],
  ["unlinkat", 263],
  ["renameat", 264],
  ["fchmodat", 268],
  ["accept4", 288],
  ["dup3", 292],
  ["process_vm_readv", 310],
  ["process_vm_writev", 311],
  ["finit_module", 313],
  ["renameat2", 316],
  ["memfd_create", 319],
  ["bpf", 321],
  ["execveat", 322],
  ["openat2", 437],
  ["umount", 453],
  ["sched_process_fork", 714],
  ["sched_process_exec", 715],
  ["sched_process_exit", 716],
  ["mem_prot_alert", 724],
  ["magic_write", 727],
  ["security_bprm_check", 731],
  ["security_file_open", 732],
  ["security_inode_unlink", 733],
  ["security_socket_connect", 736],
  ["security_socket_accept", 737],
  ["security_socket_bind", 738],
  ["security_sb_mount", 740],
  ["security_kernel_read_file", 743],
  ["security_inode_rename", 768],
  ["process_execute_failed", 779],
  ["module_load", 784],
  ["chmod_common", 790],
]);

/** The id of the first signature event. */
export const FIRST_SIGNATURE_EVENT_ID = 6000;

/** Vigil's own event: a signature was killed, crashed, or quarantined. */
export const SIGNATURE_ERROR_EVENT = {
  name: "signature_error",
  id: 5000,
} as const;
