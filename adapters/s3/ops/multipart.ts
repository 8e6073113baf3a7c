// Multipart uploads: create, upload part (and part copy), complete, abort, list parts,
// list uploads.
//
// Completion is two small transactions around a read of the part list: the first marks the
// upload as completing (part commits read the upload record and refuse from then on), the
// second commits the manifest only if the mark is still ours. So the parts a completion
// validated are exactly the parts it commits, with no transaction that grows with the
// number of parts.

import {
  keys, decodeRecord, encodeRecord, newId, newUploadId,
  type ChecksumAlgorithm, type ChecksumType, type GcEntry, type ObjectManifest, type PartRecord, type StoredChecksum, type UploadRecord,
} from "../keyspace.ts";
import type { S3Context } from "../context.ts";
import { S3Errors } from "../wire/errors.ts";
import { checkKey } from "../wire/names.ts";
import { parseObjectHeaders, SSE_HEADER, SSE_S3 } from "../wire/object-headers.ts";
import { parseTaggingHeader } from "../wire/tags.ts";
import { parseWriteConditions } from "../wire/conditionals.ts";
import { keyEncoder } from "../wire/encoding-type.ts";
import { headerName, parseAlgorithm, parseChecksumRequest, parseContentMd5 } from "../wire/checksum-headers.ts";
import { parseCopySource, parseCopySourceRange } from "../wire/copy-source.ts";
import { asArray, isoDate, textOf, xmlResponse } from "../wire/xml-io.ts";
import { compositeChecksum, fullObjectChecksum, isCrc } from "../../aws/checksums.ts";
import { recycleChunkBuffer, releaseLease, writeChunks, type WrittenData } from "../storage/chunk-writer.ts";
import { requestPieces } from "../wire/request-body.ts";
import { objectBytes } from "../storage/chunk-reader.ts";
import { deadEntry } from "../storage/gc.ts";
import { commitManifest, leaseExpiredToS3, LeaseExpiredError } from "./commit.ts";
import { bodyDigests, computedChecksum, rejectUnsupportedHeaders, verifyDigests, MAX_PUT_BYTES } from "./put-object.ts";
import { readCopySource, readManifest } from "./get-object.ts";
import { emptyResponse, readXml, requireBucket, type S3Call } from "./call.ts";
import { createHash } from "node:crypto";

export const MAX_PARTS = 10_000;
export const MIN_PART_BYTES = 5 * 1024 * 1024;

function parsePartNumber(raw: string | null): number {
  const n = Number(raw);
  if (raw === null || !/^\d+$/.test(raw) || n < 1 || n > MAX_PARTS) {
    throw S3Errors.invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", raw ?? "");
  }
  return n;
}

async function readUpload(ctx: S3Context, bucket: string, key: string, uploadId: string, signal: AbortSignal): Promise<UploadRecord> {
  const kv = await ctx.store.get(keys.upload(bucket, key, uploadId), { signal });
  if (!kv) throw S3Errors.noSuchUpload(uploadId);
  return decodeRecord<UploadRecord>(kv.value);
}

export async function createMultipartUpload(call: S3Call): Promise<Response> {
  const { ctx, headers: h, req } = call;
  checkKey(call.key);
  rejectUnsupportedHeaders(h);
  const headers = parseObjectHeaders(h);
  const tags = parseTaggingHeader(h);
  const algorithm = parseAlgorithm(h.get("x-amz-checksum-algorithm"), "x-amz-checksum-algorithm");
  const typeRaw = h.get("x-amz-checksum-type");
  let checksumType: ChecksumType | undefined;
  if (typeRaw !== null) {
    const t = typeRaw.toUpperCase();
    if (t !== "COMPOSITE" && t !== "FULL_OBJECT") throw S3Errors.invalidRequest("Value for x-amz-checksum-type header is invalid.");
    if (!algorithm) throw S3Errors.invalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
    checksumType = t;
  }
  if (algorithm) {
    checksumType ??= algorithm === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE";
    if (checksumType === "FULL_OBJECT" && !isCrc(algorithm)) {
      throw S3Errors.invalidRequest(`The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
    }
    if (checksumType === "COMPOSITE" && algorithm === "CRC64NVME") {
      throw S3Errors.invalidRequest("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.");
    }
  }
  const now = Date.now();
  const upload: UploadRecord = {
    uploadId: newUploadId(),
    initiated: now,
    touched: now,
    ownerId: req.principal.ownerId,
    ownerName: req.principal.displayName,
    headers,
    tags: tags && tags.length ? tags : undefined,
    checksumAlgorithm: algorithm,
    checksumType,
    storageClass: headers.storageClass,
  };
  await ctx.store.transact(
    async (txn) => {
      if (!(await txn.get(keys.bucket(call.bucket)))) throw S3Errors.noSuchBucket(call.bucket);
      txn.put(keys.upload(call.bucket, call.key, upload.uploadId), encodeRecord(upload));
    },
    { signal: call.signal, family: "s3.upload" },
  );
  const out = new Headers({ [SSE_HEADER]: SSE_S3 });
  if (algorithm) {
    out.set("x-amz-checksum-algorithm", algorithm);
    out.set("x-amz-checksum-type", checksumType!);
  }
  return xmlResponse("InitiateMultipartUploadResult", { Bucket: call.bucket, Key: call.key, UploadId: upload.uploadId }, { headers: out });
}

/** Make a written part visible under its upload, replacing any earlier part of that number. */
async function commitPart(ctx: S3Context, call: S3Call, uploadId: string, part: PartRecord, written?: WrittenData): Promise<void> {
  await ctx.store.transact(
    async (txn) => {
      const raw = await txn.get(keys.upload(call.bucket, call.key, uploadId));
      if (!raw) throw S3Errors.noSuchUpload(uploadId);
      const up = decodeRecord<UploadRecord>(raw);
      if (up.completing) throw S3Errors.noSuchUpload(uploadId);
      if (written?.leased !== false) {
        const leaseRaw = await txn.get(keys.gc(part.segment.id));
        const lease = leaseRaw ? decodeRecord<GcEntry>(leaseRaw) : undefined;
        if (!lease || lease.kind !== "lease" || lease.due <= Date.now()) throw new LeaseExpiredError(part.segment.id);
        txn.delete(keys.gc(part.segment.id));
      }
      // The part's last chunk lands with the record that makes it reachable.
      if (written?.tail) txn.put(written.tail.key, written.tail.bytes);
      const oldRaw = await txn.get(keys.part(uploadId, part.partNumber));
      if (oldRaw) {
        const old = decodeRecord<PartRecord>(oldRaw);
        const gc = deadEntry([old.segment.id], 0);
        txn.put(gc.key, gc.value);
      }
      txn.put(keys.part(uploadId, part.partNumber), encodeRecord(part));
    },
    { signal: call.signal, family: "s3.part" },
  );
}

/**
 * A part's checksum: the upload's (or the client's) when it has one, else S3's default
 * CRC64NVME, kept apart because the part does not list it.
 */
function partChecksums(named: boolean, c: { algorithm: ChecksumAlgorithm; value: string }): Pick<PartRecord, "checksum" | "defaultCrc64nvme"> {
  return named ? { checksum: c } : { defaultCrc64nvme: c.value };
}

function partChecksumXml(p: PartRecord): Record<string, string> {
  if (!p.checksum) return {};
  return { [`Checksum${p.checksum.algorithm}`]: p.checksum.value };
}

export async function uploadPart(call: S3Call): Promise<Response> {
  const { ctx, req, headers: h, query } = call;
  const partNumber = parsePartNumber(query.get("partNumber"));
  const uploadId = query.get("uploadId") ?? "";
  const csReq = parseChecksumRequest(h);
  const md5Header = parseContentMd5(h);
  if (req.contentLength === undefined) throw S3Errors.missingContentLength();
  if (req.contentLength > MAX_PUT_BYTES) throw S3Errors.entityTooLarge(req.contentLength, MAX_PUT_BYTES);
  const upload = await readUpload(ctx, call.bucket, call.key, uploadId, call.signal);
  const expected = upload.checksumAlgorithm;
  // A part of a SHA upload must carry its checksum (S3 answers "actual checksum Type: null",
  // seen on the wire in floci-io/floci#3093); for CRC uploads S3's behaviour without one is
  // unconfirmed, so the part's CRC is computed here instead.
  const required = expected === "SHA1" || expected === "SHA256";
  if (expected && (csReq ? csReq.algorithm !== expected : required)) {
    throw S3Errors.invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, actual checksum Type: ${csReq ? csReq.algorithm.toLowerCase() : "null"}`);
  }
  const digests = bodyDigests(csReq ?? computedChecksum(expected));
  const written = await writeChunks(ctx, requestPieces(req, call.signal), {
    signal: call.signal,
    digests: digests.list,
    expectedLength: req.contentLength,
    maxBytes: MAX_PUT_BYTES,
    holdTail: true,
  });
  try {
    const v = await verifyDigests(digests, md5Header, req.trailers);
    const part: PartRecord = {
      partNumber,
      size: written.size,
      etag: v.md5Hex,
      lastModified: Date.now(),
      segment: written.segment,
      ...partChecksums(csReq !== undefined || expected !== undefined, v.checksum!),
    };
    await commitPart(ctx, call, uploadId, part, written);
    if (written.tail) recycleChunkBuffer(written.tail.bytes);
    const out = new Headers({ etag: `"${part.etag}"`, [SSE_HEADER]: SSE_S3 });
    out.set(headerName(v.checksum!.algorithm), v.checksum!.value);
    return emptyResponse(200, out);
  } catch (err) {
    await releaseLease(ctx, written.segment.id);
    throw leaseExpiredToS3(err);
  }
}

export async function uploadPartCopy(call: S3Call): Promise<Response> {
  const { ctx, headers: h, query } = call;
  const partNumber = parsePartNumber(query.get("partNumber"));
  const uploadId = query.get("uploadId") ?? "";
  const src = parseCopySource(h.get("x-amz-copy-source")!);
  const upload = await readUpload(ctx, call.bucket, call.key, uploadId, call.signal);
  const m = await readCopySource(ctx, src, h, call.signal);
  const range = parseCopySourceRange(h.get("x-amz-copy-source-range"), m.size) ?? { start: 0, end: m.size };
  const digests = bodyDigests(computedChecksum(upload.checksumAlgorithm));
  const written = await writeChunks(ctx, objectBytes(ctx, m, range.start, range.end, call.signal), {
    signal: call.signal,
    digests: digests.list,
  });
  try {
    const v = await verifyDigests(digests, undefined, Promise.resolve(new Headers()));
    const part: PartRecord = {
      partNumber,
      size: written.size,
      etag: v.md5Hex,
      lastModified: Date.now(),
      segment: written.segment,
      ...partChecksums(upload.checksumAlgorithm !== undefined, v.checksum!),
    };
    await commitPart(ctx, call, uploadId, part);
    return xmlResponse(
      "CopyPartResult",
      { ETag: `"${part.etag}"`, LastModified: isoDate(part.lastModified), ...partChecksumXml(part) },
      { headers: { [SSE_HEADER]: SSE_S3 } },
    );
  } catch (err) {
    await releaseLease(ctx, written.segment.id);
    throw leaseExpiredToS3(err);
  }
}

async function scanParts(ctx: S3Context, uploadId: string, signal: AbortSignal): Promise<PartRecord[]> {
  const range = keys.partRange(uploadId);
  const out: PartRecord[] = [];
  let start = range.start;
  for (;;) {
    const page = await ctx.store.scan({ start, end: range.end, limit: 1000, signal });
    for (const kv of page.kvs) out.push(decodeRecord<PartRecord>(kv.value));
    if (!page.more || page.kvs.length === 0) return out;
    const last = page.kvs[page.kvs.length - 1]!.key;
    start = new Uint8Array(last.length + 1);
    start.set(last);
  }
}

interface RequestedPart {
  partNumber: number;
  etag: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

function parseCompleteBody(doc: Record<string, unknown>): RequestedPart[] {
  const parts = asArray(doc["Part"]);
  if (parts.length === 0 || parts.length > MAX_PARTS) throw S3Errors.malformedXml();
  return parts.map((p) => {
    if (typeof p !== "object" || p === null) throw S3Errors.malformedXml();
    const r = p as Record<string, unknown>;
    const num = textOf(r["PartNumber"]);
    const etag = textOf(r["ETag"]);
    if (num === undefined || !/^\d+$/.test(num.trim()) || etag === undefined) throw S3Errors.malformedXml();
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const alg of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const) {
      const v = textOf(r[`Checksum${alg}`]);
      if (v !== undefined) checksums[alg] = v.trim();
    }
    return { partNumber: Number(num.trim()), etag: etag.trim().replace(/^"(.*)"$/, "$1"), checksums };
  });
}

async function setCompleting(ctx: S3Context, call: S3Call, uploadId: string, token: string | undefined, expect?: string): Promise<UploadRecord | undefined> {
  return ctx.store.transact(
    async (txn) => {
      const k = keys.upload(call.bucket, call.key, uploadId);
      const raw = await txn.get(k);
      if (!raw) {
        if (expect !== undefined) return undefined;
        throw S3Errors.noSuchUpload(uploadId);
      }
      const up = decodeRecord<UploadRecord>(raw);
      if (expect !== undefined && up.completing !== expect) return undefined;
      const next: UploadRecord = { ...up };
      if (token === undefined) delete next.completing;
      else next.completing = token;
      txn.put(k, encodeRecord(next));
      return up;
    },
    { signal: call.signal, family: "s3.upload" },
  );
}

export async function completeMultipartUpload(call: S3Call): Promise<Response> {
  const { ctx, query, headers: h } = call;
  const uploadId = query.get("uploadId") ?? "";
  const conditions = parseWriteConditions(h);
  // Its x-amz-checksum-* header is the object's checksum (checked in objectChecksum).
  const requested = parseCompleteBody(await readXml(call, "CompleteMultipartUpload", 8 * 1024 * 1024, false));
  await requireBucket(call);
  const token = newId();
  let upload: UploadRecord;
  try {
    upload = (await setCompleting(ctx, call, uploadId, token))!;
  } catch (err) {
    // A client retrying a completion that already succeeded (its answer was lost) gets the
    // same answer again.
    const done = await readManifest(ctx, call.bucket, call.key, call.signal);
    if (done && done.uploadId === uploadId && done.parts?.length === requested.length) return completeResult(call, done);
    throw err;
  }
  let committed = false;
  try {
    for (let i = 1; i < requested.length; i++) {
      if (requested[i]!.partNumber <= requested[i - 1]!.partNumber) throw S3Errors.invalidPartOrder(uploadId);
    }
    const stored = new Map((await scanParts(ctx, uploadId, call.signal)).map((p) => [p.partNumber, p]));
    const chosen: PartRecord[] = [];
    for (const r of requested) {
      const p = stored.get(r.partNumber);
      if (!p || p.etag !== r.etag) throw S3Errors.invalidPart(uploadId, r.partNumber, r.etag);
      // A composite checksum is made of the parts' checksums, so S3 wants each one named.
      const alg = upload.checksumAlgorithm;
      if (alg && upload.checksumType === "COMPOSITE" && r.checksums[alg] === undefined) throw missingPartChecksum(alg, r.partNumber);
      for (const [alg, v] of Object.entries(r.checksums)) {
        if (!p.checksum || p.checksum.algorithm !== alg || p.checksum.value !== v) throw S3Errors.invalidPart(uploadId, r.partNumber, r.etag);
      }
      chosen.push(p);
    }
    chosen.forEach((p, i) => {
      if (i < chosen.length - 1 && p.size < MIN_PART_BYTES) throw S3Errors.entityTooSmall(p.size, MIN_PART_BYTES);
    });
    const checksum = objectChecksum(upload, chosen, h);
    const md5s = chosen.map((p) => Buffer.from(p.etag, "hex"));
    const etag = `${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-${chosen.length}`;
    const used = new Set(chosen.map((p) => p.segment.id));
    const unused = [...stored.values()].map((p) => p.segment.id).filter((id) => !used.has(id));
    const manifest: ObjectManifest = {
      size: chosen.reduce((n, p) => n + p.size, 0),
      etag,
      lastModified: Date.now(),
      headers: upload.headers,
      checksum,
      tags: upload.tags,
      ownerId: upload.ownerId,
      ownerName: upload.ownerName,
      segments: chosen.map((p) => p.segment).filter((s) => s.size > 0),
      parts: chosen.map((p) => ({ size: p.size, checksum: p.checksum?.value })),
      uploadId,
    };
    await commitManifest(ctx, {
      bucket: call.bucket,
      key: call.key,
      manifest,
      leases: [],
      conditions,
      signal: call.signal,
      also: async (txn) => {
        const raw = await txn.get(keys.upload(call.bucket, call.key, uploadId));
        const cur = raw ? decodeRecord<UploadRecord>(raw) : undefined;
        // Another completion took the upload over, or it was aborted meanwhile.
        if (!cur || cur.completing !== token) throw S3Errors.noSuchUpload(uploadId);
        txn.delete(keys.upload(call.bucket, call.key, uploadId));
        const gc = deadEntry(unused, 0, { finishedUploads: [uploadId] });
        txn.put(gc.key, gc.value);
      },
    });
    committed = true;
    return completeResult(call, manifest);
  } finally {
    if (!committed) await setCompleting(ctx, call, uploadId, undefined, token).catch(() => undefined);
  }
}

function completeResult(call: S3Call, m: ObjectManifest): Response {
  const out = new Headers({ [SSE_HEADER]: SSE_S3 });
  const checksum = m.checksum;
  if (checksum) out.set("x-amz-checksum-type", checksum.type);
  const url = call.req.url;
  return xmlResponse(
    "CompleteMultipartUploadResult",
    {
      Location: `${url.protocol}//${url.host}/${call.bucket}/${encodeURIComponent(call.key).replace(/%2F/g, "/")}`,
      Bucket: call.bucket,
      Key: call.key,
      ETag: `"${m.etag}"`,
      ...(checksum ? { [`Checksum${checksum.algorithm}`]: checksum.value, ChecksumType: checksum.type } : {}),
    },
    { headers: out },
  );
}

function missingPartChecksum(alg: ChecksumAlgorithm, partNumber: number) {
  return S3Errors.invalidRequest(
    `The upload was created using a ${alg.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${partNumber} in the request.`,
  );
}

function objectChecksum(upload: UploadRecord, parts: PartRecord[], h: Headers): StoredChecksum | undefined {
  const c = combinedChecksum(upload, parts);
  // An x-amz-checksum-* header on the completion is the client's checksum of the object
  // (a composite one with or without its "-<parts>" suffix).
  const sent = c && h.get(headerName(c.algorithm));
  if (c && sent !== null && sent !== c.value && sent !== c.value.replace(/-\d+$/, "")) throw S3Errors.badDigestChecksum(c.algorithm);
  return c;
}

/** The object's checksum from its parts' checksums. */
function combinedChecksum(upload: UploadRecord, parts: PartRecord[]): StoredChecksum | undefined {
  const alg = upload.checksumAlgorithm;
  if (!alg) {
    // S3's default for an upload created without an algorithm (parts from before this
    // default existed have none: the object then has none either).
    if (!parts.every((p) => p.defaultCrc64nvme !== undefined)) return undefined;
    const crcs = parts.map((p) => ({ digest: Buffer.from(p.defaultCrc64nvme!, "base64"), length: p.size }));
    return { algorithm: "CRC64NVME", value: fullObjectChecksum("CRC64NVME", crcs), type: "FULL_OBJECT" };
  }
  const digests: Uint8Array[] = [];
  for (const p of parts) {
    if (!p.checksum || p.checksum.algorithm !== alg) throw missingPartChecksum(alg, p.partNumber);
    digests.push(Buffer.from(p.checksum.value, "base64"));
  }
  if (upload.checksumType === "FULL_OBJECT" && isCrc(alg)) {
    return { algorithm: alg, value: fullObjectChecksum(alg, parts.map((p, i) => ({ digest: digests[i]!, length: p.size }))), type: "FULL_OBJECT" };
  }
  return { algorithm: alg, value: compositeChecksum(alg, digests), type: "COMPOSITE" };
}

export async function abortMultipartUpload(call: S3Call): Promise<Response> {
  const uploadId = call.query.get("uploadId") ?? "";
  await call.ctx.store.transact(
    async (txn) => {
      if (!(await txn.get(keys.bucket(call.bucket)))) throw S3Errors.noSuchBucket(call.bucket);
      const k = keys.upload(call.bucket, call.key, uploadId);
      if (!(await txn.get(k))) throw S3Errors.noSuchUpload(uploadId);
      txn.delete(k);
      const gc = deadEntry([], 0, { abortedUploads: [uploadId] });
      txn.put(gc.key, gc.value);
    },
    { signal: call.signal, family: "s3.upload" },
  );
  return emptyResponse(204);
}

function parseMax(q: URLSearchParams, name: string): number {
  const raw = q.get(name);
  if (raw === null) return 1000;
  if (!/^\d+$/.test(raw)) throw S3Errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, raw);
  return Math.min(1000, Number(raw));
}

export async function listParts(call: S3Call): Promise<Response> {
  const { ctx, query } = call;
  const uploadId = query.get("uploadId") ?? "";
  const maxParts = parseMax(query, "max-parts");
  const markerRaw = query.get("part-number-marker");
  const marker = markerRaw !== null && /^\d+$/.test(markerRaw) ? Number(markerRaw) : 0;
  await requireBucket(call);
  const up = await readUpload(ctx, call.bucket, call.key, uploadId, call.signal);
  const range = keys.partRange(uploadId);
  const start = marker > 0 ? keys.part(uploadId, marker + 1) : range.start;
  const page = maxParts === 0 ? { kvs: [], more: false } : await ctx.store.scan({ start, end: range.end, limit: maxParts, signal: call.signal });
  const parts = page.kvs.map((kv) => decodeRecord<PartRecord>(kv.value));
  const last = parts[parts.length - 1];
  const owner = { ID: up.ownerId, DisplayName: up.ownerName };
  return xmlResponse("ListPartsResult", {
    Bucket: call.bucket,
    Key: call.key,
    UploadId: uploadId,
    Initiator: owner,
    Owner: owner,
    StorageClass: up.storageClass ?? "STANDARD",
    PartNumberMarker: marker,
    ...(page.more && last ? { NextPartNumberMarker: last.partNumber } : {}),
    MaxParts: maxParts,
    IsTruncated: page.more,
    ...(up.checksumAlgorithm ? { ChecksumAlgorithm: up.checksumAlgorithm, ChecksumType: up.checksumType } : {}),
    Part: parts.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: isoDate(p.lastModified),
      ETag: `"${p.etag}"`,
      Size: p.size,
      ...partChecksumXml(p),
    })),
  });
}

export async function listMultipartUploads(call: S3Call): Promise<Response> {
  const { ctx, query } = call;
  await requireBucket(call);
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const maxUploads = parseMax(query, "max-uploads");
  const keyMarker = query.get("key-marker") ?? "";
  const uploadIdMarker = query.get("upload-id-marker") ?? "";
  const enc = keyEncoder(query);
  const range = keys.uploadPrefixRange(call.bucket, prefix);
  let cursor = range.start;
  if (keyMarker !== "") {
    const after = uploadIdMarker !== "" ? keyAfterBytes(keys.upload(call.bucket, keyMarker, uploadIdMarker)) : keys.uploadKeyRange(call.bucket, keyMarker).end;
    if (Buffer.compare(after, cursor) > 0) cursor = after;
  }
  const uploads: { key: string; up: UploadRecord }[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let lastPrefix: string | undefined;
  let nextKey: string | undefined;
  let nextId: string | undefined;
  outer: while (maxUploads > 0 && Buffer.compare(cursor, range.end) < 0) {
    const page = await ctx.store.scan({ start: cursor, end: range.end, limit: 1000, signal: call.signal });
    let jumped = false;
    for (const kv of page.kvs) {
      const { key } = keys.uploadParts(kv.key);
      if (delimiter !== "") {
        const idx = key.indexOf(delimiter, prefix.length);
        if (idx >= 0) {
          const cp = key.slice(0, idx + delimiter.length);
          if (cp !== lastPrefix) {
            if (uploads.length + prefixes.length === maxUploads) {
              truncated = true;
              break outer;
            }
            prefixes.push(cp);
            lastPrefix = cp;
            nextKey = cp;
            nextId = undefined;
          }
          cursor = keys.uploadPrefixEnd(call.bucket, cp);
          jumped = true;
          break;
        }
      }
      if (uploads.length + prefixes.length === maxUploads) {
        truncated = true;
        break outer;
      }
      const up = decodeRecord<UploadRecord>(kv.value);
      uploads.push({ key, up });
      nextKey = key;
      nextId = up.uploadId;
    }
    if (jumped) continue;
    if (!page.more || page.kvs.length === 0) break;
    cursor = keyAfterBytes(page.kvs[page.kvs.length - 1]!.key);
  }
  return xmlResponse("ListMultipartUploadsResult", {
    Bucket: call.bucket,
    KeyMarker: enc(keyMarker),
    UploadIdMarker: uploadIdMarker,
    ...(truncated ? { NextKeyMarker: enc(nextKey ?? ""), NextUploadIdMarker: nextId ?? "" } : {}),
    ...(query.has("prefix") ? { Prefix: enc(prefix) } : {}),
    ...(delimiter !== "" ? { Delimiter: enc(delimiter) } : {}),
    MaxUploads: maxUploads,
    IsTruncated: truncated,
    ...(query.has("encoding-type") ? { EncodingType: "url" } : {}),
    Upload: uploads.map(({ key, up }) => ({
      Key: enc(key),
      UploadId: up.uploadId,
      Initiator: { ID: up.ownerId, DisplayName: up.ownerName },
      Owner: { ID: up.ownerId, DisplayName: up.ownerName },
      StorageClass: up.storageClass ?? "STANDARD",
      Initiated: isoDate(up.initiated),
      ...(up.checksumAlgorithm ? { ChecksumAlgorithm: up.checksumAlgorithm, ChecksumType: up.checksumType } : {}),
    })),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
  });
}

function keyAfterBytes(k: Uint8Array): Uint8Array {
  const out = new Uint8Array(k.length + 1);
  out.set(k);
  return out;
}

