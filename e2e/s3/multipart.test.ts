// Multipart uploads through the SDK and lib-storage's Upload: AWS's part rules, the
// multipart ETag, COMPOSITE and FULL_OBJECT checksums, part copies, listings, aborts.

import { expect, it } from "vitest";
import { randomBytes, createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  GetObjectAttributesCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand,
  PutObjectCommand, S3Client, UploadPartCommand, UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { referenceCrc64nvme } from "./reference-crc64nvme.ts";
import { Upload } from "@aws-sdk/lib-storage";
import { describeBothBackends } from "../harness/both-backends.ts";
import { s3Error } from "./s3-error.ts";

const MiB = 1024 * 1024;

function multipartEtag(parts: Buffer[]): string {
  const md5s = parts.map((p) => createHash("md5").update(p).digest());
  return `"${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-${parts.length}"`;
}

describeBothBackends("s3 multipart", (ctx) => {
  const Bucket = "multipart-suite";

  it("creates the bucket", async () => {
    await ctx().s3.send(new CreateBucketCommand({ Bucket }));
  });

  it("uploads with lib-storage Upload and reads back by part and range", async () => {
    const { s3 } = ctx();
    const body = randomBytes(12 * MiB + 333);
    const up = new Upload({ client: s3, params: { Bucket, Key: "ls/big", Body: Readable.from([body]) }, partSize: 5 * MiB, queueSize: 2 });
    const res = await up.done();
    const parts = [body.subarray(0, 5 * MiB), body.subarray(5 * MiB, 10 * MiB), body.subarray(10 * MiB)];
    expect(res.ETag).toBe(multipartEtag(parts));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: "ls/big" }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    const part2 = await s3.send(new GetObjectCommand({ Bucket, Key: "ls/big", PartNumber: 2 }));
    expect(part2.PartsCount).toBe(3);
    expect(Buffer.from(await part2.Body!.transformToByteArray()).equals(parts[1]!)).toBe(true);
    const mid = await s3.send(new GetObjectCommand({ Bucket, Key: "ls/big", Range: `bytes=${5 * MiB - 10}-${5 * MiB + 9}` }));
    expect(Buffer.from(await mid.Body!.transformToByteArray()).equals(body.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true);
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: "ls/big", ObjectAttributes: ["ObjectParts", "ObjectSize"] }));
    expect(attrs.ObjectParts?.TotalPartsCount).toBe(3);
    expect(attrs.ObjectSize).toBe(body.length);
  });

  it("small bodies through Upload become a single PutObject", async () => {
    const { s3 } = ctx();
    const up = new Upload({ client: s3, params: { Bucket, Key: "ls/small", Body: "tiny" } });
    await up.done();
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: "ls/small" }));
    expect(await got.Body!.transformToString()).toBe("tiny");
  });

  for (const [alg, type] of [["CRC32", "COMPOSITE"], ["SHA256", "COMPOSITE"], ["CRC32C", "FULL_OBJECT"], ["CRC64NVME", "FULL_OBJECT"]] as const) {
    it(`combines ${alg} ${type} checksums`, async () => {
      const { s3 } = ctx();
      const Key = `cs/${alg}-${type}`;
      const create = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: alg, ChecksumType: type }));
      const UploadId = create.UploadId!;
      const p1 = randomBytes(5 * MiB);
      const p2 = randomBytes(1234);
      const r1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: p1, ChecksumAlgorithm: alg }));
      const r2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: p2, ChecksumAlgorithm: alg }));
      const field = `Checksum${alg}` as const;
      if (alg === "SHA256") {
        // A part of a SHA upload without its checksum is refused (the SDK always sends one;
        // WHEN_REQUIRED makes it send none).
        const bare = new S3Client({ ...ctx().clientConfig, requestChecksumCalculation: "WHEN_REQUIRED" });
        expect(await s3Error(bare.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 3, Body: p2 })))).toMatchObject({
          name: "InvalidRequest",
          message: "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null",
        });
        bare.destroy();
      }
      if (type === "COMPOSITE") {
        // A composite checksum is built from the parts': S3 wants each one in the request.
        const bare = await s3Error(s3.send(new CompleteMultipartUploadCommand({
          Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r1.ETag, [field]: r1[field] }, { PartNumber: 2, ETag: r2.ETag }] },
        })));
        expect(bare).toMatchObject({ name: "InvalidRequest", message: expect.stringContaining("It was missing for part 2 in the request.") });
      }
      const done = await s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r1.ETag, [field]: r1[field] }, { PartNumber: 2, ETag: r2.ETag, [field]: r2[field] }] },
      }));
      expect(done.ChecksumType).toBe(type);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: "ENABLED" }));
      expect(head[field]).toBe(done[field]);
      // A part read reports the part's own checksum of a COMPOSITE object, none of a
      // FULL_OBJECT one of several parts (no checksum covers that part alone).
      const part2 = await s3.send(new HeadObjectCommand({ Bucket, Key, PartNumber: 2, ChecksumMode: "ENABLED" }));
      expect(part2[field]).toBe(type === "COMPOSITE" ? r2[field] : undefined);
      // GetObjectAttributes gives the checksum without the `-2` part count (it is in
      // ObjectParts), as LocalStack, checked against AWS, answers.
      const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ["Checksum"] }));
      expect(attrs.Checksum).toEqual({ [field]: done[field]!.replace(/-2$/, ""), ChecksumType: type });
      if (type === "COMPOSITE") expect(done[field]).toMatch(/-2$/);
      else {
        // A FULL_OBJECT checksum is the checksum of the whole body: the SDK validates it on GET.
        const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: "ENABLED" }));
        expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([p1, p2]))).toBe(true);
      }
    });
  }

  it("gives an upload created without a checksum S3's default FULL_OBJECT CRC64NVME", async () => {
    // WHEN_REQUIRED: the SDK names no algorithm and sends no part checksums.
    const s3 = new S3Client({ ...ctx().clientConfig, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
    try {
      const Key = "cs/default";
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const p1 = randomBytes(5 * MiB);
      const p2 = randomBytes(777);
      const r1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: p1 }));
      const r2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: p2 }));
      expect(r1.ChecksumCRC64NVME).toBe(await referenceCrc64nvme(p1));
      // The default is not the upload's algorithm: parts list without it.
      const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
      expect(listed.Parts?.map((p) => p.ChecksumCRC64NVME)).toEqual([undefined, undefined]);
      const done = await s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r1.ETag }, { PartNumber: 2, ETag: r2.ETag }] },
      }));
      const whole = await referenceCrc64nvme(Buffer.concat([p1, p2]));
      expect(done).toMatchObject({ ChecksumCRC64NVME: whole, ChecksumType: "FULL_OBJECT" });
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: "ENABLED" }));
      expect(head).toMatchObject({ ChecksumCRC64NVME: whole, ChecksumType: "FULL_OBJECT" });
    } finally {
      s3.destroy();
    }
  });

  it("checks the object checksum a completion sends, and reads a plain object as its own part 1", async () => {
    const { s3 } = ctx();
    const Key = "cs/full-object-header";
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: "CRC32", ChecksumType: "FULL_OBJECT" }));
    const p1 = randomBytes(5 * MiB);
    const p2 = randomBytes(99);
    const r1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: p1, ChecksumAlgorithm: "CRC32" }));
    const r2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: p2, ChecksumAlgorithm: "CRC32" }));
    const be = Buffer.alloc(4);
    be.writeUInt32BE(crc32(Buffer.concat([p1, p2])));
    const Parts = [{ PartNumber: 1, ETag: r1.ETag, ChecksumCRC32: r1.ChecksumCRC32 }, { PartNumber: 2, ETag: r2.ETag, ChecksumCRC32: r2.ChecksumCRC32 }];
    // The header on a completion is the object's checksum, not the XML body's.
    const wrong = await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, ChecksumCRC32: r1.ChecksumCRC32, ChecksumType: "FULL_OBJECT", MultipartUpload: { Parts } })));
    expect(wrong).toMatchObject({ name: "BadDigest", status: 400 });
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, ChecksumCRC32: be.toString("base64"), ChecksumType: "FULL_OBJECT", MultipartUpload: { Parts } }));
    expect(done).toMatchObject({ ChecksumCRC32: be.toString("base64"), ChecksumType: "FULL_OBJECT" });
    // A plain object is its single part: 206 with Content-Range, and no parts count.
    await s3.send(new PutObjectCommand({ Bucket, Key: "plain/one", Body: "0123456789" }));
    const one = await s3.send(new GetObjectCommand({ Bucket, Key: "plain/one", PartNumber: 1 }));
    expect(one.$metadata.httpStatusCode).toBe(206);
    expect(one.ContentRange).toBe("bytes 0-9/10");
    expect(one.PartsCount).toBeUndefined();
    expect(await one.Body!.transformToString()).toBe("0123456789");
  });

  it("lists one key's uploads by initiation, url-encoded on request", async () => {
    const { s3 } = ctx();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "order/a b+c" }))).UploadId!);
      await new Promise((r) => setTimeout(r, 5));
    }
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: "order/", EncodingType: "url" }));
    expect(listed.EncodingType).toBe("url");
    // Keys come back encoded as S3 encodes them ('/' kept, space as '+').
    expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual(ids.map((id) => ["order/a+b%2Bc", id]));
    const page = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: "order/", KeyMarker: "order/a b+c", UploadIdMarker: ids[0] }));
    expect(page.Uploads?.map((u) => u.UploadId)).toEqual(ids.slice(1));
    for (const UploadId of ids) await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: "order/a b+c", UploadId }));
  });

  it("enforces part rules: InvalidPart, InvalidPartOrder, EntityTooSmall, NoSuchUpload, part numbers", async () => {
    const { s3 } = ctx();
    const Key = "rules/o";
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const small = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: "small" }));
    const small2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: "small2" }));
    expect(await s3Error(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 10001, Body: "x" })))).toMatchObject({ name: "InvalidArgument" });
    expect(await s3Error(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 0, Body: "x" })))).toMatchObject({ name: "InvalidArgument" });
    expect(await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00"' }] } })))).toMatchObject({ name: "InvalidPart" });
    expect(await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: small2.ETag }, { PartNumber: 1, ETag: small.ETag }] } })))).toMatchObject({ name: "InvalidPartOrder" });
    expect(await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: small.ETag }, { PartNumber: 2, ETag: small2.ETag }] } })))).toMatchObject({ name: "EntityTooSmall" });
    // A failed completion leaves the upload usable: a single small part is a valid last part.
    const one = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: small2.ETag }] } }));
    expect(one.ETag).toBe(multipartEtag([Buffer.from("small2")]));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(await got.Body!.transformToString()).toBe("small2");
    // A retried completion (its answer lost) gets the same answer.
    const again = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: small2.ETag }] } }));
    expect(again.ETag).toBe(one.ETag);
    expect(await s3Error(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 3, Body: "late" })))).toMatchObject({ name: "NoSuchUpload", status: 404 });
    expect(await s3Error(s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })))).toMatchObject({ name: "NoSuchUpload" });
  });

  it("lists parts and uploads, copies part ranges, aborts", async () => {
    const { s3 } = ctx();
    const src = randomBytes(6 * MiB);
    await s3.send(new PutObjectCommand({ Bucket, Key: "copy/src", Body: src }));
    const Key = "list/o";
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const other = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "list/p" }));
    const c1 = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 1, CopySource: `${Bucket}/copy/src`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }));
    const c2 = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 2, CopySource: `${Bucket}/copy/src`, CopySourceRange: `bytes=${5 * MiB}-${6 * MiB - 1}` }));
    // A small source (its bytes kept in the manifest) copies as a part too.
    await s3.send(new PutObjectCommand({ Bucket, Key: "copy/small", Body: "0123456789" }));
    const c3 = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 3, CopySource: `${Bucket}/copy/small`, CopySourceRange: "bytes=2-5" }));
    // A range past the source's end is S3's 400 InvalidArgument, not a GET's 416 InvalidRange.
    const past = await s3Error(s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 4, CopySource: `${Bucket}/copy/small`, CopySourceRange: "bytes=5-10" })));
    expect(past).toMatchObject({ status: 400, name: "InvalidArgument", message: "Range specified is not valid for source object of size: 10" });
    const parts = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([[1, 5 * MiB], [2, MiB], [3, 4]]);
    expect(parts.Owner?.ID).toBeTruthy();
    const page = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 1 }));
    expect(page.IsTruncated).toBe(true);
    expect(page.NextPartNumberMarker).toBe("1");
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: "list/" }));
    expect(uploads.Uploads?.map((u) => u.Key)).toEqual(["list/o", "list/p"]);
    expect(uploads.Uploads?.[0]?.Owner?.ID).toBeTruthy();
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: c1.CopyPartResult?.ETag }, { PartNumber: 3, ETag: c3.CopyPartResult?.ETag }] } }));
    expect(c2.CopyPartResult?.ETag).toBeTruthy();
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([src.subarray(0, 5 * MiB), Buffer.from("2345")]))).toBe(true);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: "list/p", UploadId: other.UploadId }));
    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: "list/" }));
    expect(after.Uploads ?? []).toEqual([]);
  });

  it("conditional CompleteMultipartUpload: If-None-Match * refuses an existing key", async () => {
    const { s3 } = ctx();
    const Key = "cond/mp";
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: "exists" }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const p = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: "new" }));
    expect(await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, IfNoneMatch: "*", MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } })))).toMatchObject({ status: 412 });
    const cur = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, IfMatch: cur.ETag, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(await got.Body!.transformToString()).toBe("new");
  });
});
