// Bucket operations: create, head, delete, list, location, versioning, tagging.

import { keys, decodeRecord, encodeRecord, type BucketRecord, type UploadRecord } from "../keyspace.ts";
import { S3Errors } from "../wire/errors.ts";
import { checkBucketName } from "../wire/names.ts";
import { isoDate, parseXmlBody, textOf, verifyContentMd5, xmlResponse } from "../wire/xml-io.ts";
import { readWholeBody } from "../wire/request-body.ts";
import { validateBucketTags } from "../wire/tags.ts";
import { deadEntry } from "../storage/gc.ts";
import { requireManifest } from "./get-object.ts";
import { checkCreateBucketAcl } from "./acl.ts";
import { emptyResponse, ownerXml, parseTagSet, readXml, requireBucket, tagSetXml, type S3Call } from "./call.ts";

/** Uploads a DeleteBucket may abort in its own transaction. */
const MAX_UPLOADS_ABORTED_BY_DELETE = 32;

export async function createBucket(call: S3Call): Promise<Response> {
  const { ctx, bucket } = call;
  checkBucketName(bucket);
  if ((call.headers.get("x-amz-bucket-object-lock-enabled") ?? "").toLowerCase() === "true") {
    throw S3Errors.notImplemented();
  }
  checkCreateBucketAcl(call.headers);
  const bytes = await readWholeBody(call.req, 64 * 1024, call.signal, S3Errors.malformedXml);
  verifyContentMd5(call.headers, bytes);
  let lc: string | undefined;
  if (bytes.length > 0 && Buffer.from(bytes).toString("utf8").trim() !== "") {
    lc = textOf(parseXmlBody(bytes, "CreateBucketConfiguration")["LocationConstraint"]) || undefined;
  }
  if (lc === "us-east-1") throw S3Errors.invalidLocationConstraint();
  // A bucket is made in us-east-1 unless a LocationConstraint names another Region, so
  // outside us-east-1 leaving it out is refused: "The unspecified location constraint is
  // incompatible for the region specific endpoint this request was sent to" (AWS's answer
  // to boto3's create_bucket without CreateBucketConfiguration; LocalStack's
  // validate_location_constraint).
  if (lc === undefined && ctx.region !== "us-east-1") throw S3Errors.illegalLocationConstraint(ctx.region, "unspecified");
  if (lc !== undefined && lc !== ctx.region) throw S3Errors.illegalLocationConstraint(ctx.region, lc);
  const region = ctx.region;
  const owner = call.req.principal;
  const record: BucketRecord = { name: bucket, region, created: Date.now(), ownerId: owner.ownerId, ownerName: owner.displayName };
  const outcome = await ctx.store.transact(
    async (txn) => {
      const cur = await txn.get(keys.bucket(bucket));
      if (cur) {
        const existing = decodeRecord<BucketRecord>(cur);
        return existing.ownerId === owner.ownerId ? "owned" : "taken";
      }
      txn.put(keys.bucket(bucket), encodeRecord(record));
      return "created";
    },
    { signal: call.signal, family: "s3.bucket" },
  );
  if (outcome === "taken") throw S3Errors.bucketAlreadyExists(bucket);
  // us-east-1 keeps its legacy answer: re-creating your own bucket succeeds.
  if (outcome === "owned" && ctx.region !== "us-east-1") throw S3Errors.bucketAlreadyOwnedByYou(bucket);
  return emptyResponse(200, { location: `/${bucket}` });
}

export async function headBucket(call: S3Call): Promise<Response> {
  const b = await requireBucket(call);
  return emptyResponse(200, { "x-amz-bucket-region": b.region, "x-amz-access-point-alias": "false" });
}

export async function deleteBucket(call: S3Call): Promise<Response> {
  const { ctx, bucket } = call;
  await ctx.store.transact(
    async (txn) => {
      const cur = await txn.get(keys.bucket(bucket));
      if (!cur) throw S3Errors.noSuchBucket(bucket);
      const objs = await txn.scan({ ...keys.objectRange(bucket), limit: 1, keysOnly: true });
      if (objs.kvs.length > 0) throw S3Errors.bucketNotEmpty(bucket);
      const ups = await txn.scan({ ...keys.uploadBucketRange(bucket), limit: MAX_UPLOADS_ABORTED_BY_DELETE + 1 });
      if (ups.kvs.length > MAX_UPLOADS_ABORTED_BY_DELETE) throw S3Errors.bucketNotEmpty(bucket);
      // In-progress multipart uploads go with the bucket.
      const aborted: string[] = [];
      for (const kv of ups.kvs) {
        aborted.push(decodeRecord<UploadRecord>(kv.value).uploadId);
        txn.delete(kv.key);
      }
      if (aborted.length > 0) {
        const gc = deadEntry([], 0, { abortedUploads: aborted });
        txn.put(gc.key, gc.value);
      }
      txn.delete(keys.bucket(bucket));
    },
    { signal: call.signal, family: "s3.bucket" },
  );
  return emptyResponse(204);
}

export async function listBuckets(call: S3Call): Promise<Response> {
  const { ctx, query } = call;
  const prefix = query.get("prefix") ?? "";
  const maxRaw = query.get("max-buckets");
  let max = 10_000;
  if (maxRaw !== null) {
    max = Number(maxRaw);
    if (!/^\d+$/.test(maxRaw) || max < 1 || max > 10_000) {
      throw S3Errors.invalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", maxRaw);
    }
  }
  const regionFilter = query.get("bucket-region");
  const token = query.get("continuation-token");
  let after: string | undefined;
  if (token !== null) {
    after = Buffer.from(token, "base64url").toString("utf8");
    if (token === "" || after === "") throw S3Errors.invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
  }
  const range = keys.bucketRange();
  let start = after !== undefined ? keys.bucket(after) : range.start;
  if (after !== undefined) {
    const s = new Uint8Array(start.length + 1);
    s.set(start);
    start = s;
  }
  const owner = call.req.principal.ownerId;
  const out: BucketRecord[] = [];
  let more = false;
  outer: for (;;) {
    const page = await ctx.store.scan({ start, end: range.end, limit: 1000, signal: call.signal });
    for (const kv of page.kvs) {
      const b = decodeRecord<BucketRecord>(kv.value);
      if (b.ownerId !== owner || !b.name.startsWith(prefix)) continue;
      if (regionFilter !== null && b.region !== regionFilter) continue;
      if (out.length === max) {
        more = true;
        break outer;
      }
      out.push(b);
    }
    if (!page.more || page.kvs.length === 0) break;
    const last = page.kvs[page.kvs.length - 1]!.key;
    start = new Uint8Array(last.length + 1);
    start.set(last);
  }
  const body: Record<string, unknown> = {
    Owner: ownerXml(call),
    Buckets: { Bucket: out.map((b) => ({ Name: b.name, CreationDate: isoDate(b.created), BucketRegion: b.region })) },
  };
  if (more) body["ContinuationToken"] = Buffer.from(out[out.length - 1]!.name).toString("base64url");
  if (query.has("prefix")) body["Prefix"] = prefix;
  return xmlResponse("ListAllMyBucketsResult", body);
}

export async function getBucketLocation(call: S3Call): Promise<Response> {
  const b = await requireBucket(call);
  return xmlResponse("LocationConstraint", { "#text": b.region === "us-east-1" ? "" : b.region });
}

export async function getBucketVersioning(call: S3Call): Promise<Response> {
  await requireBucket(call);
  return xmlResponse("VersioningConfiguration", {});
}

export async function updateBucket(call: S3Call, change: (b: BucketRecord) => BucketRecord): Promise<void> {
  await call.ctx.store.transact(
    async (txn) => {
      const cur = await txn.get(keys.bucket(call.bucket));
      if (!cur) throw S3Errors.noSuchBucket(call.bucket);
      txn.put(keys.bucket(call.bucket), encodeRecord(change(decodeRecord<BucketRecord>(cur))));
    },
    { signal: call.signal, family: "s3.bucket" },
  );
}

export async function putBucketTagging(call: S3Call): Promise<Response> {
  await requireBucket(call);
  const tags = validateBucketTags(parseTagSet(await readXml(call, "Tagging")));
  await updateBucket(call, (b) => ({ ...b, tags }));
  return emptyResponse(204);
}

export async function getBucketTagging(call: S3Call): Promise<Response> {
  const b = await requireBucket(call);
  if (!b.tags || b.tags.length === 0) throw S3Errors.noSuchTagSet(call.bucket);
  return xmlResponse("Tagging", tagSetXml(b.tags));
}

export async function deleteBucketTagging(call: S3Call): Promise<Response> {
  await updateBucket(call, (b) => {
    const { tags: _drop, ...rest } = b;
    return rest;
  });
  return emptyResponse(204);
}
