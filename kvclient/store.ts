// The Store contract. Every backend (embedded lmdb, etcd) implements exactly this, and one
// shared case suite (common.case.ts) holds them all to the same behaviour.
//
// Keys and values are bytes; keys order lexicographically (unsigned byte order).

import { compareBytes } from "./tuple.ts";

export type Consistency = "linearizable" | "serializable";

export interface CallOptions {
  /** Caller's cancellation. A call with no signal still gets the backend's default bound. */
  signal?: AbortSignal;
}

export interface ReadOptions extends CallOptions {
  /** Default "linearizable". "serializable" may answer from a lagging local replica. */
  consistency?: Consistency;
}

export interface KeyValue {
  key: Uint8Array;
  value: Uint8Array;
  /** Revision at which this key was last modified (backend-defined, monotonic per store). */
  modRevision: bigint;
}

export interface Range {
  /** Inclusive start. */
  start: Uint8Array;
  /** Exclusive end. */
  end: Uint8Array;
}

export interface ScanOptions extends ReadOptions, Range {
  /** Maximum number of pairs to return; unlimited when absent (bounded by maxScanLimit). */
  limit?: number;
  /** Descending key order when true. */
  reverse?: boolean;
  /** Return keys only (values are empty arrays). */
  keysOnly?: boolean;
}

export interface ScanResult {
  kvs: KeyValue[];
  /** True when the range holds more keys than were returned because of `limit`. */
  more: boolean;
}

/** Reads and buffered writes inside one optimistic transaction. */
export interface Txn {
  /**
   * Read through the transaction: the revision seen (or absence) is validated at commit.
   * The transaction's own buffered writes are seen first (read-your-writes).
   */
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * Range read through the transaction. At commit, the keys returned must be unchanged and
   * no key may have appeared inside the span actually covered (phantom protection).
   */
  scan(opts: Omit<ScanOptions, "signal" | "consistency">): Promise<ScanResult>;
  /** Buffered; applied atomically at commit. Later writes to the same key win. */
  put(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /** Aborts when the caller's signal or the transaction's time budget fires. */
  readonly signal: AbortSignal;
}

export interface TxnOptions extends CallOptions {
  /**
   * Bounded label for conflict metrics (for example "s3.manifest"); callers pass a
   * constant from a fixed set, never a user-supplied name.
   */
  family?: string;
  /** Maximum attempts including the first (default 8). */
  maxAttempts?: number;
  /** Total time budget for all attempts in ms (default: the store's default bound). */
  timeoutMs?: number;
}

export interface LeaderInfo {
  backend: "embedded" | "etcd";
  /** Leader member id as a decimal string ("self" for the embedded store). */
  leaderId: string;
  /** Raft term (0 for the embedded store). */
  term: bigint;
  /** Whether the member this gateway talks to first (its "local" member) is the leader. */
  localIsLeader: boolean;
  /** How long the check took, in ms. */
  latencyMs: number;
}

export interface WatchEvent {
  type: "put" | "delete";
  key: Uint8Array;
  modRevision: bigint;
}

/**
 * Whether a watch event stands for the whole prefix: its key is the watched prefix itself.
 * A watch sends one when changes may have gone by unseen (a stream that fell behind, a
 * compacted revision); the consumer must then re-read everything it watches.
 */
export function coversWholePrefix(ev: WatchEvent, prefix: Uint8Array): boolean {
  return compareBytes(ev.key, prefix) === 0;
}

export interface StoreLimits {
  /** Largest single value in bytes. */
  maxValueBytes: number;
  /** Most write operations (puts + deletes + read-set compares) in one transaction commit. */
  maxTxnOps: number;
  /** Largest total request (sum of keys and values written in one commit) in bytes. */
  maxRequestBytes: number;
  /** Largest key in bytes. */
  maxKeyBytes: number;
}

export interface Store {
  readonly backend: "embedded" | "etcd";
  readonly limits: StoreLimits;

  get(key: Uint8Array, opts?: ReadOptions): Promise<KeyValue | undefined>;
  scan(opts: ScanOptions): Promise<ScanResult>;
  count(range: Range, opts?: ReadOptions): Promise<number>;

  /**
   * Run `body` as an optimistic serializable transaction and return its result. A
   * conflict re-runs the body with jittered exponential backoff; running out of attempts
   * or time raises RetryLimitError with the last conflict as its cause. The body must
   * have no side effects outside the transaction.
   */
  transact<T>(body: (txn: Txn) => Promise<T>, opts?: TxnOptions): Promise<T>;

  /**
   * Is there a leader that confirms quorum right now? Bounded by the earlier of the
   * caller's signal and 5 s; concurrent callers share one in-flight check.
   */
  verifyLeader(signal?: AbortSignal): Promise<LeaderInfo>;

  /**
   * Deliver change events under `prefix` until `signal` aborts. Events may be coalesced
   * or, after a reconnect, replayed; consumers treat them as wake-ups and re-read. An
   * event for the prefix itself (see coversWholePrefix) means "re-read everything".
   */
  watch(prefix: Uint8Array, signal: AbortSignal): AsyncIterable<WatchEvent>;

  close(): Promise<void>;
}
