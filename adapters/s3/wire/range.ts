// The Range header as S3 reads it: one byte range; anything it cannot parse is ignored
// (the whole object is returned), a range that starts past the end is 416.

import { S3Errors } from "./errors.ts";

export interface ByteRange {
  start: number;
  /** Exclusive. */
  end: number;
}

export function parseRange(header: string | null, size: number): ByteRange | undefined {
  if (header === null) return undefined;
  const m = /^\s*bytes=(\d*)-(\d*)\s*$/.exec(header);
  if (!m) return undefined;
  const [, a, b] = m as unknown as [string, string, string];
  if (a === "" && b === "") return undefined;
  if (a === "") {
    const n = Number(b);
    if (n === 0 || size === 0) throw S3Errors.invalidRange(header, size);
    return { start: Math.max(0, size - n), end: size };
  }
  const start = Number(a);
  if (b !== "" && Number(b) < start) return undefined;
  if (start >= size) throw S3Errors.invalidRange(header, size);
  const end = b === "" ? size : Math.min(size, Number(b) + 1);
  return { start, end };
}
