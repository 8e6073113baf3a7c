// One attempt of an optimistic transaction against etcd.
//
// All reads of an attempt see one snapshot: the first read is linearizable and pins its
// header revision R; later reads ask for `revision: R`. Each key read remembers its
// mod_revision (0 when absent). The commit is one etcd Txn whose compares say "nothing I
// read changed" and whose success branch holds the buffered writes:
// - a key read: mod_revision == seen (0 also matches absence);
// - a scan: over the span it covered, every key has mod_revision < R+1 (no key was put
//   there after R, which catches phantoms), plus the per-key compares of the keys it
//   returned (which catch deletes, invisible to a range compare).

import {
  CompareResult,
  CompareTarget,
  SortOrder,
  SortTarget,
  type ICompare,
  type IRangeRequest,
  type IRangeResponse,
  type IRequestOp,
  type ITxnRequest,
} from "etcd3";
import { KvError, TooLargeError, WriteConflictError } from "../errors.ts";
import type { KeyValue, ScanOptions, ScanResult, StoreLimits, Txn } from "../store.ts";
import { join, lowKey, mapKey, view } from "./bytes.ts";

/** What a transaction attempt needs from the store. */
export interface TxnBackend {
  readonly prefix: Buffer;
  readonly limits: StoreLimits;
  readonly maxScanLimit: number;
  /** A range read inside a transaction (stale revisions map to WriteConflictError). */
  txnRange(req: IRangeRequest, signal: AbortSignal, deadline: number): Promise<IRangeResponse>;
}

/** Bytes etcd's protobuf framing adds per op/compare, for the pre-send size estimate. */
const PER_OP_OVERHEAD = 32;

interface Write {
  key: Buffer;
  value: Buffer | undefined;
}

export class EtcdTxn implements Txn {
  private revision: string | undefined;
  private readonly seen = new Map<string, { key: Buffer; mod: string }>();
  /** Scanned spans, each with the revision its scan was served at. */
  private readonly spans: { start: Buffer; end: Buffer; at: string }[] = [];
  private readonly writes = new Map<string, Write>();

  constructor(
    private readonly backend: TxnBackend,
    readonly signal: AbortSignal,
    private readonly deadline: number,
  ) {}

  /**
   * A read at the attempt's pinned revision, and the revision it was served at. Reads a
   * body starts in parallel before the first answer are each served at their own
   * revision; the per-key compares keep that serializable, and each scan's span compare
   * uses the revision of its own answer.
   */
  private async range(req: IRangeRequest): Promise<{ resp: IRangeResponse; at: string }> {
    const pinned = this.revision;
    if (pinned !== undefined) {
      // The snapshot is fixed, so any member that has applied R can answer without a
      // quorum round trip.
      req.revision = pinned;
      req.serializable = true;
    }
    const resp = await this.backend.txnRange(req, this.signal, this.deadline);
    // An unpinned answer reflects the store at its header revision; a pinned one reflects R
    // (its header then carries the store's current revision instead).
    const at = pinned ?? resp.header.revision;
    this.revision ??= at;
    return { resp, at };
  }

  private remember(key: Buffer, mod: string): void {
    const k = mapKey(key);
    if (!this.seen.has(k)) this.seen.set(k, { key, mod });
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const full = join(this.backend.prefix, key);
    const w = this.writes.get(mapKey(full));
    if (w) return w.value ? view(w.value) : undefined;
    const { resp } = await this.range({ key: full });
    const kv = resp.kvs[0];
    this.remember(full, kv ? kv.mod_revision : "0");
    return kv ? view(kv.value) : undefined;
  }

  async scan(opts: Omit<ScanOptions, "signal" | "consistency">): Promise<ScanResult> {
    const p = this.backend.prefix;
    const start = lowKey(join(p, opts.start));
    const end = join(p, opts.end);
    if (Buffer.compare(start, end) >= 0) return { kvs: [], more: false };
    const inSpan = [...this.writes.values()].filter(
      (w) => Buffer.compare(w.key, start) >= 0 && Buffer.compare(w.key, end) < 0,
    );
    const deletes = inSpan.filter((w) => !w.value).length;
    const limit = Math.min(opts.limit ?? this.backend.maxScanLimit, this.backend.maxScanLimit);
    const req: IRangeRequest = { key: start, range_end: end, limit: limit + deletes };
    if (opts.reverse) {
      req.sort_order = SortOrder.Descend;
      req.sort_target = SortTarget.Key;
    }
    if (opts.keysOnly) req.keys_only = true;
    const { resp, at } = await this.range(req);

    // The span whose contents decided the answer: all of it, or up to the last key fetched.
    const last = resp.kvs[resp.kvs.length - 1]?.key;
    if (!resp.more || !last) this.spans.push({ start, end, at });
    else if (opts.reverse) this.spans.push({ start: last, end, at });
    else this.spans.push({ start, end: Buffer.concat([last, Buffer.from([0])]), at });

    const merged = new Map<string, { key: Buffer; kv: KeyValue }>();
    for (const kv of resp.kvs) {
      const k = mapKey(kv.key);
      if (this.writes.has(k)) continue;
      this.remember(kv.key, kv.mod_revision);
      merged.set(k, {
        key: kv.key,
        kv: {
          key: view(kv.key, p.length),
          value: opts.keysOnly ? new Uint8Array(0) : view(kv.value),
          modRevision: BigInt(kv.mod_revision),
        },
      });
    }
    for (const w of inSpan) {
      if (!w.value) continue;
      merged.set(mapKey(w.key), {
        key: w.key,
        kv: { key: view(w.key, p.length), value: opts.keysOnly ? new Uint8Array(0) : view(w.value), modRevision: 0n },
      });
    }
    const sorted = [...merged.values()].sort((a, b) => Buffer.compare(a.key, b.key));
    if (opts.reverse) sorted.reverse();
    const more = resp.more || sorted.length > limit;
    return { kvs: sorted.slice(0, limit).map((e) => e.kv), more };
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.checkKey(key);
    const { maxValueBytes } = this.backend.limits;
    if (value.length > maxValueBytes) throw new TooLargeError(`value of ${value.length} bytes exceeds ${maxValueBytes}`);
    const full = join(this.backend.prefix, key);
    this.writes.set(mapKey(full), { key: full, value: Buffer.from(value.buffer, value.byteOffset, value.length) });
  }

  delete(key: Uint8Array): void {
    this.checkKey(key);
    const full = join(this.backend.prefix, key);
    this.writes.set(mapKey(full), { key: full, value: undefined });
  }

  /** Checked when buffered, so the body fails at the offending write. */
  private checkKey(key: Uint8Array): void {
    if (key.length === 0) throw new KvError("empty keys are not allowed");
    const { maxKeyBytes } = this.backend.limits;
    if (key.length > maxKeyBytes) throw new TooLargeError(`key of ${key.length} bytes exceeds ${maxKeyBytes}`);
  }

  get hasWrites(): boolean {
    return this.writes.size > 0;
  }

  /**
   * The commit request, or TooLargeError before anything is sent. Compares count against
   * maxTxnOps together with the writes (the Store contract's budget; stricter than etcd,
   * which bounds compares and ops separately).
   */
  commitRequest(): ITxnRequest {
    const { limits } = this.backend;
    const compare: ICompare[] = [];
    let bytes = 0;
    for (const { key, mod } of this.seen.values()) {
      compare.push({ key, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: mod });
      bytes += key.length + PER_OP_OVERHEAD;
    }
    for (const { start, end, at } of this.spans) {
      const next = (BigInt(at) + 1n).toString();
      compare.push({ key: start, range_end: end, target: CompareTarget.Mod, result: CompareResult.Less, mod_revision: next });
      bytes += start.length + end.length + PER_OP_OVERHEAD;
    }
    const success: IRequestOp[] = [];
    for (const { key, value } of this.writes.values()) {
      success.push(value ? { request_put: { key, value } } : { request_delete_range: { key } });
      bytes += key.length + (value?.length ?? 0) + PER_OP_OVERHEAD;
    }
    const ops = compare.length + success.length;
    if (ops > limits.maxTxnOps) {
      throw new TooLargeError(`transaction of ${ops} operations (compares + writes) exceeds ${limits.maxTxnOps}`);
    }
    if (bytes > limits.maxRequestBytes) {
      throw new TooLargeError(`transaction of ~${bytes} bytes exceeds ${limits.maxRequestBytes}`);
    }
    return { compare, success };
  }
}

export function conflict(family: string): WriteConflictError {
  return new WriteConflictError("transaction read set changed before commit", family);
}
