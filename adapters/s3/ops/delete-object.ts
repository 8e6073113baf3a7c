// DeleteObject (with If-Match) and DeleteObjects (quiet and verbose, at most 1000 keys).

import { keys, decodeManifest } from "../keyspace.ts";
import type { S3Context } from "../context.ts";
import { S3Errors } from "../wire/errors.ts";
import { etagMatches } from "../wire/conditionals.ts";
import { asArray, textOf, xmlResponse } from "../wire/xml-io.ts";
import { AwsError } from "../../aws/errors.ts";
import { retire } from "./commit.ts";
import { checkVersionId } from "./get-object.ts";
import { emptyResponse, readXml, requireBucket, type S3Call } from "./call.ts";

const DELETE_CONCURRENCY = 8;
export const MAX_DELETE_KEYS = 1000;

async function deleteOne(ctx: S3Context, bucket: string, key: string, ifMatch: string | undefined, signal: AbortSignal): Promise<void> {
  await ctx.store.transact(
    async (txn) => {
      if (!(await txn.get(keys.bucket(bucket)))) throw S3Errors.noSuchBucket(bucket);
      const raw = await txn.get(keys.object(bucket, key));
      const old = raw ? decodeManifest(raw) : undefined;
      if (ifMatch !== undefined) {
        if (!old) throw S3Errors.noSuchKey(key);
        if (!etagMatches(ifMatch, old.etag)) throw S3Errors.preconditionFailed("If-Match");
      }
      if (!old) return;
      txn.delete(keys.object(bucket, key));
      retire(ctx, txn, old);
    },
    { signal, family: "s3.manifest" },
  );
}

/** Any x-amz-bypass-governance-retention, even `false`, is refused by a bucket without Object Lock. */
async function refuseGovernanceBypass(call: S3Call): Promise<void> {
  if (!call.headers.has("x-amz-bypass-governance-retention")) return;
  await requireBucket(call);
  throw S3Errors.bypassGovernanceWithoutLock();
}

export async function deleteObject(call: S3Call): Promise<Response> {
  checkVersionId(call.query);
  await refuseGovernanceBypass(call);
  const ifMatch = call.headers.get("if-match") ?? undefined;
  await deleteOne(call.ctx, call.bucket, call.key, ifMatch, call.signal);
  return emptyResponse(204);
}

interface DeleteTarget {
  key: string;
  versionId?: string;
  etag?: string;
}

export async function deleteObjects(call: S3Call): Promise<Response> {
  const hasDigest = call.headers.has("content-md5") || [...call.headers.keys()].some((k) => k.startsWith("x-amz-checksum-")) || call.headers.has("x-amz-sdk-checksum-algorithm");
  if (!hasDigest) throw S3Errors.invalidRequest("Missing required header for this request: Content-MD5");
  await refuseGovernanceBypass(call);
  await requireBucket(call);
  const doc = await readXml(call, "Delete");
  const objects = asArray(doc["Object"]);
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw S3Errors.malformedXml();
  const quiet = (textOf(doc["Quiet"]) ?? "false").trim().toLowerCase() === "true";
  const targets: DeleteTarget[] = objects.map((o) => {
    if (typeof o !== "object" || o === null) throw S3Errors.malformedXml();
    const r = o as Record<string, unknown>;
    const key = textOf(r["Key"]);
    if (key === undefined) throw S3Errors.malformedXml();
    return { key, versionId: textOf(r["VersionId"]), etag: textOf(r["ETag"]) };
  });
  const results: ({ ok: true } | { ok: false; code: string; message: string })[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i]!;
      try {
        // No version but "null" exists in a bucket that was never versioned. Unlike DeleteObject's
        // InvalidArgument, DeleteObjects reports NoSuchVersion for the key (LocalStack's
        // test_s3_api.snapshot.json, TestS3ObjectCRUD::test_delete_objects, recorded on AWS).
        if (t.versionId !== undefined && t.versionId !== "null") throw S3Errors.noSuchVersion(t.key, t.versionId);
        if (Buffer.byteLength(t.key) > 1024) throw S3Errors.keyTooLong(Buffer.byteLength(t.key));
        await deleteOne(call.ctx, call.bucket, t.key, t.etag, call.signal);
        results[i] = { ok: true };
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        results[i] = { ok: false, code: err.code, message: err.message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, targets.length) }, worker));
  const deleted: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  targets.forEach((t, i) => {
    const r = results[i]!;
    if (r.ok) {
      if (!quiet) deleted.push(t.versionId !== undefined ? { Key: t.key, VersionId: t.versionId } : { Key: t.key });
    } else {
      errors.push({ Key: t.key, ...(t.versionId !== undefined ? { VersionId: t.versionId } : {}), Code: r.code, Message: r.message });
    }
  });
  const body: Record<string, unknown> = {};
  if (deleted.length) body["Deleted"] = deleted;
  if (errors.length) body["Error"] = errors;
  return xmlResponse("DeleteResult", body);
}
