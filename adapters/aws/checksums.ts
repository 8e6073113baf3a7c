// S3 additional checksums (x-amz-checksum-<alg>), incremental, with the base64 digests S3
// uses, plus MD5 for Content-MD5 and ETags, and the multipart combinations:
// COMPOSITE (checksum of the parts' checksums, "-N") and FULL_OBJECT (CRC combine).

import { createHash, type Hash } from "node:crypto";
import { crc32 as zlibCrc32 } from "node:zlib";

export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";
export type CrcAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME";

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

export interface Checksum {
  update(bytes: Uint8Array): void;
  /** Raw digest bytes (big-endian for CRCs); base64 of this is the header value. */
  digest(): Uint8Array;
}

const HEADER: Readonly<Record<ChecksumAlgorithm, string>> = {
  CRC32: "x-amz-checksum-crc32",
  CRC32C: "x-amz-checksum-crc32c",
  CRC64NVME: "x-amz-checksum-crc64nvme",
  SHA1: "x-amz-checksum-sha1",
  SHA256: "x-amz-checksum-sha256",
};

const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

/** `x-amz-checksum-crc32` etc. */
export function checksumHeader(alg: ChecksumAlgorithm): string {
  return HEADER[alg];
}

/** The algorithm a (lowercase) `x-amz-checksum-*` header or trailer name stands for. */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  for (const alg of CHECKSUM_ALGORITHMS) if (HEADER[alg] === name) return alg;
  return undefined;
}

/** x-amz-sdk-checksum-algorithm / x-amz-checksum-algorithm values, case-insensitively. */
export function parseChecksumAlgorithm(value: string): ChecksumAlgorithm | undefined {
  const v = value.toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(v) ? (v as ChecksumAlgorithm) : undefined;
}

export function isCrc(alg: ChecksumAlgorithm): alg is CrcAlgorithm {
  return alg === "CRC32" || alg === "CRC32C" || alg === "CRC64NVME";
}

/** Whether a header value is well-formed base64 of the right digest length. */
export function isValidChecksumValue(alg: ChecksumAlgorithm, base64: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) return false;
  return Buffer.from(base64, "base64").byteLength === DIGEST_BYTES[alg];
}

function be32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, false);
  return out;
}

class Crc32Checksum implements Checksum {
  private value = 0;
  update(bytes: Uint8Array): void {
    this.value = zlibCrc32(bytes, this.value);
  }
  digest(): Uint8Array {
    return be32(this.value);
  }
}

// CRC-32C and CRC-64/NVME are computed here, slice-by-8 (8 table lookups per 8 input bytes):
// @aws-crypto/crc32c and @aws-sdk/crc64-nvme go a byte at a time (~100 and ~65 MiB/s here)
// and the latter only offers an async digest(). The tests hold both to those libraries.

const CRC32C_POLY = 0x82f63b78;
/** T32C[k * 256 + i]: CRC-32C of byte i followed by k zero bytes. */
const T32C = new Uint32Array(8 * 256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLY : c >>> 1;
  T32C[i] = c >>> 0;
}
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const prev = T32C[(k - 1) * 256 + i]!;
    T32C[k * 256 + i] = ((prev >>> 8) ^ T32C[prev & 0xff]!) >>> 0;
  }
}

class Crc32cChecksum implements Checksum {
  private crc = 0xffffffff;
  update(bytes: Uint8Array): void {
    const t = T32C;
    let crc = this.crc;
    let i = 0;
    const end8 = bytes.length - 7;
    for (; i < end8; i += 8) {
      const one = crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
      crc =
        t[1792 + (one & 0xff)]! ^
        t[1536 + ((one >>> 8) & 0xff)]! ^
        t[1280 + ((one >>> 16) & 0xff)]! ^
        t[1024 + (one >>> 24)]! ^
        t[768 + bytes[i + 4]!]! ^
        t[512 + bytes[i + 5]!]! ^
        t[256 + bytes[i + 6]!]! ^
        t[bytes[i + 7]!]!;
    }
    for (; i < bytes.length; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
    this.crc = crc >>> 0;
  }
  digest(): Uint8Array {
    return be32(~this.crc >>> 0);
  }
}

// CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones; the 64-bit
// state is kept as two 32-bit halves.
const CRC64_POLY = 0x9a6c9329ac4bc9b5n;
const T64_LO = new Uint32Array(8 * 256);
const T64_HI = new Uint32Array(8 * 256);
{
  const t0: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let crc = BigInt(i);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ CRC64_POLY : crc >> 1n;
    t0.push(crc);
  }
  let prev = t0;
  for (let k = 0; k < 8; k++) {
    const cur = k === 0 ? t0 : prev.map((v) => (v >> 8n) ^ t0[Number(v & 0xffn)]!);
    for (let i = 0; i < 256; i++) {
      T64_LO[k * 256 + i] = Number(cur[i]! & 0xffffffffn);
      T64_HI[k * 256 + i] = Number(cur[i]! >> 32n);
    }
    prev = cur;
  }
}

class Crc64NvmeChecksum implements Checksum {
  private lo = 0xffffffff;
  private hi = 0xffffffff;
  update(bytes: Uint8Array): void {
    const tl = T64_LO;
    const th = T64_HI;
    let lo = this.lo;
    let hi = this.hi;
    let i = 0;
    const end8 = bytes.length - 7;
    for (; i < end8; i += 8) {
      const a = lo ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
      const b = hi ^ (bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24));
      const i7 = 1792 + (a & 0xff);
      const i6 = 1536 + ((a >>> 8) & 0xff);
      const i5 = 1280 + ((a >>> 16) & 0xff);
      const i4 = 1024 + (a >>> 24);
      const i3 = 768 + (b & 0xff);
      const i2 = 512 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = tl[i7]! ^ tl[i6]! ^ tl[i5]! ^ tl[i4]! ^ tl[i3]! ^ tl[i2]! ^ tl[i1]! ^ tl[i0]!;
      hi = th[i7]! ^ th[i6]! ^ th[i5]! ^ th[i4]! ^ th[i3]! ^ th[i2]! ^ th[i1]! ^ th[i0]!;
    }
    for (; i < bytes.length; i++) {
      const idx = (lo ^ bytes[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ tl[idx]!;
      hi = (hi >>> 8) ^ th[idx]!;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }
  digest(): Uint8Array {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, ~this.hi >>> 0, false);
    view.setUint32(4, ~this.lo >>> 0, false);
    return out;
  }
}

class HashChecksum implements Checksum {
  private readonly hash: Hash;
  constructor(alg: string) {
    this.hash = createHash(alg);
  }
  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }
  digest(): Uint8Array {
    return this.hash.digest();
  }
}

export function createChecksum(alg: ChecksumAlgorithm | "MD5"): Checksum {
  switch (alg) {
    case "CRC32":
      return new Crc32Checksum();
    case "CRC32C":
      return new Crc32cChecksum();
    case "CRC64NVME":
      return new Crc64NvmeChecksum();
    case "SHA1":
      return new HashChecksum("sha1");
    case "SHA256":
      return new HashChecksum("sha256");
    case "MD5":
      return new HashChecksum("md5");
  }
}

export function toBase64(digest: Uint8Array): string {
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString("base64");
}

/** One-shot base64 checksum of some bytes. */
export function checksumBase64(alg: ChecksumAlgorithm, bytes: Uint8Array): string {
  const c = createChecksum(alg);
  c.update(bytes);
  return toBase64(c.digest());
}

/** Quoted MD5 ETag of a single-part object: `"<hex>"`. */
export function md5Etag(md5: Uint8Array): string {
  return '"' + Buffer.from(md5).toString("hex") + '"';
}

/** Multipart ETag: `"<md5 of the parts' MD5 digests>-<N>"`. */
export function multipartEtag(partMd5s: readonly Uint8Array[]): string {
  const h = createHash("md5");
  for (const d of partMd5s) h.update(d);
  return '"' + h.digest("hex") + "-" + partMd5s.length + '"';
}

/** COMPOSITE multipart checksum: checksum of the concatenated part digests, base64, "-N". */
export function compositeChecksum(alg: ChecksumAlgorithm, partDigests: readonly Uint8Array[]): string {
  const c = createChecksum(alg);
  for (const d of partDigests) c.update(d);
  return toBase64(c.digest()) + "-" + partDigests.length;
}

// ---- FULL_OBJECT: combine CRCs of consecutive parts without rereading the data.
// crc(A‖B) = crc(A)·x^(8·|B|) mod P  ⊕  crc(B), with multiplication in GF(2)[x]/P over the
// reflected representation (as zlib's crc32_combine); BigInt keeps one code path for 32 and 64 bits.

interface CrcSpec {
  width: number;
  poly: bigint;
}

const CRC_SPECS: Readonly<Record<CrcAlgorithm, CrcSpec>> = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: CRC64_POLY },
};

/** a·b mod P, reflected: the top bit is x^0. */
function multModP(spec: CrcSpec, a: bigint, b: bigint): bigint {
  let m = 1n << BigInt(spec.width - 1);
  let p = 0n;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ spec.poly : b >> 1n;
  }
  return p;
}

const x2nTables = new Map<CrcAlgorithm, bigint[]>();

/** x^(2^k) mod P for k = 0..63. */
function x2nTable(alg: CrcAlgorithm): bigint[] {
  let t = x2nTables.get(alg);
  if (t === undefined) {
    const spec = CRC_SPECS[alg];
    t = [];
    let p = 1n << BigInt(spec.width - 2); // x^1
    t.push(p);
    for (let k = 1; k < 64; k++) {
      p = multModP(spec, p, p);
      t.push(p);
    }
    x2nTables.set(alg, t);
  }
  return t;
}

/** x^(8·bytes) mod P. */
function xPow8n(alg: CrcAlgorithm, bytes: number): bigint {
  const spec = CRC_SPECS[alg];
  const table = x2nTable(alg);
  let p = 1n << BigInt(spec.width - 1); // x^0
  let n = BigInt(bytes);
  let k = 3;
  while (n > 0n) {
    if (n & 1n) p = multModP(spec, table[k % 64]!, p);
    n >>= 1n;
    k++;
  }
  return p;
}

function digestToBig(d: Uint8Array): bigint {
  let v = 0n;
  for (const b of d) v = (v << 8n) | BigInt(b);
  return v;
}

function bigToDigest(v: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** CRC of A‖B from crc(A), crc(B) and |B|. */
export function combineCrc(alg: CrcAlgorithm, crcA: Uint8Array, crcB: Uint8Array, lengthB: number): Uint8Array {
  const spec = CRC_SPECS[alg];
  const a = digestToBig(crcA);
  const b = digestToBig(crcB);
  return bigToDigest(multModP(spec, xPow8n(alg, lengthB), a) ^ b, spec.width / 8);
}

/** FULL_OBJECT checksum of an object from its parts' CRCs and lengths, in part order (base64). */
export function fullObjectChecksum(
  alg: CrcAlgorithm,
  parts: readonly { digest: Uint8Array; length: number }[],
): string {
  if (parts.length === 0) return checksumBase64(alg, new Uint8Array(0));
  let acc = parts[0]!.digest;
  for (let i = 1; i < parts.length; i++) acc = combineCrc(alg, acc, parts[i]!.digest, parts[i]!.length);
  return toBase64(acc);
}
