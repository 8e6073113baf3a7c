// The durable garbage-collection queue. Entries live in the store (keyspace "g"), so a
// crash anywhere leaves a record of what to reclaim: a write lease that will expire, or a
// dead entry written in the same transaction that dropped the last reference.
//
// Collecting an entry: turn an expired lease into a dead entry (which fences its writer
// out), delete the chunks of every id and the part records of finished or aborted
// uploads in bounded batches, then delete the entry. Every step is idempotent, so a crash
// mid-way just repeats it.

import { keys, decodeRecord, encodeRecord, newId, type GcEntry, type PartRecord, type UploadRecord } from "../keyspace.ts";
import type { S3Context } from "../context.ts";
import type { Range } from "../../../kvclient/store.ts";
import { bound, sleep } from "../../../kvclient/deadline.ts";

const ENTRY_PAGE = 64;
/** A GC pass that takes longer than this is abandoned; the next pass resumes from the queue. */
const PASS_BOUND_MS = 60_000;

function batchSize(ctx: S3Context): number {
  return Math.max(1, Math.min(ctx.store.limits.maxTxnOps - 8, 256));
}

async function deleteRange(ctx: S3Context, range: Range, signal: AbortSignal): Promise<number> {
  let n = 0;
  for (;;) {
    const page = await ctx.store.scan({ ...range, limit: batchSize(ctx), keysOnly: true, signal });
    if (page.kvs.length === 0) return n;
    await ctx.store.transact(
      async (txn) => {
        for (const kv of page.kvs) txn.delete(kv.key);
      },
      { signal, family: "s3.gc" },
    );
    n += page.kvs.length;
    if (!page.more) return n;
  }
}

/** Delete every part record of an upload; with `withData`, the parts' chunks too. */
async function dropParts(ctx: S3Context, uploadId: string, withData: boolean, signal: AbortSignal): Promise<void> {
  const range = keys.partRange(uploadId);
  for (;;) {
    const page = await ctx.store.scan({ ...range, limit: batchSize(ctx), keysOnly: !withData, signal });
    if (page.kvs.length === 0) return;
    if (withData) {
      for (const kv of page.kvs) {
        const part = decodeRecord<PartRecord>(kv.value);
        await deleteRange(ctx, keys.chunkRange(part.segment.id), signal);
      }
    }
    await ctx.store.transact(
      async (txn) => {
        for (const kv of page.kvs) txn.delete(kv.key);
      },
      { signal, family: "s3.gc" },
    );
    if (!page.more) return;
  }
}

export interface GcPassResult {
  collected: number;
  chunksDeleted: number;
}

/** Queue chunk sets and upload leftovers for collection after `delayMs`. Call inside a txn. */
export function deadEntry(ids: string[], delayMs: number, extra: Pick<GcEntry, "abortedUploads" | "finishedUploads"> = {}): {
  key: Uint8Array;
  value: Uint8Array;
} {
  const entry: GcEntry = { kind: "dead", ids, due: Date.now() + delayMs, ...extra };
  return { key: keys.gc(newId()), value: encodeRecord(entry) };
}

/** One pass over the queue: collect every entry that is due now. */
export async function collectOnce(ctx: S3Context, signal: AbortSignal): Promise<GcPassResult> {
  const result: GcPassResult = { collected: 0, chunksDeleted: 0 };
  let start = keys.gcRange().start;
  const end = keys.gcRange().end;
  for (;;) {
    const page = await ctx.store.scan({ start, end, limit: ENTRY_PAGE, signal });
    for (const kv of page.kvs) {
      const entry = decodeRecord<GcEntry>(kv.value);
      if (entry.due > Date.now()) continue;
      const taken = await ctx.store.transact(
        async (txn) => {
          const raw = await txn.get(kv.key);
          if (!raw) return undefined;
          const cur = decodeRecord<GcEntry>(raw);
          if (cur.due > Date.now()) return undefined;
          if (cur.kind === "lease") txn.put(kv.key, encodeRecord({ ...cur, kind: "dead" } satisfies GcEntry));
          return cur;
        },
        { signal, family: "s3.gc" },
      );
      if (!taken) continue;
      for (const id of taken.ids) result.chunksDeleted += await deleteRange(ctx, keys.chunkRange(id), signal);
      for (const u of taken.abortedUploads ?? []) await dropParts(ctx, u, true, signal);
      for (const u of taken.finishedUploads ?? []) await dropParts(ctx, u, false, signal);
      await ctx.store.transact(
        async (txn) => {
          txn.delete(kv.key);
        },
        { signal, family: "s3.gc" },
      );
      result.collected++;
    }
    if (!page.more || page.kvs.length === 0) return result;
    const last = page.kvs[page.kvs.length - 1]!.key;
    start = new Uint8Array(last.length + 1);
    start.set(last);
  }
}

/** Abort uploads idle for longer than the configured age. Returns how many. */
export async function reapAbandonedUploads(ctx: S3Context, signal: AbortSignal): Promise<number> {
  const maxAge = ctx.options.abandonedUploadMs;
  const range = keys.allUploads();
  let start = range.start;
  let reaped = 0;
  for (;;) {
    const page = await ctx.store.scan({ start, end: range.end, limit: ENTRY_PAGE, signal });
    for (const kv of page.kvs) {
      const up = decodeRecord<UploadRecord>(kv.value);
      const now = Date.now();
      if (up.touched + maxAge > now) continue;
      const lastPart = await latestPartTime(ctx, up.uploadId, signal);
      if (lastPart + maxAge > now) continue;
      const done = await ctx.store.transact(
        async (txn) => {
          const raw = await txn.get(kv.key);
          if (!raw) return false;
          const cur = decodeRecord<UploadRecord>(raw);
          if (cur.touched + maxAge > Date.now()) return false;
          txn.delete(kv.key);
          const gc = deadEntry([], 0, { abortedUploads: [cur.uploadId] });
          txn.put(gc.key, gc.value);
          return true;
        },
        { signal, family: "s3.upload" },
      );
      if (done) reaped++;
    }
    if (!page.more || page.kvs.length === 0) return reaped;
    const last = page.kvs[page.kvs.length - 1]!.key;
    start = new Uint8Array(last.length + 1);
    start.set(last);
  }
}

async function latestPartTime(ctx: S3Context, uploadId: string, signal: AbortSignal): Promise<number> {
  let latest = 0;
  const range = keys.partRange(uploadId);
  let start = range.start;
  for (;;) {
    const page = await ctx.store.scan({ start, end: range.end, limit: 256, signal, consistency: "serializable" });
    for (const kv of page.kvs) latest = Math.max(latest, decodeRecord<PartRecord>(kv.value).lastModified);
    if (!page.more || page.kvs.length === 0) return latest;
    const last = page.kvs[page.kvs.length - 1]!.key;
    start = new Uint8Array(last.length + 1);
    start.set(last);
  }
}

/** The background loop: bounded passes, abortable, a cheap scan when idle. */
export class GcWorker {
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly ctx: S3Context) {}

  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    this.loop = undefined;
    this.controller = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let lastReap = 0;
    while (!signal.aborted) {
      // One bound per pass, released when the pass ends: an AbortSignal.any or a sleep
      // that left its listener on the long-lived stop signal would add one per pass
      // (Node warned of 11 listeners on a gateway that had run for a few minutes).
      const pass = bound(signal, PASS_BOUND_MS);
      try {
        await collectOnce(this.ctx, pass.signal);
        const reapEvery = Math.max(this.ctx.options.gcIntervalMs, Math.min(60_000, this.ctx.options.abandonedUploadMs / 4));
        if (Date.now() - lastReap >= reapEvery) {
          lastReap = Date.now();
          await reapAbandonedUploads(this.ctx, pass.signal);
        }
      } catch (err) {
        if (!signal.aborted) this.ctx.logger.warn({ err }, "s3: gc pass failed");
      } finally {
        pass.dispose();
      }
      await sleep(this.ctx.options.gcIntervalMs, signal, "s3 gc").catch(() => {});
    }
  }
}
