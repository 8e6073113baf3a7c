// S3's legacy Signature Version 2 (HMAC-SHA1), header (`AWS AKID:sig`) and query
// (`AWSAccessKeyId`, `Signature`, `Expires`) forms. It is still what boto3 and the AWS CLI
// produce for `generate_presigned_url` / `aws s3 presign` unless told `s3v4`, so presigned
// links from those tools need it. S3 only; there is no payload hash to verify.

import { createHmac } from "node:crypto";
import type { Principal, SigningInfo } from "../service.ts";
import { AuthError } from "./auth-error.ts";
import type { Authenticated, AuthInput, AuthOptions } from "./authenticate.ts";
import { readAll, streamOf } from "./body.ts";
import type { QueryParam, RepeatedFields } from "./canonical.ts";
import { MAX_SKEW_MS } from "./error-table.ts";
import { parseAmzDate } from "./parse.ts";
import { sameSignature } from "./signing-key.ts";

/** Sub-resources that are part of the signed resource (botocore's HmacV1 list). */
const SUBRESOURCES: ReadonlySet<string> = new Set([
  "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle", "location",
  "logging", "metrics", "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment",
  "response-cache-control", "response-content-disposition", "response-content-encoding", "response-content-language",
  "response-content-type", "response-expires", "restore", "select", "select-type", "storageClass", "tagging",
  "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
]);

export function isSigV2Query(params: QueryParam[]): boolean {
  let key = false;
  let sig = false;
  for (const p of params) {
    if (p.name === "AWSAccessKeyId") key = true;
    else if (p.name === "Signature") sig = true;
  }
  return key && sig;
}

/**
 * The access key a SigV2 request names (header `AWS <key>:<sig>`, or a presigned URL with
 * AWSAccessKeyId and Signature), unverified; undefined when it is not SigV2. A cheap peek
 * for routing and for refusing strangers early.
 */
export function sigV2AccessKey(url: URL, headers: Headers): string | undefined {
  const authz = headers.get("authorization");
  if (authz !== null) return authz.startsWith("AWS ") ? authz.slice(4, Math.max(4, authz.lastIndexOf(":"))) : undefined;
  if (url.search.length <= 1 || !url.searchParams.has("Signature")) return undefined;
  return url.searchParams.get("AWSAccessKeyId") ?? undefined;
}

function param(params: QueryParam[], name: string): string | undefined {
  for (const p of params) if (p.name === name) return p.value;
  return undefined;
}

/**
 * The x-amz-* headers, sorted, one `name:value` line each. A presigned URL carries them as
 * query parameters instead (botocore moves every x-amz-* header, the session token's
 * x-amz-security-token among them, into the query it signs), so those count too, unless
 * the request also sends that header (a client may send both; they are the same value).
 *
 * Values are trimmed, never folded inside, and a repeated field's values are joined with
 * "," (S3's SigV2 rules: "x-amz-meta-username:fred,barney", "trim any white-space around
 * the colon"; botocore's canonical_custom_headers strips each value and joins with ",";
 * aws-sdk v2 signs the value as is). Folding "a  b" to "a b" broke their signatures.
 */
function canonicalAmzHeaders(headers: Headers, params: QueryParam[] | undefined): string {
  const repeated = (headers as RepeatedFields).repeated;
  const values = new Map<string, string>();
  for (const [name, value] of headers) {
    if (!name.startsWith("x-amz-")) continue;
    const each = repeated?.[name];
    values.set(name, each === undefined ? value.trim() : each.map((v) => v.trim()).join(","));
  }
  if (params !== undefined) {
    for (const p of params) {
      const name = p.name.toLowerCase();
      if (name.startsWith("x-amz-") && !headers.has(name) && !values.has(name)) values.set(name, p.value.trim());
    }
  }
  let out = "";
  for (const name of [...values.keys()].sort()) out += name + ":" + values.get(name)! + "\n";
  return out;
}

/** Content-MD5 or Content-Type: the header, or, presigned, the query parameter botocore moved it to. */
function signedStandardHeader(headers: Headers, params: QueryParam[] | undefined, name: string): string {
  return headers.get(name) ?? (params === undefined ? undefined : params.find((p) => p.name.toLowerCase() === name)?.value) ?? "";
}

function subresources(params: QueryParam[]): string {
  const picked = params.filter((p) => SUBRESOURCES.has(p.name));
  if (picked.length === 0) return "";
  picked.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return "?" + picked.map((p) => (p.value === "" ? p.name : p.name + "=" + p.value)).join("&");
}

export async function authenticateV2(
  input: AuthInput,
  opts: AuthOptions,
  rawPath: string,
  params: QueryParam[],
  now: number,
): Promise<Authenticated> {
  const headers = input.headers;
  const authz = headers.get("authorization");
  const presigned = authz === null;
  if (opts.service !== undefined && opts.service !== "s3") {
    throw new AuthError("unsupported", "Signature Version 2 is only accepted for S3", { presigned });
  }

  let accessKeyId: string;
  let signature: string;
  let dateLine: string;
  if (authz !== null) {
    const colon = authz.lastIndexOf(":");
    if (colon < 5) throw new AuthError("malformed", "Authorization header is invalid -- one and only one ' ' (space) required");
    accessKeyId = authz.slice(4, colon);
    signature = authz.slice(colon + 1);
    const amzDate = headers.get("x-amz-date");
    const date = amzDate ?? headers.get("date");
    const ms = date === null ? NaN : (parseAmzDate(date) ?? Date.parse(date));
    if (Number.isNaN(ms)) throw new AuthError("date_missing", "no valid Date or x-amz-date header");
    if (Math.abs(now - ms) > MAX_SKEW_MS) {
      throw new AuthError("skewed", "request time too skewed", { accessKeyId, requestTime: ms, serverTime: now });
    }
    // With x-amz-date present the Date line is empty: x-amz-date is signed among the x-amz-* headers.
    dateLine = amzDate !== null ? "" : date!;
  } else {
    accessKeyId = param(params, "AWSAccessKeyId")!;
    signature = param(params, "Signature")!;
    const expires = param(params, "Expires");
    if (expires === undefined || !/^\d{1,12}$/.test(expires)) {
      throw new AuthError("malformed", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters", {
        presigned,
      });
    }
    if (now > Number(expires) * 1000) {
      throw new AuthError("expired", "presigned request has expired", {
        presigned,
        accessKeyId,
        serverTime: now,
        expiresAt: Number(expires) * 1000,
      });
    }
    dateLine = expires;
  }

  const principal: Principal | undefined = opts.lookup(accessKeyId);
  if (principal === undefined) throw new AuthError("unknown_key", "unknown access key id", { presigned, accessKeyId });

  const fromQuery = presigned ? params : undefined;
  const prefix =
    input.method + "\n" + signedStandardHeader(headers, fromQuery, "content-md5") + "\n" +
    signedStandardHeader(headers, fromQuery, "content-type") + "\n" + dateLine + "\n" + canonicalAmzHeaders(headers, fromQuery);
  const resourceTail = subresources(params);
  const sign = (resource: string) => {
    const stringToSign = prefix + resource + resourceTail;
    return { stringToSign, sig: createHmac("sha1", principal.secretAccessKey).update(stringToSign, "utf8").digest("base64") };
  };
  const path = rawPath === "" ? "/" : rawPath;
  // The resource as signed: the path; or, path-style, "/<bucket>/" for a bucket request
  // ("/<bucket>"), as botocore's auth_path and S3's SigV2 rules name it; or, virtual-hosted,
  // "/<bucket><path>" with the bucket taken from the host's first label.
  const host = headers.get("host") ?? input.url.host;
  const dot = host.indexOf(".");
  // The canonical form first: a mismatch error reports its string to sign.
  const resources = /^\/[^/]+$/.test(path) ? [path + "/", path] : [path];
  if (dot > 0) resources.push("/" + host.slice(0, dot) + path);
  const attempts = resources.map(sign);
  if (!attempts.some((a) => sameSignature(a.sig, signature))) {
    throw new AuthError("bad_signature", "signature mismatch", {
      presigned,
      accessKeyId,
      stringToSign: attempts[0]!.stringToSign,
      signatureProvided: signature,
    });
  }

  const signing: SigningInfo = {
    accessKeyId,
    region: opts.region,
    service: "s3",
    signedHeaders: [],
    contentSha256: headers.get("x-amz-content-sha256") ?? undefined,
    presigned,
  };
  const length = headers.get("content-length");
  const trailers = Promise.resolve(new Headers());
  // The edge reads a small body before authenticating (input.bytes; input.body is then null).
  if (input.bytes !== undefined || opts.bufferBody) {
    const bytes = input.bytes ?? (await readAll(input.body, opts.maxBufferedBytes ?? 16 * 1024 * 1024));
    return { principal, signing, body: streamOf(bytes), contentLength: bytes.byteLength, trailers, bytes };
  }
  return {
    principal,
    signing,
    body: input.body,
    contentLength: length !== null && /^\d{1,15}$/.test(length) ? Number(length) : undefined,
    trailers,
  };
}
