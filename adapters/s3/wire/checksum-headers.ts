// Which checksum a write carries: an x-amz-checksum-<alg> header, or a trailer announced
// by x-amz-trailer. Also the Content-MD5 header.

import type { ChecksumAlgorithm, StoredChecksum } from "../keyspace.ts";
import { DIGEST_BYTES } from "../storage/hashing.ts";
import { S3Errors } from "./errors.ts";

export const ALGORITHMS: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

export function headerName(alg: ChecksumAlgorithm): string {
  return `x-amz-checksum-${alg.toLowerCase()}`;
}

export function parseAlgorithm(v: string | null, argName = "x-amz-sdk-checksum-algorithm"): ChecksumAlgorithm | undefined {
  if (v === null || v === "") return undefined;
  const up = v.toUpperCase() as ChecksumAlgorithm;
  if (!ALGORITHMS.includes(up)) throw S3Errors.invalidArgument("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]", argName, v);
  return up;
}

export interface ChecksumRequest {
  algorithm: ChecksumAlgorithm;
  /** Base64 value from a header; undefined when it comes in a trailer or not at all. */
  value?: string;
  fromTrailer: boolean;
}

export function isValidChecksumValue(alg: ChecksumAlgorithm, value: string): boolean {
  const raw = Buffer.from(value, "base64");
  return raw.length === DIGEST_BYTES[alg] && raw.toString("base64") === value.trim();
}

export function parseChecksumRequest(h: Headers): ChecksumRequest | undefined {
  const present = ALGORITHMS.filter((a) => h.has(headerName(a)));
  if (present.length > 1) throw S3Errors.invalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  const sdkAlg = parseAlgorithm(h.get("x-amz-sdk-checksum-algorithm"));
  if (present.length === 1) {
    const alg = present[0]!;
    const value = h.get(headerName(alg))!;
    if (!isValidChecksumValue(alg, value)) throw S3Errors.invalidChecksum(headerName(alg));
    if (sdkAlg !== undefined && sdkAlg !== alg) {
      throw S3Errors.invalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.");
    }
    return { algorithm: alg, value, fromTrailer: false };
  }
  const trailer = h.get("x-amz-trailer");
  if (trailer !== null) {
    const name = trailer.trim().toLowerCase();
    const alg = ALGORITHMS.find((a) => headerName(a) === name);
    if (!alg) throw S3Errors.invalidRequest("The value specified in the x-amz-trailer header is not supported");
    return { algorithm: alg, fromTrailer: true };
  }
  // S3 refuses the algorithm without its value (a presigned URL that names the algorithm,
  // used by a client that sends no checksum, is the common case).
  if (sdkAlg !== undefined) {
    throw S3Errors.invalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
  }
  return undefined;
}

/** Base64 Content-MD5 as raw bytes, or undefined when absent. */
export function parseContentMd5(h: Headers): Buffer | undefined {
  const v = h.get("content-md5");
  if (v === null) return undefined;
  const raw = Buffer.from(v.trim(), "base64");
  if (raw.length !== 16 || raw.toString("base64") !== v.trim()) throw S3Errors.invalidDigest();
  return raw;
}

/** The x-amz-checksum-* headers of a stored checksum, into a plain header record. */
export function checksumHeaders(c: StoredChecksum | undefined, out: Record<string, string>): void {
  if (!c) return;
  out[headerName(c.algorithm)] = c.value;
  out["x-amz-checksum-type"] = c.type;
}
