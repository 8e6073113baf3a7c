// One attempt of an optimistic embedded transaction: reads go through one lmdb read
// snapshot and are remembered (absence included), writes are buffered, and the commit
// (store.ts) validates the remembered reads inside lmdb's write transaction.

import type { Database, RangeOptions, Transaction } from "lmdb";
import { DeadlineExceededError, UnavailableError } from "../errors.ts";
import type { KeyValue, ScanOptions, ScanResult, StoreLimits, Txn, WatchEvent } from "../store.ts";
import { checkKey, checkValue } from "./limits.ts";
import { asBuffer, compareBytes, isEmptyRange, lmdbRange } from "./range.ts";
import { encodeRecord, recordRevision, recordValue } from "./record.ts";

export type KvDatabase = Database<Buffer, Buffer>;

const EMPTY = new Uint8Array(0);

/**
 * modRevision reported for a key this transaction has written but not yet committed
 * (read-your-writes inside a txn scan): its real revision is only known at commit.
 */
export const UNCOMMITTED_REVISION = 0n;

interface PointRead {
  key: Uint8Array;
  /** undefined: the key was absent in the snapshot. */
  revision: bigint | undefined;
}

interface SeenKey {
  key: Uint8Array;
  revision: bigint;
}

/**
 * The part of the keyspace a scan's answer depends on, in ascending key order, with every
 * key the snapshot held there. At commit the span must hold exactly the same keys at the
 * same revisions: nothing added (phantom), removed or modified.
 */
interface ScannedSpan {
  low: Uint8Array;
  /** Exclusive range end, or (when `highInclusive`) the last key the scan looked at. */
  high: Uint8Array;
  highInclusive: boolean;
  seen: SeenKey[];
}

interface BufferedWrite {
  key: Uint8Array;
  /** Encoded record (revision filled in at commit); undefined for a delete. */
  record: Uint8Array | undefined;
}

export class EmbeddedTxn implements Txn {
  private readonly reads = new Map<string, PointRead>();
  private readonly spans: ScannedSpan[] = [];
  private readonly writes = new Map<string, BufferedWrite>();
  private closed = false;

  constructor(
    private readonly kv: KvDatabase,
    private readonly snapshot: Transaction,
    private readonly limits: StoreLimits,
    readonly signal: AbortSignal,
    /** False once the store is closing: lmdb must not be touched any more. */
    private readonly storeOpen: () => boolean,
  ) {}

  /** After close the body may still be running (it was abandoned); it must not touch lmdb. */
  close(): void {
    this.closed = true;
  }

  get hasWrites(): boolean {
    return this.writes.size > 0;
  }

  /** Writes plus read-set compares, as StoreLimits.maxTxnOps counts them. */
  get opCount(): number {
    return this.writes.size + this.reads.size + this.spans.length;
  }

  get requestBytes(): number {
    let n = 0;
    for (const w of this.writes.values()) n += w.key.length + (w.record ? w.record.length - 8 : 0);
    return n;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.ensureOpen();
    const id = keyId(key);
    const own = this.writes.get(id);
    if (own) return own.record && recordValue(own.record);
    // Such keys can never have been stored, so their absence cannot change either.
    if (key.length === 0 || key.length > this.limits.maxKeyBytes) return undefined;
    const record = this.kv.get(asBuffer(key), { transaction: this.snapshot });
    if (!this.reads.has(id)) {
      this.reads.set(id, { key: key.slice(), revision: record && recordRevision(record) });
    }
    return record && recordValue(record);
  }

  async scan(opts: Omit<ScanOptions, "signal" | "consistency">): Promise<ScanResult> {
    this.ensureOpen();
    const { start, end, reverse = false, keysOnly = false } = opts;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    if (isEmptyRange(start, end)) return { kvs: [], more: false };
    const order = reverse ? (a: Uint8Array, b: Uint8Array) => compareBytes(b, a) : compareBytes;
    const buffered = [...this.writes.values()]
      .filter((w) => compareBytes(w.key, start) >= 0 && compareBytes(w.key, end) < 0)
      .sort((a, b) => order(a.key, b.key));
    const range = { ...lmdbRange(start, end, this.limits.maxKeyBytes, reverse), transaction: this.snapshot };
    const it = this.kv.getRange(range)[Symbol.iterator]();
    const seen: SeenKey[] = [];
    const kvs: KeyValue[] = [];
    let more = false;
    let lastLooked: Uint8Array | undefined;
    try {
      let head = it.next();
      let bi = 0;
      for (;;) {
        const s = head.done ? undefined : head.value;
        const b = buffered[bi];
        if (!s && !b) break;
        // Merge snapshot and own writes in scan order; on the same key the write wins.
        const c = !s ? 1 : !b ? -1 : order(s.key, b.key);
        let entry: KeyValue | undefined;
        let key: Uint8Array;
        if (c <= 0) {
          const snap = s!;
          const revision = recordRevision(snap.value);
          seen.push({ key: snap.key, revision });
          head = it.next();
          key = snap.key;
          entry = { key, value: keysOnly ? EMPTY : recordValue(snap.value), modRevision: revision };
        }
        if (c >= 0) {
          const own = b!;
          bi++;
          key = own.key;
          entry = own.record && {
            key: own.key.slice(),
            value: keysOnly ? EMPTY : recordValue(own.record),
            modRevision: UNCOMMITTED_REVISION,
          };
        }
        if (!entry) continue;
        if (kvs.length >= limit) {
          more = true;
          lastLooked = key!;
          break;
        }
        kvs.push(entry);
      }
    } finally {
      it.return?.();
    }
    if (reverse) seen.reverse();
    // The answer depends on [start, end) when the scan ran to the end, else only on the
    // part up to (and including) the first key it did not return.
    let span: ScannedSpan;
    if (!lastLooked) span = { low: start, high: end, highInclusive: false, seen };
    else if (!reverse) span = { low: start, high: lastLooked, highInclusive: true, seen };
    else span = { low: lastLooked, high: end, highInclusive: false, seen };
    this.spans.push({ ...span, low: span.low.slice(), high: span.high.slice() });
    return { kvs, more };
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.ensureOpen();
    checkKey(key, this.limits);
    checkValue(value, this.limits);
    // Encoding copies the value, so the caller may reuse its buffer after put returns.
    this.writes.set(keyId(key), { key: key.slice(), record: encodeRecord(UNCOMMITTED_REVISION, value) });
  }

  delete(key: Uint8Array): void {
    this.ensureOpen();
    checkKey(key, this.limits);
    this.writes.set(keyId(key), { key: key.slice(), record: undefined });
  }

  /**
   * Run inside lmdb's write transaction (reads there see every commit before this one,
   * including earlier commits of the same batch): is every remembered read unchanged?
   */
  validate(): boolean {
    for (const r of this.reads.values()) {
      const current = this.kv.getBinaryFast(asBuffer(r.key));
      const revision = current === undefined ? undefined : recordRevision(current);
      if (revision !== r.revision) return false;
    }
    for (const span of this.spans) {
      const range: RangeOptions = span.highInclusive
        ? { ...lmdbRange(span.low, EMPTY, this.limits.maxKeyBytes), end: asBuffer(span.high), inclusiveEnd: true }
        : lmdbRange(span.low, span.high, this.limits.maxKeyBytes);
      let i = 0;
      for (const { key, value } of this.kv.getRange(range)) {
        const expected = span.seen[i++];
        if (!expected || compareBytes(expected.key, key) !== 0 || expected.revision !== recordRevision(value)) {
          return false;
        }
      }
      if (i !== span.seen.length) return false;
    }
    return true;
  }

  /** Run inside lmdb's write transaction after validate(); returns the change events. */
  apply(revision: bigint): WatchEvent[] {
    const events: WatchEvent[] = [];
    for (const w of this.writes.values()) {
      const key = asBuffer(w.key);
      if (w.record) {
        new DataView(w.record.buffer, w.record.byteOffset, 8).setBigUint64(0, revision);
        this.kv.putSync(key, asBuffer(w.record));
        events.push({ type: "put", key: w.key, modRevision: revision });
      } else if (this.kv.removeSync(key)) {
        events.push({ type: "delete", key: w.key, modRevision: revision });
      }
    }
    return events;
  }

  private ensureOpen(): void {
    if (!this.storeOpen()) throw new UnavailableError("embedded store is closed");
    if (this.closed) throw new DeadlineExceededError("transaction already ended");
    if (this.signal.aborted) throw new DeadlineExceededError("transaction: deadline exceeded", { cause: this.signal.reason });
  }
}

/** A Map key for bytes: latin1 maps each byte to one UTF-16 unit, so it is a bijection. */
function keyId(key: Uint8Array): string {
  return asBuffer(key).toString("latin1");
}
