// x-amz-copy-source: `bucket/key` or `/bucket/key`, percent-encoded, with an optional
// `?versionId=`; and x-amz-copy-source-range: `bytes=first-last`.

import { S3Errors } from "./errors.ts";
import type { ByteRange } from "./range.ts";

export interface CopySource {
  bucket: string;
  key: string;
}

export function parseCopySource(raw: string): CopySource {
  let v = raw;
  const q = v.indexOf("?");
  if (q >= 0) {
    const params = new URLSearchParams(v.slice(q + 1));
    const version = params.get("versionId");
    if (version !== null && version !== "null") throw S3Errors.invalidArgument("Invalid version id specified", "x-amz-copy-source", raw);
    v = v.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(v);
  } catch {
    throw S3Errors.invalidArgument("Invalid copy source encoding", "x-amz-copy-source", raw);
  }
  if (decoded.startsWith("/")) decoded = decoded.slice(1);
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) {
    throw S3Errors.invalidArgument("Invalid copy source object key", "x-amz-copy-source", raw);
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

export function parseCopySourceRange(raw: string | null, size: number): ByteRange | undefined {
  if (raw === null) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(raw.trim());
  if (!m) {
    throw S3Errors.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy", "x-amz-copy-source-range", raw);
  }
  const start = Number(m[1]);
  const last = Number(m[2]);
  // Not the 416 InvalidRange of a GET: S3 answers 400 InvalidArgument here (as seen from
  // S3 in geesefs' "InvalidArgument: Range specified is not valid for source object of size").
  if (last < start || last >= size) {
    throw S3Errors.invalidArgument(`Range specified is not valid for source object of size: ${size}`, "x-amz-copy-source-range", raw);
  }
  return { start, end: last + 1 };
}
