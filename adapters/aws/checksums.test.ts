import { Crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CHECKSUM_ALGORITHMS,
  algorithmOfHeader,
  checksumBase64,
  checksumHeader,
  combineCrc,
  compositeChecksum,
  createChecksum,
  fullObjectChecksum,
  isValidChecksumValue,
  multipartEtag,
  parseChecksumAlgorithm,
  toBase64,
  type CrcAlgorithm,
} from "./checksums.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const hex = (d: Uint8Array) => Buffer.from(d).toString("hex");

describe("checksums", () => {
  it("matches the standard check values for '123456789'", () => {
    const v = enc("123456789");
    const one = (alg: Parameters<typeof createChecksum>[0]) => {
      const c = createChecksum(alg);
      c.update(v);
      return hex(c.digest());
    };
    expect(one("CRC32")).toBe("cbf43926");
    expect(one("CRC32C")).toBe("e3069283");
    expect(one("CRC64NVME")).toBe("ae8b14860a799888");
    expect(one("SHA1")).toBe("f7c3bc1d808e04732adf679965ccc34ca7ae3441");
    expect(one("SHA256")).toBe("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225");
    expect(one("MD5")).toBe("25f9e794323b453885f5181f1b624d0b");
  });

  it("gives S3's base64 header values (empty body and 'hello world')", () => {
    expect(checksumBase64("CRC32", enc(""))).toBe("AAAAAA==");
    expect(checksumBase64("CRC32", enc("hello world"))).toBe("DUoRhQ==");
    expect(checksumBase64("CRC64NVME", enc(""))).toBe("AAAAAAAAAAA=");
    expect(checksumBase64("SHA256", enc(""))).toBe("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  });

  it("matches @aws-crypto/crc32c and @aws-sdk/crc64-nvme on random data, fed in random pieces", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(3000), { maxLength: 5 }), async (data, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const pieces: Uint8Array[] = [];
        let at = 0;
        for (const p of [...points, data.length]) {
          pieces.push(data.subarray(at, p));
          at = p;
        }
        const ours = (alg: Parameters<typeof createChecksum>[0]) => {
          const c = createChecksum(alg);
          for (const p of pieces) c.update(p);
          return hex(c.digest());
        };
        const ref64 = new Crc64Nvme();
        ref64.update(data);
        expect(ours("CRC64NVME")).toBe(hex(await ref64.digest()));
        const ref32c = new Crc32c().update(data).digest();
        expect(ours("CRC32C")).toBe((ref32c >>> 0).toString(16).padStart(8, "0"));
        expect(ours("SHA256")).toBe(createHash("sha256").update(data).digest("hex"));
      }),
      { numRuns: 200 },
    );
  });

  it("combines CRCs of consecutive parts into the CRC of the whole (FULL_OBJECT)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CrcAlgorithm>("CRC32", "CRC32C", "CRC64NVME"),
        fc.array(fc.uint8Array({ maxLength: 2000 }), { minLength: 1, maxLength: 6 }),
        (alg, parts) => {
          const whole = checksumBase64(alg, Buffer.concat(parts));
          const digests = parts.map((p) => {
            const c = createChecksum(alg);
            c.update(p);
            return { digest: c.digest(), length: p.byteLength };
          });
          expect(fullObjectChecksum(alg, digests)).toBe(whole);
        },
      ),
      { numRuns: 300 },
    );
    // Large lengths exercise the exponentiation path beyond small tables.
    const a = Buffer.alloc(5 * 1024 * 1024, 1);
    const b = Buffer.alloc(3 * 1024 * 1024 + 7, 2);
    for (const alg of ["CRC32", "CRC32C", "CRC64NVME"] as const) {
      const ca = createChecksum(alg);
      ca.update(a);
      const cb = createChecksum(alg);
      cb.update(b);
      expect(toBase64(combineCrc(alg, ca.digest(), cb.digest(), b.byteLength))).toBe(checksumBase64(alg, Buffer.concat([a, b])));
    }
  });

  it("builds COMPOSITE checksums and multipart ETags", () => {
    const parts = [enc("part one"), enc("part two")];
    const digests = parts.map((p) => {
      const c = createChecksum("SHA256");
      c.update(p);
      return c.digest();
    });
    const expected = createHash("sha256").update(Buffer.concat(digests)).digest("base64") + "-2";
    expect(compositeChecksum("SHA256", digests)).toBe(expected);
    const md5s = parts.map((p) => createHash("md5").update(p).digest());
    expect(multipartEtag(md5s)).toBe('"' + createHash("md5").update(Buffer.concat(md5s)).digest("hex") + '-2"');
  });

  it("names headers and validates values", () => {
    for (const alg of CHECKSUM_ALGORITHMS) {
      expect(algorithmOfHeader(checksumHeader(alg))).toBe(alg);
      expect(isValidChecksumValue(alg, checksumBase64(alg, enc("x")))).toBe(true);
    }
    expect(checksumHeader("CRC64NVME")).toBe("x-amz-checksum-crc64nvme");
    expect(parseChecksumAlgorithm("crc32c")).toBe("CRC32C");
    expect(parseChecksumAlgorithm("md5")).toBeUndefined();
    expect(isValidChecksumValue("CRC32", "AAAA")).toBe(false);
    expect(isValidChecksumValue("CRC32", "not base64!")).toBe(false);
  });
});
