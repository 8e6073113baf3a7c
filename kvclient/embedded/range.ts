// Translating a Store range into lmdb range options.

import type { RangeOptions } from "lmdb";

/** Unsigned byte order, the order lmdb keeps binary keys in. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function isEmptyRange(start: Uint8Array, end: Uint8Array): boolean {
  return compareBytes(start, end) >= 0;
}

/**
 * lmdb throws on a range bound longer than its key limit, but such bounds are legal here.
 * No stored key is longer than `maxKey` bytes, so with p = the first `maxKey` bytes of a
 * bound: k >= start exactly when k > p, and k < end exactly when k <= p. An empty start
 * means "from the first key". In reverse, lmdb's `start` is the high bound (inclusive
 * unless `exclusiveStart`) and `end` the low bound (exclusive unless `inclusiveEnd`).
 */
export function lmdbRange(start: Uint8Array, end: Uint8Array, maxKey: number, reverse = false): RangeOptions {
  const low = start.length > maxKey
    ? { key: asBuffer(start.subarray(0, maxKey)), inclusive: false }
    : start.length > 0 ? { key: asBuffer(start), inclusive: true } : undefined;
  const high = end.length > maxKey
    ? { key: asBuffer(end.subarray(0, maxKey)), inclusive: true }
    : { key: asBuffer(end), inclusive: false };
  if (!reverse) {
    const opts: RangeOptions = { end: high.key, inclusiveEnd: high.inclusive };
    if (low) {
      opts.start = low.key;
      opts.exclusiveStart = !low.inclusive;
    }
    return opts;
  }
  const opts: RangeOptions = { reverse: true, start: high.key, exclusiveStart: !high.inclusive };
  if (low) {
    opts.end = low.key;
    opts.inclusiveEnd = low.inclusive;
  }
  return opts;
}

/** lmdb's binary key encoding takes Buffers; wrapping shares memory, it does not copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
