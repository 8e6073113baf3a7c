// The S3 adapter's whole key layout and record encoding. No other file builds these keys.
//
//   ("s3","b",bucket)                      bucket record (JSON)
//   ("s3","o",bucket,key)                  object manifest (JSON), committed last
//   ("s3","c",dataId,index)                one chunk of object or part data (raw bytes)
//   ("s3","u",bucket,key,uploadId)         multipart upload record (JSON)
//   ("s3","p",uploadId,partNumber)         uploaded part record (JSON)
//   ("s3","g",gcId)                        GC queue entry (JSON): a write lease on fresh
//                                          chunks, or a set of dead chunk sets
//
// Chunk data is keyed by a random data id, never by bucket or key: a manifest, a part or a
// GC entry owns a data id, and ownership moves between them inside one transaction.

import { decodeTuple, encodeTuple, prefixEnd, tupleRange } from "../../kvclient/tuple.ts";
import type { Range } from "../../kvclient/store.ts";
import { randomStrings } from "../aws/random-strings.ts";

const P = "s3";

export interface Tag {
  Key: string;
  Value: string;
}

export interface BucketRecord {
  name: string;
  region: string;
  /** Creation time, ms since epoch. */
  created: number;
  ownerId: string;
  ownerName: string;
  tags?: Tag[];
  /** Default configurations the owner deleted (they read as not configured until put back). */
  removedDefaults?: RemovableDefault[];
}

/** Configurations every bucket starts with that DeleteX removes from its reads. */
export type RemovableDefault = "publicAccessBlock" | "ownershipControls";

/** A run of chunks under one data id: a whole simple object, or one part. */
export interface Segment {
  id: string;
  size: number;
  /** Chunk size used when writing this segment. */
  chunkBytes: number;
}

export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";
export type ChecksumType = "FULL_OBJECT" | "COMPOSITE";

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** Base64 value as S3 returns it (COMPOSITE values carry the `-N` suffix). */
  value: string;
  type: ChecksumType;
}

/** Headers stored with an object and replayed on GET/HEAD. */
export interface ObjectHeaders {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** User metadata, names lowercased without the x-amz-meta- prefix. */
  meta: Record<string, string>;
  storageClass?: string;
  /** x-amz-website-redirect-location: stored and returned (no website endpoint serves it here). */
  websiteRedirect?: string;
}

export interface PartInfo {
  size: number;
  checksum?: string;
}

export interface ObjectManifest {
  size: number;
  /** ETag without quotes: hex MD5, or `hex-N` for multipart. */
  etag: string;
  lastModified: number;
  headers: ObjectHeaders;
  checksum?: StoredChecksum;
  tags?: Tag[];
  ownerId: string;
  ownerName: string;
  segments: Segment[];
  /** Present for multipart objects: one entry per part, in order. */
  parts?: PartInfo[];
  /** The multipart upload this object was completed from (answers retried completions). */
  uploadId?: string;
  /**
   * A small object's bytes, stored in the manifest record itself (no chunks, one read per
   * GET). Encoded after the JSON part, never inside it: see encodeManifest.
   */
  inline?: Uint8Array;
}

/** Objects up to this size keep their bytes in the manifest record. */
export const INLINE_MAX_BYTES = 16 * 1024;

const INLINE_TAG = 0x00;

/**
 * A manifest record is its JSON, or, with inline data, [0x00][u32 JSON length][JSON][bytes]:
 * listings decode the JSON part only and never copy the data.
 */
export function encodeManifest(m: ObjectManifest): Uint8Array {
  const { inline, ...rest } = m;
  const json = enc.encode(JSON.stringify(rest));
  if (!inline) return json;
  const out = new Uint8Array(5 + json.length + inline.length);
  out[0] = INLINE_TAG;
  new DataView(out.buffer).setUint32(1, json.length);
  out.set(json, 5);
  out.set(inline, 5 + json.length);
  return out;
}

export function decodeManifest(bytes: Uint8Array): ObjectManifest {
  if (bytes[0] !== INLINE_TAG) return JSON.parse(dec.decode(bytes)) as ObjectManifest;
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  const m = JSON.parse(dec.decode(bytes.subarray(5, 5 + len))) as ObjectManifest;
  m.inline = bytes.subarray(5 + len);
  return m;
}

export interface UploadRecord {
  uploadId: string;
  initiated: number;
  /** Last time a part landed; the abandoned-upload reaper measures age from here. */
  touched: number;
  ownerId: string;
  ownerName: string;
  headers: ObjectHeaders;
  tags?: Tag[];
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
  storageClass?: string;
  /**
   * Set while a CompleteMultipartUpload holds the upload: part commits refuse to land, so
   * the part list the completion read stays the part list it commits.
   */
  completing?: string;
}

export interface PartRecord {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: number;
  segment: Segment;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /**
   * In an upload created without a checksum algorithm: the part's CRC64NVME (base64), which
   * S3 computes by default. Not listed with the part; completion combines them into the
   * object's FULL_OBJECT CRC64NVME.
   */
  defaultCrc64nvme?: string;
}

/**
 * A GC queue entry. `lease`: chunks being written under `ids[0]`, alive while `due` is in
 * the future (the writer renews it); `dead`: chunk sets nothing references, collectable
 * once `due` passes (the grace that lets in-flight GETs finish).
 */
export interface GcEntry {
  kind: "lease" | "dead";
  ids: string[];
  due: number;
  /** Aborted uploads: their part records and all the parts' data go. */
  abortedUploads?: string[];
  /** Completed uploads: only their part records go (the manifest owns the used data). */
  finishedUploads?: string[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeRecord(v: unknown): Uint8Array {
  return enc.encode(JSON.stringify(v));
}

export function decodeRecord<T>(bytes: Uint8Array): T {
  return JSON.parse(dec.decode(bytes)) as T;
}

/**
 * A fresh id (upload ids, segments, GC entries): 16 random bytes. Hex, not base64url: an
 * upload id is typed on command lines, and one starting with "-" (1 in 64 for base64url) is
 * taken by the AWS CLI for a flag (`--upload-id -abc` fails).
 */
export const newId: () => string = randomStrings(16, "hex");

const uploadIdTail: () => string = randomStrings(10, "hex");

/**
 * A multipart upload id: like newId (32 hex digits), but starting with the creation time
 * (12 hex digits of ms), so that one key's uploads sort by initiation as S3 lists them,
 * and upload-id-marker paging (lexicographic, as S3 defines it) follows the same order.
 */
export function newUploadId(): string {
  return Date.now().toString(16).padStart(12, "0") + uploadIdTail();
}

/** The encoding of a tuple whose last element is a string prefix, without its terminator. */
function stringPrefix(elements: readonly (string | number)[], prefix: string): Uint8Array {
  const full = encodeTuple([...elements, prefix]);
  return full.subarray(0, full.length - 1);
}

/** The smallest key above `key`. */
export function keyAfter(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

export const keys = {
  bucket: (bucket: string) => encodeTuple([P, "b", bucket]),
  bucketRange: (): Range => tupleRange([P, "b"]),
  bucketName: (key: Uint8Array) => decodeTuple(key)[2] as string,

  object: (bucket: string, key: string) => encodeTuple([P, "o", bucket, key]),
  objectRange: (bucket: string): Range => tupleRange([P, "o", bucket]),
  /** Keys of `bucket` that start with the string `prefix`. */
  objectPrefixRange: (bucket: string, prefix: string): Range => {
    const start = stringPrefix([P, "o", bucket], prefix);
    return { start, end: prefixEnd(start) };
  },
  /** First key strictly after every object key that starts with `prefix`. */
  objectPrefixEnd: (bucket: string, prefix: string) => prefixEnd(stringPrefix([P, "o", bucket], prefix)),
  objectKey: (key: Uint8Array) => decodeTuple(key)[3] as string,

  chunk: (dataId: string, index: number) => encodeTuple([P, "c", dataId, index]),
  chunkRange: (dataId: string): Range => tupleRange([P, "c", dataId]),
  allChunks: (): Range => tupleRange([P, "c"]),

  upload: (bucket: string, key: string, uploadId: string) => encodeTuple([P, "u", bucket, key, uploadId]),
  uploadBucketRange: (bucket: string): Range => tupleRange([P, "u", bucket]),
  uploadPrefixRange: (bucket: string, prefix: string): Range => {
    const start = stringPrefix([P, "u", bucket], prefix);
    return { start, end: prefixEnd(start) };
  },
  uploadKeyRange: (bucket: string, key: string): Range => tupleRange([P, "u", bucket, key]),
  uploadPrefixEnd: (bucket: string, prefix: string) => prefixEnd(stringPrefix([P, "u", bucket], prefix)),
  allUploads: (): Range => tupleRange([P, "u"]),
  /** bucket, key and upload id of an upload key. */
  uploadParts: (key: Uint8Array) => {
    const t = decodeTuple(key);
    return { bucket: t[2] as string, key: t[3] as string, uploadId: t[4] as string };
  },

  part: (uploadId: string, partNumber: number) => encodeTuple([P, "p", uploadId, partNumber]),
  partRange: (uploadId: string): Range => tupleRange([P, "p", uploadId]),
  partNumber: (key: Uint8Array) => Number(decodeTuple(key)[3] as bigint),

  gc: (gcId: string) => encodeTuple([P, "g", gcId]),
  gcRange: (): Range => tupleRange([P, "g"]),
};
