/**
 * Tracee's entity ids: Murmur3-32 (seed 0x18273645) over a host id and a start
 * time rounded down to 10 ms, so one thread or process keeps one id.
 *
 * @module
 */

const SEED = 0x18273645;

/** MurmurHash3 x86_32 of `bytes`. */
export function murmur3(bytes: Uint8Array, seed: number): number {
  let hash = seed;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks = bytes.length >> 2;
  for (let i = 0; i < blocks; i++) {
    let k = view.getUint32(i * 4, true);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    hash ^= k;
    hash = (hash << 13) | (hash >>> 19);
    hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = blocks * 4;
  switch (bytes.length & 3) {
    case 3:
      k ^= bytes[tail + 2]! << 16;
    // falls through
    case 2:
      k ^= bytes[tail + 1]! << 8;
    // falls through
    case 1:
      k ^= bytes[tail]!;
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      hash ^= k;
  }
  hash ^= bytes.length;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

const TEN_MS = 10_000_000n;

/**
 * The entity id of a thread or process: Murmur3-32 over the host id (u32,
 * big-endian) and the start time in epoch ns rounded down to 10 ms (u64,
 * big-endian).
 */
export function entityId(hostId: number, startTimeNs: bigint): number {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, hostId, false);
  view.setBigUint64(
    4,
    BigInt.asUintN(64, startTimeNs / TEN_MS * TEN_MS),
    false,
  );
  return murmur3(bytes, SEED);
}
