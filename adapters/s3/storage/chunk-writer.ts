// Streams a body into chunks under a fresh data id. A lease entry in the GC queue claims
// the id, committed with the first chunk (never after it); every later chunk commit
// re-reads that lease, so once the GC has taken an expired lease no further chunk can land
// (nothing leaks behind it). The caller's manifest/part commit then deletes the lease in
// the same transaction that makes the data reachable, and may carry the last chunk itself
// (`holdTail`): an upload of N chunks costs N commits, not N + 2.
import { keys, encodeRecord, decodeRecord, newId, type GcEntry, type Segment } from "../keyspace.ts";
import type { S3Context } from "../context.ts";
import type { Digest } from "./hashing.ts";
import { S3Errors } from "../wire/errors.ts";

/** Chunk commits in flight per upload: up to 3, and at most ~4 MiB of them. */
function maxInflight(chunkBytes: number): number {
  return Math.max(1, Math.min(3, Math.floor((4 * 1024 * 1024) / chunkBytes)));
}

// Chunk buffers are reused across uploads. A fresh 2 MiB buffer per chunk was zero-filled,
// page-faulted in, and (with the store's own copy of it) made V8 run its GC far more often:
// an 8 MiB PUT spent ~20 ms in GC threads. A buffer comes back only after the commit that
// wrote it succeeded (the store copied or sent it by then); on any failure it is dropped.
const POOL_MAX_BYTES = 32 * 1024 * 1024;
const pool: Uint8Array[] = [];

function takeChunkBuffer(size: number): Uint8Array {
  for (;;) {
    const b = pool.pop();
    if (b === undefined) return new Uint8Array(size);
    if (b.length === size) return b;
  }
}

/** Give a chunk buffer nothing references any more back for reuse. */
export function recycleChunkBuffer(b: Uint8Array): void {
  if (b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) return;
  if ((pool.length + 1) * b.length > POOL_MAX_BYTES) return;
  pool.push(b);
}

/** The writer's lease was taken by the GC (the upload stalled past its lease). */
export class LeaseLostError extends Error {}

export interface WrittenData {
  segment: Segment;
  size: number;
  /**
   * Whether a lease on `segment.id` exists (the commit must check and end it). Always true
   * without `holdTail`; with it, false when everything fit in the tail and nothing was
   * written yet (data and manifest then land together, needing no lease).
   */
  leased: boolean;
  /** With `holdTail`: the last chunk, not yet written: the caller's commit must put it. */
  tail?: { key: Uint8Array; bytes: Uint8Array };
}

export async function openLease(ctx: S3Context, dataId: string, signal: AbortSignal): Promise<void> {
  const entry: GcEntry = { kind: "lease", ids: [dataId], due: Date.now() + ctx.options.writeLeaseMs };
  await ctx.store.transact(
    async (txn) => {
      txn.put(keys.gc(dataId), encodeRecord(entry));
    },
    { signal, family: "s3.lease" },
  );
}

/** Give the chunks up now (failed upload) so the GC reclaims them without waiting. */
export async function releaseLease(ctx: S3Context, dataId: string): Promise<void> {
  const entry: GcEntry = { kind: "dead", ids: [dataId], due: 0 };
  try {
    await ctx.store.transact(
      async (txn) => {
        const cur = await txn.get(keys.gc(dataId));
        if (!cur) return;
        const e = decodeRecord<GcEntry>(cur);
        if (e.kind !== "lease") return;
        txn.put(keys.gc(dataId), encodeRecord(entry));
      },
      { signal: AbortSignal.timeout(5_000), family: "s3.lease" },
    );
  } catch (err) {
    // The lease still expires on its own; the GC takes it then.
    ctx.logger.warn({ err, dataId }, "s3: could not release write lease");
  }
}

/** The first chunk, with the lease that claims its (fresh, unshared) data id. */
async function putFirstChunk(ctx: S3Context, dataId: string, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
  const entry: GcEntry = { kind: "lease", ids: [dataId], due: Date.now() + ctx.options.writeLeaseMs };
  await ctx.store.transact(
    async (txn) => {
      txn.put(keys.gc(dataId), encodeRecord(entry));
      txn.put(keys.chunk(dataId, 0), bytes);
    },
    { signal, family: "s3.chunk" },
  );
}

async function putChunk(ctx: S3Context, dataId: string, index: number, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
  await ctx.store.transact(
    async (txn) => {
      const raw = await txn.get(keys.gc(dataId));
      if (!raw) throw new LeaseLostError(`lease of ${dataId} is gone`);
      const lease = decodeRecord<GcEntry>(raw);
      const now = Date.now();
      if (lease.kind !== "lease" || lease.due <= now) throw new LeaseLostError(`lease of ${dataId} expired`);
      if (lease.due - now < ctx.options.writeLeaseMs / 2) {
        txn.put(keys.gc(dataId), encodeRecord({ ...lease, due: now + ctx.options.writeLeaseMs }));
      }
      txn.put(keys.chunk(dataId, index), bytes);
    },
    { signal, family: "s3.chunk" },
  );
}


/**
 * Write `source` as chunks of `ctx.chunkBytes` under a new data id, the lease opened with the
 * first chunk (or alone, for an empty body, unless `holdTail`). With `holdTail` the last
 * chunk is returned unwritten, for the caller's commit to put. On any failure the lease is
 * released and the error rethrown.
 */
export async function writeChunks(
  ctx: S3Context,
  source: AsyncIterable<Uint8Array>,
  opts: { signal: AbortSignal; digests: Digest[]; expectedLength?: number; maxBytes?: number; holdTail?: boolean },
): Promise<WrittenData> {
  const dataId = newId();
  const size = ctx.chunkBytes;
  // The tail shares its commit with a manifest or part record (and whatever GC entry that
  // queues): only when a chunk leaves at least half of a commit's room for them.
  const holdTail = opts.holdTail === true && size * 2 <= ctx.store.limits.maxRequestBytes;
  let total = 0;
  let index = 0;
  let buf = takeChunkBuffer(size);
  let fill = 0;
  // A few chunk commits stay in flight while the next chunk is read from the client: a
  // replicated store's round trips overlap, and memory stays a few chunks per upload.
  // Later chunks start only once the first (which carries the lease) has committed.
  const inflight: Promise<void>[] = [];
  let first: Promise<void> | undefined;
  const flush = async () => {
    if (fill === 0) return;
    const full = fill === size;
    const out = full ? buf : buf.slice(0, fill);
    if (!full) recycleChunkBuffer(buf);
    if (inflight.length >= maxInflight(size)) await inflight.shift();
    const i = index++;
    let p: Promise<void>;
    if (first === undefined) p = first = putFirstChunk(ctx, dataId, out, opts.signal);
    else p = first.then(() => putChunk(ctx, dataId, i, out, opts.signal));
    // Once committed the store holds its own copy: the buffer serves the next chunk.
    p.then(() => (full ? recycleChunkBuffer(out) : undefined), () => {});
    inflight.push(p);
    buf = takeChunkBuffer(size);
    fill = 0;
  };
  try {
    for await (const piece of source) {
      for (const d of opts.digests) d.update(piece);
      total += piece.length;
      if (opts.maxBytes !== undefined && total > opts.maxBytes) throw S3Errors.entityTooLarge(total, opts.maxBytes);
      if (opts.expectedLength !== undefined && total > opts.expectedLength) throw S3Errors.incompleteBody();
      let off = 0;
      while (off < piece.length) {
        // A full chunk goes out once more bytes follow it: the last one may be the tail.
        if (fill === size) await flush();
        const n = Math.min(size - fill, piece.length - off);
        buf.set(piece.subarray(off, off + n), fill);
        fill += n;
        off += n;
      }
    }
    if (opts.expectedLength !== undefined && total !== opts.expectedLength) throw S3Errors.incompleteBody();
    let tail: WrittenData["tail"];
    if (holdTail && fill > 0) {
      tail = { key: keys.chunk(dataId, index), bytes: fill === size ? buf : buf.slice(0, fill) };
      if (fill < size) recycleChunkBuffer(buf);
    } else {
      await flush();
      recycleChunkBuffer(buf);
    }
    for (const p of inflight.splice(0)) await p;
    let leased = first !== undefined;
    if (!leased && !holdTail) {
      // Nothing written (an empty body): callers still commit against a lease.
      await openLease(ctx, dataId, opts.signal);
      leased = true;
    }
    return { segment: { id: dataId, size: total, chunkBytes: size }, size: total, leased, tail };
  } catch (err) {
    await Promise.allSettled(inflight);
    await releaseLease(ctx, dataId);
    throw err;
  }
}
