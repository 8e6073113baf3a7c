// Digests over streaming bodies come from the shared adapters/aws/checksums.ts; this file
// only names the pieces the S3 operations use.

import { createChecksum, type Checksum } from "../../aws/checksums.ts";
import type { ChecksumAlgorithm } from "../keyspace.ts";

export type Digest = Checksum;

export function newDigest(alg: ChecksumAlgorithm | "MD5"): Digest {
  return createChecksum(alg);
}

/** Digest of a whole buffer. */
export function digestOf(alg: ChecksumAlgorithm | "MD5", bytes: Uint8Array): Uint8Array {
  const d = createChecksum(alg);
  d.update(bytes);
  return d.digest();
}

/** Byte length of each algorithm's raw digest. */
export const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};
