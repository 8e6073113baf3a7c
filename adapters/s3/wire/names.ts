// Bucket naming rules (general purpose buckets) and object key limits.

import { S3Errors } from "./errors.ts";

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_RE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const BAD_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const BAD_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

export function isValidBucketName(name: string): boolean {
  if (!BUCKET_RE.test(name)) return false;
  if (name.includes("..") || name.includes(".-") || name.includes("-.")) return false;
  if (IPV4_RE.test(name)) return false;
  if (BAD_PREFIXES.some((p) => name.startsWith(p))) return false;
  if (BAD_SUFFIXES.some((s) => name.endsWith(s))) return false;
  return true;
}

export function checkBucketName(name: string): void {
  if (!isValidBucketName(name)) throw S3Errors.invalidBucketName(name);
}

export const MAX_KEY_BYTES = 1024;

export function checkKey(key: string): void {
  const n = Buffer.byteLength(key, "utf8");
  if (n > MAX_KEY_BYTES) throw S3Errors.keyTooLong(n);
  // A lone surrogate cannot be stored as UTF-8 without changing the key.
  if (/\p{Cs}/u.test(key)) throw S3Errors.invalidObjectName();
}
