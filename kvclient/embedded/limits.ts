// What one embedded commit may carry. lmdb itself only hard-limits keys; the other bounds
// are ours, chosen so that one commit cannot hold lmdb's single, environment-wide write
// lock (shared by every process on the directory) for long.

import { KvError, TooLargeError } from "../errors.ts";
import type { StoreLimits } from "../store.ts";

export const EMBEDDED_LIMITS: StoreLimits = Object.freeze({
  // lmdb-js on a 4 KiB-page directory refuses keys over 1978 bytes (measured: 1978 stores,
  // 1979 throws "larger than the maximum key size (1978)"). New directories get 8 KiB
  // pages (store.ts), which would allow 4026, but directories made before keep 4 KiB ones:
  // one limit holds for every directory.
  maxKeyBytes: 1978,
  // LMDB stores values up to 4 GiB in overflow pages; a 64 MiB put took ~0.3 s here, all
  // of it under the write lock. 16 MiB keeps a single value well below that.
  maxValueBytes: 16 * 1024 * 1024,
  // The sum of keys and values written by one commit; 64 MiB is ~0.3 s of lock time.
  maxRequestBytes: 64 * 1024 * 1024,
  // LMDB has no op limit until a transaction dirties more pages than it can track
  // (MDB_TXN_FULL, ~128k pages); 10,000 ops stays far below that even with 4 KiB values.
  maxTxnOps: 10_000,
});

/** lmdb rejects zero-length keys; so do we, before anything is buffered. */
export class EmptyKeyError extends KvError {}

export function checkKey(key: Uint8Array, limits: StoreLimits): void {
  if (key.length === 0) throw new EmptyKeyError("empty keys are not allowed");
  if (key.length > limits.maxKeyBytes) {
    throw new TooLargeError(`key of ${key.length} bytes exceeds ${limits.maxKeyBytes}`);
  }
}

export function checkValue(value: Uint8Array, limits: StoreLimits): void {
  if (value.length > limits.maxValueBytes) {
    throw new TooLargeError(`value of ${value.length} bytes exceeds ${limits.maxValueBytes}`);
  }
}

export function checkCommit(ops: number, requestBytes: number, limits: StoreLimits): void {
  if (ops > limits.maxTxnOps) {
    throw new TooLargeError(`transaction of ${ops} operations exceeds ${limits.maxTxnOps}`);
  }
  if (requestBytes > limits.maxRequestBytes) {
    throw new TooLargeError(`transaction of ${requestBytes} bytes exceeds ${limits.maxRequestBytes}`);
  }
}
