// Incremental digests over a streaming body. Kept behind this small interface so the
// shared adapters/aws/checksums.ts can replace the implementations without touching
// call sites.

import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { AwsCrc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import type { ChecksumAlgorithm } from "../keyspace.ts";

export interface Digest {
  update(bytes: Uint8Array): void;
  /** Raw digest bytes. Call once, after the last update. */
  digest(): Promise<Uint8Array>;
}

class Crc32Digest implements Digest {
  private value = 0;
  update(bytes: Uint8Array): void {
    this.value = crc32(bytes, this.value);
  }
  async digest(): Promise<Uint8Array> {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, this.value >>> 0);
    return out;
  }
}

class HashDigest implements Digest {
  private readonly h;
  constructor(alg: string) {
    this.h = createHash(alg);
  }
  update(bytes: Uint8Array): void {
    this.h.update(bytes);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

class SdkDigest implements Digest {
  constructor(private readonly impl: { update(b: Uint8Array): void; digest(): Promise<Uint8Array> }) {}
  update(bytes: Uint8Array): void {
    this.impl.update(bytes);
  }
  digest(): Promise<Uint8Array> {
    return this.impl.digest();
  }
}

export function newDigest(alg: ChecksumAlgorithm | "MD5"): Digest {
  switch (alg) {
    case "CRC32":
      return new Crc32Digest();
    case "CRC32C":
      return new SdkDigest(new AwsCrc32c());
    case "CRC64NVME":
      return new SdkDigest(new Crc64Nvme());
    case "SHA1":
      return new HashDigest("sha1");
    case "SHA256":
      return new HashDigest("sha256");
    case "MD5":
      return new HashDigest("md5");
  }
}

/** Digest of a whole buffer. */
export async function digestOf(alg: ChecksumAlgorithm | "MD5", bytes: Uint8Array): Promise<Uint8Array> {
  const d = newDigest(alg);
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
