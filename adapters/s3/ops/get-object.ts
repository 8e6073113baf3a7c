// GetObject and HeadObject: one manifest version, preconditions, a range or a part, and a
// body streamed chunk by chunk from that version.

import { keys, decodeManifest, type ObjectManifest, type StoredChecksum } from "../keyspace.ts";
import type { S3Context } from "../context.ts";
import { S3Errors } from "../wire/errors.ts";
import { checkCopySourceConditions, checkReadConditions } from "../wire/conditionals.ts";
import type { CopySource } from "../wire/copy-source.ts";
import { parseRange, type ByteRange } from "../wire/range.ts";
import { objectResponseHeaders } from "../wire/object-headers.ts";
import { checksumHeaders } from "../wire/checksum-headers.ts";
import { rangeStream, singleChunkBytes } from "../storage/chunk-reader.ts";
import { readBucket, type S3Call } from "./call.ts";
import { AwsError } from "../../aws/errors.ts";

export function checkVersionId(query: URLSearchParams): void {
  const v = query.get("versionId");
  if (v !== null && v !== "null") throw S3Errors.invalidArgument("Invalid version id specified", "versionId", v);
}

export async function readManifest(ctx: S3Context, bucket: string, key: string, signal: AbortSignal): Promise<ObjectManifest | undefined> {
  const kv = await ctx.store.get(keys.object(bucket, key), { signal });
  return kv ? decodeManifest(kv.value) : undefined;
}

/** The manifest, or NoSuchKey / NoSuchBucket (the bucket is read only on a miss). */
async function existingManifest(ctx: S3Context, bucket: string, key: string, signal: AbortSignal): Promise<ObjectManifest> {
  const m = await readManifest(ctx, bucket, key, signal);
  if (m) return m;
  if (!(await readBucket(ctx, bucket, signal))) throw S3Errors.noSuchBucket(bucket);
  throw S3Errors.noSuchKey(key);
}

/** The request's object: its manifest, or NoSuchKey / NoSuchBucket. */
export function requireManifest(call: S3Call): Promise<ObjectManifest> {
  return existingManifest(call.ctx, call.bucket, call.key, call.signal);
}

/**
 * The source of a CopyObject or UploadPartCopy: its manifest, once it exists, can be read
 * (not archived) and meets the x-amz-copy-source-if-* preconditions.
 */
export async function readCopySource(ctx: S3Context, src: CopySource, h: Headers, signal: AbortSignal): Promise<ObjectManifest> {
  const m = await existingManifest(ctx, src.bucket, src.key, signal);
  checkReadable(m);
  checkCopySourceConditions(h, { etag: m.etag, lastModified: m.lastModified });
  return m;
}

/** Byte range of part `n` (1-based) of `m`. */
export function partRange(m: ObjectManifest, n: number): ByteRange {
  const sizes = m.parts ? m.parts.map((p) => p.size) : [m.size];
  if (!Number.isInteger(n) || n < 1 || n > sizes.length) {
    throw new AwsError("InvalidPartNumber", "The requested partnumber is not satisfiable", { status: 416, extra: { PartNumberRequested: n, ActualPartCount: sizes.length } });
  }
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += sizes[i]!;
  return { start, end: start + sizes[n - 1]! };
}

/**
 * Archived objects (GLACIER, DEEP_ARCHIVE) answer HEAD but not GET or a copy until restored,
 * as in S3; RestoreObject is not implemented, so here they stay archived.
 */
const ARCHIVED: ReadonlySet<string> = new Set(["GLACIER", "DEEP_ARCHIVE"]);

export function checkReadable(m: ObjectManifest): void {
  const sc = m.headers.storageClass;
  if (sc !== undefined && ARCHIVED.has(sc)) throw S3Errors.invalidObjectState(sc);
}

/**
 * The checksum a read of part `n` reports: the part's own for a COMPOSITE object (its
 * parts' checksums are what the object's is made of); the object's when the part is the
 * whole object; none otherwise (a FULL_OBJECT checksum of several parts covers no one part).
 */
function partChecksum(m: ObjectManifest, n: number): StoredChecksum | undefined {
  const c = m.checksum!;
  if (c.type === "COMPOSITE" && m.parts) return partOwn(m, n);
  return !m.parts || m.parts.length === 1 ? c : undefined;
}

function partOwn(m: ObjectManifest, n: number): StoredChecksum | undefined {
  const value = m.parts![n - 1]?.checksum;
  return value === undefined ? undefined : { algorithm: m.checksum!.algorithm, value, type: "COMPOSITE" };
}

export async function getOrHeadObject(call: S3Call, head: boolean): Promise<Response> {
  const { query, headers: h } = call;
  checkVersionId(query);
  const m = await requireManifest(call);
  if (!head) checkReadable(m);
  checkReadConditions(h, { etag: m.etag, lastModified: m.lastModified });
  const out = objectResponseHeaders(m, query);
  const partNumber = query.size > 0 ? query.get("partNumber") : null;
  let range: ByteRange | undefined;
  const rangeHeader = h.get("range");
  if (partNumber !== null) {
    if (rangeHeader !== null) throw S3Errors.invalidRequest("Cannot specify both Range header and partNumber query parameter");
    const n = Number(partNumber);
    if (!/^\d+$/.test(partNumber) || n < 1 || n > 10_000) {
      throw S3Errors.invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", partNumber);
    }
    range = partRange(m, n);
    // A plain object is its own single part: 206 with Content-Range, no parts count.
    if (m.parts) out["x-amz-mp-parts-count"] = String(m.parts.length);
    else if (m.size === 0) range = undefined;
  } else {
    range = parseRange(rangeHeader, m.size);
  }
  if (m.checksum && (h.get("x-amz-checksum-mode") ?? "").toUpperCase() === "ENABLED") {
    const c = partNumber === null ? (range === undefined ? m.checksum : undefined) : partChecksum(m, Number(partNumber));
    checksumHeaders(c, out);
  }
  let status = 200;
  let start = 0;
  let end = m.size;
  if (range) {
    status = 206;
    ({ start, end } = range);
    out["content-range"] = `bytes ${start}-${end - 1}/${m.size}`;
  }
  out["content-length"] = String(end - start);
  if (head || end === start) return new Response(head ? null : EMPTY, { status, headers: out });
  if (m.inline) return new Response(m.inline.slice(start, end), { status, headers: out });
  // One chunk's worth (every object up to the chunk size) is answered as one buffer.
  const whole = await singleChunkBytes(call.ctx, m.segments, start, end, call.signal);
  if (whole) return new Response(whole as Uint8Array<ArrayBuffer>, { status, headers: out });
  return new Response(rangeStream(call.ctx, m.segments, start, end), { status, headers: out });
}

const EMPTY = new Uint8Array(0);
