// ListObjectsV2, ListObjects (v1) and ListObjectVersions (every object is its one `null`
// version while versioning is off). One walker produces keys and common prefixes in
// order; a page resumes strictly after the last key or prefix it returned, so a marker or
// continuation token stays correct however the bucket changes between pages.

import { keyEncoder } from "../wire/encoding-type.ts";
import { keys, decodeManifest, keyAfter, type ObjectManifest } from "../keyspace.ts";
import type { S3Context } from "../context.ts";
import { compareBytes } from "../../../kvclient/tuple.ts";
import { S3Errors } from "../wire/errors.ts";
import { isoDate, xmlResponse } from "../wire/xml-io.ts";
import { escapeXml, RawXml } from "../../aws/xml-writer.ts";
import { requireBucket, type S3Call } from "./call.ts";

export interface ListEntry {
  key: string;
  manifest: ObjectManifest;
}

export interface ListPage {
  contents: ListEntry[];
  commonPrefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned. */
  last?: string;
}

export interface ListSpec {
  bucket: string;
  prefix: string;
  delimiter: string;
  /** Resume strictly after this key (or common prefix). */
  after?: string;
  maxKeys: number;
}

const SCAN_PAGE = 1000;

export async function walk(ctx: S3Context, spec: ListSpec, signal: AbortSignal): Promise<ListPage> {
  const range = keys.objectPrefixRange(spec.bucket, spec.prefix);
  let cursor = range.start;
  let lastPrefix: string | undefined;
  if (spec.after !== undefined) {
    const afterKey = keyAfter(keys.object(spec.bucket, spec.after));
    if (compareBytes(afterKey, cursor) > 0) cursor = afterKey;
    // Resuming after a common prefix skips everything under it.
    if (spec.delimiter !== "" && spec.after.startsWith(spec.prefix) && spec.after.endsWith(spec.delimiter)) {
      const rest = spec.after.slice(spec.prefix.length);
      if (rest.indexOf(spec.delimiter) === rest.length - spec.delimiter.length) lastPrefix = spec.after;
    }
  }
  const page: ListPage = { contents: [], commonPrefixes: [], truncated: false };
  if (spec.maxKeys === 0) return page;
  let count = 0;
  while (compareBytes(cursor, range.end) < 0) {
    const res = await ctx.store.scan({ start: cursor, end: range.end, limit: Math.min(SCAN_PAGE, spec.maxKeys - count + 1), signal });
    let jumped = false;
    for (const kv of res.kvs) {
      const key = keys.objectKey(kv.key);
      if (spec.delimiter !== "") {
        const idx = key.indexOf(spec.delimiter, spec.prefix.length);
        if (idx >= 0) {
          const cp = key.slice(0, idx + spec.delimiter.length);
          if (cp !== lastPrefix) {
            if (count === spec.maxKeys) {
              page.truncated = true;
              return page;
            }
            page.commonPrefixes.push(cp);
            page.last = cp;
            lastPrefix = cp;
            count++;
          }
          cursor = keys.objectPrefixEnd(spec.bucket, cp);
          jumped = true;
          break;
        }
      }
      if (count === spec.maxKeys) {
        page.truncated = true;
        return page;
      }
      page.contents.push({ key, manifest: decodeManifest(kv.value) });
      page.last = key;
      count++;
    }
    if (jumped) continue;
    if (!res.more || res.kvs.length === 0) break;
    cursor = keyAfter(res.kvs[res.kvs.length - 1]!.key);
  }
  return page;
}

function parseMaxKeys(q: URLSearchParams, name = "max-keys"): number {
  const raw = q.get(name);
  if (raw === null) return 1000;
  if (!/^\d+$/.test(raw) || Number(raw) > 2 ** 31 - 1) throw S3Errors.invalidArgument("Provided max-keys not an integer or within integer range", name, raw);
  return Math.min(1000, Number(raw));
}

/** `<Contents>` elements, written directly: a page holds up to 1000 of them. */
function contentsXml(entries: ListEntry[], enc: (s: string) => string, withOwner: boolean): RawXml {
  let xml = "";
  for (const e of entries) {
    const m = e.manifest;
    xml +=
      `<Contents><Key>${escapeXml(enc(e.key))}</Key><LastModified>${isoDate(m.lastModified)}</LastModified>` +
      `<ETag>&quot;${escapeXml(m.etag)}&quot;</ETag>` +
      (m.checksum ? `<ChecksumAlgorithm>${m.checksum.algorithm}</ChecksumAlgorithm><ChecksumType>${m.checksum.type}</ChecksumType>` : "") +
      `<Size>${m.size}</Size>` +
      (withOwner ? `<Owner><ID>${escapeXml(m.ownerId)}</ID><DisplayName>${escapeXml(m.ownerName)}</DisplayName></Owner>` : "") +
      `<StorageClass>${escapeXml(m.headers.storageClass ?? "STANDARD")}</StorageClass></Contents>`;
  }
  return new RawXml(xml);
}

function common(q: URLSearchParams) {
  return { prefix: q.get("prefix") ?? "", delimiter: q.get("delimiter") ?? "" };
}

export async function listObjectsV2(call: S3Call): Promise<Response> {
  const q = call.query;
  await requireBucket(call);
  const { prefix, delimiter } = common(q);
  const maxKeys = parseMaxKeys(q);
  const enc = keyEncoder(q);
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after");
  let after: string | undefined;
  if (token !== null) {
    after = Buffer.from(token, "base64url").toString("utf8");
    if (token === "" || Buffer.from(after, "utf8").toString("base64url") !== token) {
      throw S3Errors.invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
    }
  } else if (startAfter !== null && startAfter !== "") {
    after = startAfter;
  }
  const page = await walk(call.ctx, { bucket: call.bucket, prefix, delimiter, after, maxKeys }, call.signal);
  const fetchOwner = q.get("fetch-owner") === "true";
  const body: Record<string, unknown> = {
    Name: call.bucket,
    Prefix: enc(prefix),
    ...(delimiter !== "" ? { Delimiter: enc(delimiter) } : {}),
    MaxKeys: maxKeys,
    KeyCount: page.contents.length + page.commonPrefixes.length,
    IsTruncated: page.truncated,
    ...(token !== null ? { ContinuationToken: token } : {}),
    ...(page.truncated && page.last !== undefined ? { NextContinuationToken: Buffer.from(page.last, "utf8").toString("base64url") } : {}),
    ...(startAfter !== null ? { StartAfter: enc(startAfter) } : {}),
    ...(q.has("encoding-type") ? { EncodingType: "url" } : {}),
    Contents: contentsXml(page.contents, enc, fetchOwner),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  };
  return xmlResponse("ListBucketResult", body);
}

export async function listObjectsV1(call: S3Call): Promise<Response> {
  const q = call.query;
  await requireBucket(call);
  const { prefix, delimiter } = common(q);
  const maxKeys = parseMaxKeys(q);
  const enc = keyEncoder(q);
  const marker = q.get("marker") ?? "";
  const page = await walk(call.ctx, { bucket: call.bucket, prefix, delimiter, after: marker === "" ? undefined : marker, maxKeys }, call.signal);
  const body: Record<string, unknown> = {
    Name: call.bucket,
    Prefix: enc(prefix),
    Marker: enc(marker),
    MaxKeys: maxKeys,
    ...(delimiter !== "" ? { Delimiter: enc(delimiter) } : {}),
    IsTruncated: page.truncated,
    ...(page.truncated && delimiter !== "" && page.last !== undefined ? { NextMarker: enc(page.last) } : {}),
    ...(q.has("encoding-type") ? { EncodingType: "url" } : {}),
    Contents: contentsXml(page.contents, enc, true),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  };
  return xmlResponse("ListBucketResult", body);
}

export async function listObjectVersions(call: S3Call): Promise<Response> {
  const q = call.query;
  await requireBucket(call);
  const { prefix, delimiter } = common(q);
  const maxKeys = parseMaxKeys(q);
  const enc = keyEncoder(q);
  const keyMarker = q.get("key-marker") ?? "";
  const versionMarker = q.get("version-id-marker");
  if (versionMarker !== null && versionMarker !== "") {
    if (keyMarker === "") throw S3Errors.invalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", versionMarker);
    if (versionMarker !== "null") throw S3Errors.invalidArgument("Invalid version id specified", "version-id-marker", versionMarker);
  }
  const page = await walk(call.ctx, { bucket: call.bucket, prefix, delimiter, after: keyMarker === "" ? undefined : keyMarker, maxKeys }, call.signal);
  const lastIsVersion = page.contents.length > 0 && page.last === page.contents[page.contents.length - 1]!.key;
  const body: Record<string, unknown> = {
    Name: call.bucket,
    Prefix: enc(prefix),
    KeyMarker: enc(keyMarker),
    VersionIdMarker: versionMarker ?? "",
    ...(page.truncated && page.last !== undefined
      ? { NextKeyMarker: enc(page.last), ...(lastIsVersion ? { NextVersionIdMarker: "null" } : {}) }
      : {}),
    MaxKeys: maxKeys,
    ...(delimiter !== "" ? { Delimiter: enc(delimiter) } : {}),
    IsTruncated: page.truncated,
    ...(q.has("encoding-type") ? { EncodingType: "url" } : {}),
    Version: page.contents.map((e) => {
      const m = e.manifest;
      return {
        Key: enc(e.key),
        VersionId: "null",
        IsLatest: true,
        LastModified: isoDate(m.lastModified),
        ETag: `"${m.etag}"`,
        Size: m.size,
        Owner: { ID: m.ownerId, DisplayName: m.ownerName },
        StorageClass: m.headers.storageClass ?? "STANDARD",
        ...(m.checksum ? { ChecksumAlgorithm: m.checksum.algorithm, ChecksumType: m.checksum.type } : {}),
      };
    }),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  };
  return xmlResponse("ListVersionsResult", body);
}
