// One parsed S3 request as the operations see it.

import type { ServiceRequest } from "../../aws/service.ts";
import type { S3Context } from "../context.ts";
import { keys, decodeRecord, type BucketRecord, type Tag } from "../keyspace.ts";
import { S3Errors } from "../wire/errors.ts";
import { headerName, parseChecksumRequest } from "../wire/checksum-headers.ts";
import { digestOf } from "../storage/hashing.ts";
import { asArray, parseXmlBody, textOf, verifyContentMd5 } from "../wire/xml-io.ts";
import { readWholeBody } from "../wire/request-body.ts";

export interface S3Call {
  ctx: S3Context;
  req: ServiceRequest;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: Headers;
  signal: AbortSignal;
}

export async function readBucket(ctx: S3Context, bucket: string, signal: AbortSignal): Promise<BucketRecord | undefined> {
  const kv = await ctx.store.get(keys.bucket(bucket), { signal });
  return kv ? decodeRecord<BucketRecord>(kv.value) : undefined;
}

export async function requireBucket(call: S3Call): Promise<BucketRecord> {
  const b = await readBucket(call.ctx, call.bucket, call.signal);
  if (!b) throw S3Errors.noSuchBucket(call.bucket);
  return b;
}

/** Largest XML configuration body we accept (Delete with 1000 long keys fits). */
export const MAX_XML_BODY = 4 * 1024 * 1024;

/**
 * Read a small body whole and verify Content-MD5 and any x-amz-checksum-* it carries.
 * `bodyChecksum: false` where an x-amz-checksum-* header describes something else
 * (CompleteMultipartUpload: the object's checksum, not the XML's).
 */
export async function readVerifiedBody(call: S3Call, maxBytes: number, bodyChecksum = true): Promise<Uint8Array> {
  const bytes = await readWholeBody(call.req, maxBytes, call.signal, S3Errors.malformedXml);
  verifyContentMd5(call.headers, bytes);
  if (!bodyChecksum) return bytes;
  const cs = parseChecksumRequest(call.headers);
  if (cs) {
    let expected = cs.value;
    if (cs.fromTrailer) {
      const t = await call.req.trailers;
      expected = t.get(headerName(cs.algorithm)) ?? undefined;
    }
    if (expected !== undefined) {
      const actual = Buffer.from(await digestOf(cs.algorithm, bytes)).toString("base64");
      if (actual !== expected) throw S3Errors.badDigestChecksum(cs.algorithm);
    }
  }
  return bytes;
}

/** A configuration body (verified as readVerifiedBody does) parsed as XML under `root`; empty is MalformedXML. */
export async function readXml(call: S3Call, root: string, maxBytes = MAX_XML_BODY, bodyChecksum = true): Promise<Record<string, unknown>> {
  const bytes = await readVerifiedBody(call, maxBytes, bodyChecksum);
  if (bytes.length === 0) throw S3Errors.malformedXml();
  return parseXmlBody(bytes, root);
}

/** `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>` */
export function parseTagSet(doc: Record<string, unknown>): Tag[] {
  const set = doc["TagSet"];
  if (set === undefined) throw S3Errors.malformedXml();
  const tags: Tag[] = [];
  const tagList = typeof set === "object" && set !== null ? (set as Record<string, unknown>)["Tag"] : undefined;
  for (const t of asArray(tagList)) {
    if (typeof t !== "object" || t === null) throw S3Errors.malformedXml();
    const r = t as Record<string, unknown>;
    const Key = textOf(r["Key"]);
    const Value = textOf(r["Value"]) ?? "";
    if (Key === undefined) throw S3Errors.malformedXml();
    tags.push({ Key, Value });
  }
  return tags;
}

export function tagSetXml(tags: Tag[]): Record<string, unknown> {
  return { TagSet: { Tag: tags.map((t) => ({ Key: t.Key, Value: t.Value })) } };
}

export function ownerXml(call: S3Call): { ID: string; DisplayName: string } {
  return { ID: call.req.principal.ownerId, DisplayName: call.req.principal.displayName };
}

/**
 * A response without a body. It says `Content-Length: 0`, as S3 does: left out, Node
 * would frame the empty body as `Transfer-Encoding: chunked`.
 */
export function emptyResponse(status = 200, headers?: Record<string, string> | Headers): Response {
  if (status === 204) return new Response(null, { status, headers });
  if (headers instanceof Headers) headers.set("content-length", "0");
  else headers = { ...headers, "content-length": "0" };
  return new Response(null, { status, headers });
}
