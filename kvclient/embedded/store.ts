// The embedded backend: a durable single-node Store on lmdb (one directory). The on-disk
// format is described in record.ts.
//
// - Durability: the environment is opened with `overlappingSync: false`, so lmdb-js
//   resolves a write only after the commit is synced to disk; a commit is acknowledged
//   only then, and survives kill -9 (see durability.test.ts).
// - Throughput: each transaction commits through `childTransaction`, which lmdb-js queues
//   with every other write issued in the same event-loop turn into ONE lmdb write
//   transaction (one sync for the batch); being a child transaction, each commit is
//   still all-or-nothing on its own.
// - Transactions: each attempt reads one lmdb snapshot and records what it saw (txn.ts);
//   the commit validates those reads inside the write transaction and takes the next
//   store-wide revision. Read-only bodies need no commit: one snapshot is serializable.
// - Reads: "linearizable" takes a fresh snapshot; "serializable" may reuse lmdb-js's
//   snapshot of the current event-loop turn (in this process it is already renewed after
//   every local commit, so only another process's newest commits can be missing).
// - Several processes may share a directory: lmdb's lock orders their writers, and the
//   revision counter lives in the data. Watch is per-process (see watch.ts).
// - Limits and why: limits.ts.

import { open, type RootDatabase } from "lmdb";
import type { Registry } from "prom-client";
import { abortError, raceAbort } from "../deadline.ts";
import { DeadlineExceededError, KvError, UnavailableError, WriteConflictError } from "../errors.ts";
import { LeaderVerifier } from "../leader.ts";
import { kvMetrics, type KvMetrics } from "../metrics.ts";
import { runTransaction } from "../retry.ts";
import type {
  KeyValue,
  LeaderInfo,
  Range,
  ReadOptions,
  ScanOptions,
  ScanResult,
  Store,
  StoreLimits,
  Txn,
  TxnOptions,
  WatchEvent,
} from "../store.ts";
import { EMBEDDED_LIMITS, checkCommit } from "./limits.ts";
import { asBuffer, isEmptyRange, lmdbRange } from "./range.ts";
import {
  FORMAT_VERSION,
  META_FORMAT_KEY,
  META_REVISION_KEY,
  decodeUint32,
  decodeUint64,
  encodeUint32,
  encodeUint64,
  recordRevision,
  recordValue,
} from "./record.ts";
import { EmbeddedTxn, type KvDatabase } from "./txn.ts";
import { ChangeFeed } from "./watch.ts";

const BACKEND = "embedded";
const EMPTY = new Uint8Array(0);

export interface EmbeddedStoreOptions {
  /** Directory of the lmdb environment (created when missing). */
  path: string;
  /** Prometheus registry for kvclient metrics (default: prom-client's global one). */
  registry?: Registry;
}

/** The directory holds data in a format this code does not know. */
export class EmbeddedFormatError extends KvError {}

export async function openEmbeddedStore(opts: EmbeddedStoreOptions): Promise<Store> {
  const root = open<Buffer, Buffer>({
    path: opts.path,
    // lmdb-js treats a path with an extension ("kv.db") as a single file; always a directory.
    noSubdir: false,
    overlappingSync: false,
    // Each transaction attempt holds a read snapshot while its body runs; with many
    // concurrent transactions (and other processes) lmdb's default of 126 readers is tight.
    maxReaders: 1024,
    // 8 KiB pages (for new directories; an existing one keeps its own) hold values up to
    // ~6 KB inline. On 4 KiB pages any value over ~2 KB goes to overflow pages, whose
    // allocation searches lmdb's free list, and that grows with the store: `npm run bench:kv
    // -- --only embedded --op put,put4k --concurrency 64` (put4k: 4 KiB values over 32k
    // keys) ran put4k at 4.4k commits/s on 4 KiB pages, 20.5k on 8 KiB, 18.0k on 16 KiB;
    // 128-byte puts at 30.7k, 31.6k and 29.0k. 16 KiB pages would also keep 6-12 KB values
    // inline, but write ~1.9x the bytes of 4 KiB pages per small commit (8 KiB: ~1.4x).
    pageSize: 8192,
  });
  const kv: KvDatabase = root.openDB<Buffer, Buffer>({ name: "kv", keyEncoding: "binary", encoding: "binary" });
  const meta: KvDatabase = root.openDB<Buffer, Buffer>({ name: "meta", keyEncoding: "binary", encoding: "binary" });
  const format = await root.transaction(() => {
    const stored = meta.get(asBuffer(META_FORMAT_KEY));
    if (stored) return decodeUint32(stored);
    meta.putSync(asBuffer(META_FORMAT_KEY), asBuffer(encodeUint32(FORMAT_VERSION)));
    return FORMAT_VERSION;
  });
  if (format !== FORMAT_VERSION) {
    await root.close();
    throw new EmbeddedFormatError(`${opts.path}: store format ${format}, expected ${FORMAT_VERSION}`);
  }
  return new EmbeddedStore(root, kv, meta, kvMetrics(opts.registry));
}

type CommitOutcome = "conflict" | "aborted" | { revision: bigint; events: WatchEvent[] };

class EmbeddedStore implements Store {
  readonly backend = BACKEND;
  readonly limits: StoreLimits = EMBEDDED_LIMITS;
  private readonly feed = new ChangeFeed();
  private readonly leader: LeaderVerifier;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly root: RootDatabase<Buffer, Buffer>,
    private readonly kv: KvDatabase,
    private readonly meta: KvDatabase,
    private readonly metrics: KvMetrics,
  ) {
    this.leader = new LeaderVerifier(
      async () => ({ backend: BACKEND, leaderId: "self", term: 0n, localIsLeader: true }),
      metrics,
      BACKEND,
    );
  }

  async get(key: Uint8Array, opts?: ReadOptions): Promise<KeyValue | undefined> {
    this.beginRead(opts, "get");
    if (key.length === 0 || key.length > this.limits.maxKeyBytes) return undefined;
    const record = this.kv.get(asBuffer(key));
    return record && { key: key.slice(), value: recordValue(record), modRevision: recordRevision(record) };
  }

  async scan(opts: ScanOptions): Promise<ScanResult> {
    this.beginRead(opts, "scan");
    const { start, end, reverse = false, keysOnly = false } = opts;
    if (isEmptyRange(start, end)) return { kvs: [], more: false };
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const range = lmdbRange(start, end, this.limits.maxKeyBytes, reverse);
    // One extra pair tells whether the range holds more than `limit`.
    if (limit !== undefined) range.limit = limit + 1;
    const kvs: KeyValue[] = [];
    for (const { key, value } of this.kv.getRange(range)) {
      kvs.push({ key, value: keysOnly ? EMPTY : recordValue(value), modRevision: recordRevision(value) });
    }
    const more = limit !== undefined && kvs.length > limit;
    if (more) kvs.length = limit;
    return { kvs, more };
  }

  async count(range: Range, opts?: ReadOptions): Promise<number> {
    this.beginRead(opts, "count");
    if (isEmptyRange(range.start, range.end)) return 0;
    return this.kv.getKeysCount(lmdbRange(range.start, range.end, this.limits.maxKeyBytes));
  }

  transact<T>(body: (txn: Txn) => Promise<T>, opts?: TxnOptions): Promise<T> {
    if (this.closed) return Promise.reject(new UnavailableError("embedded store is closed"));
    const family = opts?.family ?? "unknown";
    return runTransaction((signal) => this.attempt(body, signal, family), opts, this.metrics, BACKEND);
  }

  verifyLeader(signal?: AbortSignal): Promise<LeaderInfo> {
    if (this.closed) return Promise.reject(new UnavailableError("embedded store is closed"));
    return this.leader.verify(signal);
  }

  watch(prefix: Uint8Array, signal: AbortSignal): AsyncIterable<WatchEvent> {
    if (this.closed) throw new UnavailableError("embedded store is closed");
    return this.feed.subscribe(prefix, signal);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feed.closeAll();
    // Commits already handed to lmdb finish (each is bounded by lmdb's own commit).
    await Promise.allSettled([...this.inFlight]);
    await this.root.close();
  }

  private async attempt<T>(body: (txn: Txn) => Promise<T>, signal: AbortSignal, family: string): Promise<T> {
    if (this.closed) throw new UnavailableError("embedded store is closed");
    if (signal.aborted) throw abortError(signal, "transaction");
    const snapshot = this.kv.useReadTransaction();
    const txn = new EmbeddedTxn(this.kv, snapshot, this.limits, signal, () => !this.closed);
    try {
      const result = await raceAbort(Promise.resolve().then(() => body(txn)), signal, "transaction");
      txn.close();
      // A read-only body read one consistent snapshot: it serializes at that snapshot.
      if (!txn.hasWrites) return result;
      checkCommit(txn.opCount, txn.requestBytes, this.limits);
      if (this.closed) throw new UnavailableError("embedded store is closed");
      const outcome = await this.commit(txn, signal);
      if (outcome === "conflict") throw new WriteConflictError(undefined, family);
      if (outcome === "aborted") throw abortError(signal, "transaction");
      this.feed.publish(outcome.events);
      return result;
    } finally {
      txn.close();
      try {
        snapshot.done();
      } catch {
        // The environment closed under an abandoned body; lmdb has released the snapshot.
      }
    }
  }

  /**
   * Validate and apply inside lmdb's write transaction. The abort check happens there
   * too, so a DeadlineExceededError always means nothing was written: once the writes are
   * applied, the (short, lmdb-bounded) commit is awaited even if the signal fires.
   */
  private async commit(txn: EmbeddedTxn, signal: AbortSignal): Promise<CommitOutcome> {
    let applied = false;
    const committed = this.root.childTransaction((): CommitOutcome => {
      if (signal.aborted) return "aborted";
      if (!txn.validate()) return "conflict";
      const revision = decodeUint64(this.meta.getBinaryFast(asBuffer(META_REVISION_KEY))) + 1n;
      this.meta.putSync(asBuffer(META_REVISION_KEY), asBuffer(encodeUint64(revision)));
      const events = txn.apply(revision);
      applied = true;
      return { revision, events };
    });
    this.inFlight.add(committed);
    committed.then(
      () => this.inFlight.delete(committed),
      () => this.inFlight.delete(committed),
    );
    try {
      return await raceAbort(committed, signal, "commit");
    } catch (err) {
      if (applied && err instanceof DeadlineExceededError) return committed;
      throw err;
    }
  }

  private beginRead(opts: ReadOptions | undefined, what: string): void {
    if (this.closed) throw new UnavailableError("embedded store is closed");
    // Reads are synchronous memory-map lookups: nothing to wait for, so the only bound
    // needed is not to start once the caller has given up.
    if (opts?.signal?.aborted) throw abortError(opts.signal, what);
    // lmdb-js reuses one read snapshot until the next event-loop turn or local commit; a
    // linearizable read takes a fresh one so that commits acknowledged by another
    // process sharing the directory are visible at once.
    if (opts?.consistency !== "serializable") this.root.resetReadTxn();
  }
}
