// Preconditions, in the order and with the outcomes S3 documents:
//   reads:  If-Match (412) > If-Unmodified-Since (412, unless If-Match held)
//           > If-None-Match (304) > If-Modified-Since (304, unless If-None-Match failed)
//   copies: the same four x-amz-copy-source-if-* headers, every failure a 412, and an
//           If-Modified-Since later than now ignored (as RFC 7232 says; recorded against
//           S3 in LocalStack's test_s3_copy_object_preconditions snapshot)
//   writes: If-None-Match: * and If-Match: <etag>, checked inside the commit transaction

import { S3Errors } from "./errors.ts";
import { AwsError } from "../../aws/errors.ts";

export interface Validators {
  etag: string;
  lastModified: number;
}

/** Quotes are optional, and S3 takes an ETag missing only one of them too (moto's AWS-verified test_put_object_if_match). */
function etagList(header: string): string[] {
  return header.split(",").map((s) => s.trim().replace(/^W\//, "").replace(/^"/, "").replace(/"$/, ""));
}

export function etagMatches(header: string, etag: string): boolean {
  return etagList(header).some((t) => t === "*" || t === etag);
}

function parseDate(v: string | null): number | undefined {
  if (v === null) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** Seconds resolution, as HTTP dates carry. */
function modifiedAfter(lastModified: number, date: number): boolean {
  return Math.floor(lastModified / 1000) > Math.floor(date / 1000);
}

export type ReadOutcome = "ok" | "not-modified" | "failed";

export function evaluateReadConditions(
  h: Headers,
  v: Validators,
  prefix = "",
  opts: { ignoreFutureModifiedSince?: boolean } = {},
): { outcome: ReadOutcome; condition?: string } {
  const ifMatch = h.get(`${prefix}if-match`);
  const ifNoneMatch = h.get(`${prefix}if-none-match`);
  const ifUnmodified = parseDate(h.get(`${prefix}if-unmodified-since`));
  let ifModified = parseDate(h.get(`${prefix}if-modified-since`));
  if (opts.ignoreFutureModifiedSince && ifModified !== undefined && ifModified > Date.now()) ifModified = undefined;
  if (ifMatch !== null) {
    if (!etagMatches(ifMatch, v.etag)) return { outcome: "failed", condition: "If-Match" };
  } else if (ifUnmodified !== undefined && modifiedAfter(v.lastModified, ifUnmodified)) {
    return { outcome: "failed", condition: "If-Unmodified-Since" };
  }
  if (ifNoneMatch !== null) {
    if (etagMatches(ifNoneMatch, v.etag)) return { outcome: "not-modified", condition: "If-None-Match" };
  } else if (ifModified !== undefined && !modifiedAfter(v.lastModified, ifModified)) {
    return { outcome: "not-modified", condition: "If-Modified-Since" };
  }
  return { outcome: "ok" };
}

/** Thrown for a 304: carries the validators the response must repeat. */
export class NotModified extends Error {
  constructor(readonly etag: string, readonly lastModified: number) {
    super("not modified");
  }
}

/** GET/HEAD preconditions: returns normally, or throws NotModified / PreconditionFailed. */
export function checkReadConditions(h: Headers, v: Validators): void {
  const r = evaluateReadConditions(h, v);
  if (r.outcome === "failed") throw S3Errors.preconditionFailed(r.condition!);
  if (r.outcome === "not-modified") throw new NotModified(v.etag, v.lastModified);
}

/** CopyObject / UploadPartCopy source preconditions: every failure is 412. */
export function checkCopySourceConditions(h: Headers, v: Validators): void {
  const r = evaluateReadConditions(h, v, "x-amz-copy-source-", { ignoreFutureModifiedSince: true });
  if (r.outcome !== "ok") throw S3Errors.preconditionFailed(`x-amz-copy-source-${r.condition!}`);
}

export interface WriteConditions {
  ifNoneMatchStar: boolean;
  ifMatch?: string;
}

/**
 * A write takes one condition: `If-None-Match: *` or `If-Match: <etag>`. Anything else is
 * 501 NotImplemented naming the header, as recorded against AWS (LocalStack's
 * test_s3_api.snapshot.json, TestS3ObjectWritePrecondition: both headers at once, an
 * If-None-Match other than `*`, `If-Match: *`).
 */
export function parseWriteConditions(h: Headers): WriteConditions {
  const inm = h.get("if-none-match");
  const im = h.get("if-match");
  if (inm !== null && im !== null) {
    throw S3Errors.unsupportedCondition("If-Match,If-None-Match", "Multiple conditional request headers present in the request");
  }
  if (inm !== null && inm.trim() !== "*") {
    throw S3Errors.unsupportedCondition("If-None-Match", "We don't accept the provided value of If-None-Match header for this API");
  }
  if (im !== null && im.trim() === "*") {
    throw S3Errors.unsupportedCondition("If-Match", "We don't accept the provided value of If-Match header for this API");
  }
  return { ifNoneMatchStar: inm !== null, ifMatch: im === null ? undefined : im };
}

/** Evaluate write conditions against the current object (read inside the transaction). */
export function checkWriteConditions(c: WriteConditions, current: Validators | undefined, key: string): AwsError | undefined {
  if (c.ifNoneMatchStar && current) return S3Errors.preconditionFailed("If-None-Match");
  if (c.ifMatch !== undefined) {
    if (!current) return S3Errors.noSuchKey(key);
    if (!etagMatches(c.ifMatch, current.etag)) return S3Errors.preconditionFailed("If-Match");
  }
  return undefined;
}
