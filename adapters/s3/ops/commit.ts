// The one small transaction that makes object data visible: fence the bucket with a read,
// check write preconditions against the current manifest, put the new manifest, end the
// writer's leases, and queue whatever data the old manifest owned alone for collection.

import { keys, decodeManifest, decodeRecord, encodeManifest, type GcEntry, type ObjectManifest } from "../keyspace.ts";
import type { S3Context } from "../context.ts";
import { S3Errors } from "../wire/errors.ts";
import { checkWriteConditions, type WriteConditions } from "../wire/conditionals.ts";
import { deadEntry } from "../storage/gc.ts";
import type { Txn } from "../../../kvclient/store.ts";

export interface CommitOptions {
  bucket: string;
  key: string;
  manifest: ObjectManifest;
  /** Data ids still held by write leases; the commit ends them. */
  leases: string[];
  conditions?: WriteConditions;
  signal: AbortSignal;
  /** Extra writes in the same transaction (e.g. retiring a multipart upload). */
  also?: (txn: Txn) => Promise<void>;
}

/** Lease gone or expired: the GC may already be reclaiming the data. */
export class LeaseExpiredError extends Error {}

export async function commitManifest(ctx: S3Context, o: CommitOptions): Promise<ObjectManifest | undefined> {
  return ctx.store.transact(
    async (txn) => {
      if (!(await txn.get(keys.bucket(o.bucket)))) throw S3Errors.noSuchBucket(o.bucket);
      const oldRaw = await txn.get(keys.object(o.bucket, o.key));
      const old = oldRaw ? decodeManifest(oldRaw) : undefined;
      if (o.conditions) {
        const failed = checkWriteConditions(o.conditions, old, o.key);
        if (failed) throw failed;
      }
      const now = Date.now();
      for (const id of o.leases) {
        const raw = await txn.get(keys.gc(id));
        const lease = raw ? decodeRecord<GcEntry>(raw) : undefined;
        if (!lease || lease.kind !== "lease" || lease.due <= now) throw new LeaseExpiredError(id);
        txn.delete(keys.gc(id));
      }
      if (o.also) await o.also(txn);
      txn.put(keys.object(o.bucket, o.key), encodeManifest(o.manifest));
      if (old) retire(ctx, txn, old, o.manifest);
      return old;
    },
    { signal: o.signal, family: "s3.manifest" },
  );
}

/** Queue the data of `old` that `replacement` does not reuse. Call inside a transaction. */
export function retire(ctx: S3Context, txn: Txn, old: ObjectManifest, replacement?: ObjectManifest): void {
  const keep = new Set(replacement?.segments.map((s) => s.id) ?? []);
  const ids = old.segments.map((s) => s.id).filter((id) => !keep.has(id));
  if (ids.length === 0) return;
  const gc = deadEntry(ids, ctx.options.readerGraceMs);
  txn.put(gc.key, gc.value);
}

export function leaseExpiredToS3(err: unknown): unknown {
  return err instanceof LeaseExpiredError ? S3Errors.internalError() : err;
}
