// PutObject: stream the body into chunks while hashing it, verify Content-MD5 and any
// checksum (header or trailer), then commit the manifest.

import { newId, type ChecksumAlgorithm, type ObjectHeaders, type ObjectManifest, type Segment, type StoredChecksum, type Tag } from "../keyspace.ts";
import { S3Errors } from "../wire/errors.ts";
import { checkKey } from "../wire/names.ts";
import { parseObjectHeaders, SSE_HEADER, SSE_S3 } from "../wire/object-headers.ts";
import { parseTaggingHeader } from "../wire/tags.ts";
import { parseWriteConditions, type WriteConditions } from "../wire/conditionals.ts";
import { checksumHeaders, headerName, isValidChecksumValue, parseChecksumRequest, parseContentMd5, type ChecksumRequest } from "../wire/checksum-headers.ts";
import { newDigest, type Digest } from "../storage/hashing.ts";
import { recycleChunkBuffer, releaseLease, writeChunks, type WrittenData } from "../storage/chunk-writer.ts";
import { readWholeBody, requestPieces } from "../wire/request-body.ts";
import { commitManifest, leaseExpiredToS3 } from "./commit.ts";
import { emptyResponse, requireBucket, type S3Call } from "./call.ts";
import { keys, INLINE_MAX_BYTES } from "../keyspace.ts";
import { REJECTED_HEADERS } from "../wire/route.ts";
import { checkObjectAclHeaders } from "./acl.ts";

export const MAX_PUT_BYTES = 5 * 1024 ** 3;

/**
 * What S3 applies to an upload that names no checksum: it computes a CRC64NVME of the
 * whole object, stores it, and returns it (x-amz-checksum-crc64nvme, type FULL_OBJECT)
 * from PutObject and from reads with checksum mode ENABLED. A copy of an object that has no
 * checksum gets one too, and so does a multipart upload created without an algorithm (its
 * parts' CRC64NVMEs combined, see multipart.ts).
 */
const DEFAULT_CHECKSUM: ChecksumRequest = { algorithm: "CRC64NVME", fromTrailer: false };

/** A checksum the gateway computes itself (none was sent): `alg`'s, else S3's default. */
export function computedChecksum(alg: ChecksumAlgorithm | undefined): ChecksumRequest {
  return alg ? { algorithm: alg, fromTrailer: false } : DEFAULT_CHECKSUM;
}

/** For every write that creates an object: PutObject, CopyObject, CreateMultipartUpload. */
export function rejectUnsupportedHeaders(h: Headers): void {
  for (const name of Object.keys(REJECTED_HEADERS)) if (h.has(name)) throw S3Errors.notImplemented();
  checkObjectAclHeaders(h);
  const sse = h.get(SSE_HEADER);
  // SSE-S3 is what S3 applies by default. The KMS and FSx modes are real S3 modes we cannot
  // honour; any other value is no mode at all.
  if (sse !== null && sse !== SSE_S3) {
    if (OTHER_SSE_MODES.has(sse)) throw S3Errors.notImplemented();
    throw S3Errors.invalidArgument("The encryption method specified is not supported", SSE_HEADER, sse);
  }
}

const OTHER_SSE_MODES: ReadonlySet<string> = new Set(["aws:kms", "aws:kms:dsse", "aws:fsx"]);

/** Digests for a body: MD5 always (the ETag), plus the requested checksum. */
export interface BodyDigests {
  md5: Digest;
  checksum?: { request: ChecksumRequest; digest: Digest };
  list: Digest[];
}

export function bodyDigests(req: ChecksumRequest | undefined): BodyDigests {
  const md5 = newDigest("MD5");
  const checksum = req ? { request: req, digest: newDigest(req.algorithm) } : undefined;
  return { md5, checksum, list: checksum ? [md5, checksum.digest] : [md5] };
}

/** Verify digests after the body ended; returns the hex MD5 and the stored checksum. */
export async function verifyDigests(
  d: BodyDigests,
  md5Header: Buffer | undefined,
  trailers: Promise<Headers>,
): Promise<{ md5Hex: string; checksum?: { algorithm: ChecksumAlgorithm; value: string } }> {
  const md5 = Buffer.from(await d.md5.digest());
  if (md5Header && !md5.equals(md5Header)) throw S3Errors.badDigestMd5();
  if (!d.checksum) return { md5Hex: md5.toString("hex") };
  const { request, digest } = d.checksum;
  const actual = Buffer.from(await digest.digest()).toString("base64");
  let expected = request.value;
  if (request.fromTrailer) {
    const t = await trailers;
    const v = t.get(headerName(request.algorithm));
    if (v === null) throw S3Errors.invalidRequest(`x-amz-trailer ${headerName(request.algorithm)} was not sent`);
    if (!isValidChecksumValue(request.algorithm, v)) throw S3Errors.invalidChecksum(headerName(request.algorithm));
    expected = v;
  }
  if (expected !== undefined && expected !== actual) throw S3Errors.badDigestChecksum(request.algorithm);
  return { md5Hex: md5.toString("hex"), checksum: { algorithm: request.algorithm, value: actual } };
}

export async function putObject(call: S3Call): Promise<Response> {
  const { ctx, req, headers: h } = call;
  checkKey(call.key);
  rejectUnsupportedHeaders(h);
  const objHeaders = parseObjectHeaders(h);
  const tags = parseTaggingHeader(h);
  const conditions = parseWriteConditions(h);
  const csReq = parseChecksumRequest(h) ?? DEFAULT_CHECKSUM;
  const md5Header = parseContentMd5(h);
  // S3 wants the length up front: Content-Length, or x-amz-decoded-content-length with an
  // aws-chunked body (authenticate() reports either as contentLength).
  if (req.contentLength === undefined) throw S3Errors.missingContentLength();
  if (req.contentLength > MAX_PUT_BYTES) throw S3Errors.entityTooLarge(req.contentLength, MAX_PUT_BYTES);
  if (req.contentLength <= ctx.chunkBytes) {
    return putSmallObject(call, { objHeaders, tags, conditions, csReq, md5Header, length: req.contentLength });
  }
  await requireBucket(call);
  if (conditions.ifNoneMatchStar) {
    // Refuse early rather than after the whole body; the commit re-checks atomically.
    const cur = await ctx.store.get(keys.object(call.bucket, call.key), { signal: call.signal });
    if (cur) throw S3Errors.preconditionFailed("If-None-Match");
  }
  const digests = bodyDigests(csReq);
  const written: WrittenData = await writeChunks(ctx, requestPieces(req, call.signal), {
    signal: call.signal,
    digests: digests.list,
    expectedLength: req.contentLength,
    maxBytes: MAX_PUT_BYTES,
    holdTail: true,
  });
  try {
    const v = await verifyDigests(digests, md5Header, req.trailers);
    const checksum: StoredChecksum | undefined = v.checksum ? { ...v.checksum, type: "FULL_OBJECT" } : undefined;
    const manifest: ObjectManifest = {
      size: written.size,
      etag: v.md5Hex,
      lastModified: Date.now(),
      headers: objHeaders,
      checksum,
      tags: tags && tags.length ? tags : undefined,
      ownerId: req.principal.ownerId,
      ownerName: req.principal.displayName,
      segments: written.size > 0 ? [written.segment] : [],
    };
    await commitManifest(ctx, {
      bucket: call.bucket,
      key: call.key,
      manifest,
      leases: written.leased ? [written.segment.id] : [],
      conditions,
      signal: call.signal,
      // The last chunk lands with the manifest that makes it reachable.
      also: written.tail
        ? async (txn) => {
            txn.put(written.tail!.key, written.tail!.bytes);
          }
        : undefined,
    });
    if (written.tail) recycleChunkBuffer(written.tail.bytes);
    return putResponse(manifest.etag, checksum);
  } catch (err) {
    await releaseLease(ctx, written.segment.id);
    throw leaseExpiredToS3(err);
  }
}

interface PutInputs {
  objHeaders: ObjectHeaders;
  tags: Tag[] | undefined;
  conditions: WriteConditions;
  csReq: ChecksumRequest;
  md5Header: Buffer | undefined;
  /** The declared body length. */
  length: number;
}

/**
 * A body that fits one chunk is read into memory (at most one chunk) and committed with its
 * manifest in a single transaction: no lease is needed when data and manifest land together.
 * Up to INLINE_MAX_BYTES the bytes live in the manifest record itself (no chunk key).
 */
async function putSmallObject(call: S3Call, p: PutInputs): Promise<Response> {
  const { ctx, req } = call;
  const digests = bodyDigests(p.csReq);
  const data = await readWholeBody(req, p.length, call.signal);
  const size = data.length;
  if (size !== p.length) throw S3Errors.incompleteBody();
  for (const d of digests.list) d.update(data);
  const v = await verifyDigests(digests, p.md5Header, req.trailers);
  const checksum: StoredChecksum | undefined = v.checksum ? { ...v.checksum, type: "FULL_OBJECT" } : undefined;
  const inline = size <= INLINE_MAX_BYTES;
  const segment: Segment | undefined = size > 0 && !inline ? { id: newId(), size, chunkBytes: ctx.chunkBytes } : undefined;
  const manifest: ObjectManifest = {
    size,
    etag: v.md5Hex,
    lastModified: Date.now(),
    headers: p.objHeaders,
    checksum,
    tags: p.tags && p.tags.length ? p.tags : undefined,
    ownerId: req.principal.ownerId,
    ownerName: req.principal.displayName,
    segments: segment ? [segment] : [],
    inline: size > 0 && inline ? data : undefined,
  };
  await commitManifest(ctx, {
    bucket: call.bucket,
    key: call.key,
    manifest,
    leases: [],
    conditions: p.conditions,
    signal: call.signal,
    also: segment
      ? async (txn) => {
          txn.put(keys.chunk(segment.id, 0), data);
        }
      : undefined,
  });
  return putResponse(manifest.etag, checksum);
}

/** PutObject's answer: plain header records take node-server's fast path (no fetch Headers). */
function putResponse(etag: string, checksum: StoredChecksum | undefined): Response {
  const out: Record<string, string> = { etag: `"${etag}"`, [SSE_HEADER]: SSE_S3 };
  checksumHeaders(checksum, out);
  return emptyResponse(200, out);
}
