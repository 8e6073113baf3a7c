// Headers stored with an object (standard ones and x-amz-meta-*) and the headers a GET/HEAD
// answers with, including response-* overrides.

import type { ObjectHeaders, ObjectManifest } from "../keyspace.ts";
import { S3Errors } from "./errors.ts";
import { httpDate } from "./xml-io.ts";
import { AwsError } from "../../aws/errors.ts";

const MAX_META_BYTES = 2 * 1024;

const STORAGE_CLASSES = new Set([
  "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
  "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
]);

export function parseObjectHeaders(h: Headers): ObjectHeaders {
  const meta: Record<string, string> = {};
  let metaBytes = 0;
  for (const [name, value] of h) {
    if (!name.startsWith("x-amz-meta-")) continue;
    const k = name.slice("x-amz-meta-".length);
    meta[k] = value;
    metaBytes += Buffer.byteLength(k) + Buffer.byteLength(value);
  }
  if (metaBytes > MAX_META_BYTES) {
    throw new AwsError("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", {
      status: 400,
      extra: { Size: metaBytes, MaxSizeAllowed: MAX_META_BYTES },
    });
  }
  const storageClass = h.get("x-amz-storage-class") ?? undefined;
  if (storageClass !== undefined && !STORAGE_CLASSES.has(storageClass)) {
    throw new AwsError("InvalidStorageClass", "The storage class you specified is not valid", { status: 400, extra: { StorageClassRequested: storageClass } });
  }
  const opt = (n: string) => h.get(n) ?? undefined;
  const websiteRedirect = opt("x-amz-website-redirect-location");
  if (websiteRedirect !== undefined && !/^(\/|https?:\/\/)/.test(websiteRedirect)) {
    throw new AwsError("InvalidRedirectLocation", "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.", { status: 400 });
  }
  return {
    contentType: opt("content-type") ?? "binary/octet-stream",
    contentEncoding: stripAwsChunked(opt("content-encoding")),
    contentDisposition: opt("content-disposition"),
    contentLanguage: opt("content-language"),
    cacheControl: opt("cache-control"),
    expires: opt("expires"),
    meta,
    storageClass: storageClass === "STANDARD" ? undefined : storageClass,
    websiteRedirect,
  };
}

/** aws-chunked is transfer framing, not part of the stored Content-Encoding. */
function stripAwsChunked(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const rest = v.split(",").map((s) => s.trim()).filter((s) => s !== "" && s.toLowerCase() !== "aws-chunked");
  return rest.length ? rest.join(",") : undefined;
}

const OVERRIDES: Record<string, string> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

/** Field values Node's HTTP writer accepts (it throws on anything else). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * S3 encrypts every object at rest with SSE-S3 by default (since January 2023) and says so
 * on each write and read of an object; a write may ask for it, nothing else (put-object.ts).
 */
export const SSE_HEADER = "x-amz-server-side-encryption";
export const SSE_S3 = "AES256";

/**
 * Response headers of a GET/HEAD of `m`, as a plain record: node-server writes a record
 * straight to the socket, where a fetch Headers would be built, validated and iterated.
 */
export function objectResponseHeaders(m: ObjectManifest, query: URLSearchParams): Record<string, string> {
  const h: Record<string, string> = {
    etag: `"${m.etag}"`,
    "last-modified": httpDate(m.lastModified),
    "accept-ranges": "bytes",
    [SSE_HEADER]: SSE_S3,
  };
  const s = m.headers;
  if (s.contentType !== undefined) h["content-type"] = s.contentType;
  if (s.contentEncoding !== undefined) h["content-encoding"] = s.contentEncoding;
  if (s.contentDisposition !== undefined) h["content-disposition"] = s.contentDisposition;
  if (s.contentLanguage !== undefined) h["content-language"] = s.contentLanguage;
  if (s.cacheControl !== undefined) h["cache-control"] = s.cacheControl;
  if (s.expires !== undefined) h["expires"] = s.expires;
  if (s.storageClass !== undefined) h["x-amz-storage-class"] = s.storageClass;
  if (s.websiteRedirect !== undefined) h["x-amz-website-redirect-location"] = s.websiteRedirect;
  for (const k in s.meta) h[`x-amz-meta-${k}`] = s.meta[k]!;
  if (m.tags && m.tags.length > 0) h["x-amz-tagging-count"] = String(m.tags.length);
  if (query.size > 0) {
    for (const param in OVERRIDES) {
      const v = query.get(param);
      if (v === null) continue;
      if (!HEADER_VALUE.test(v)) throw S3Errors.invalidArgument(`Invalid value for ${param}`, param, v);
      h[OVERRIDES[param]!] = v;
    }
  }
  return h;
}
