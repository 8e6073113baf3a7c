// Objects beyond the basics: checksums (header and aws-chunked trailer), conditional reads
// and writes, copies, tagging, attributes, response overrides, presigned URLs, vhost style.

import { expect, it } from "vitest";
import { Readable } from "node:stream";
import { randomBytes, createHash } from "node:crypto";
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, DeleteObjectTaggingCommand, GetObjectAttributesCommand,
  GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketTaggingCommand, GetBucketTaggingCommand,
  DeleteBucketTaggingCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client, S3ServiceException,
  GetBucketEncryptionCommand, GetPublicAccessBlockCommand, GetBucketOwnershipControlsCommand, PutObjectAclCommand, PutBucketAclCommand,
  PutPublicAccessBlockCommand, PutBucketOwnershipControlsCommand, PutBucketEncryptionCommand, DeleteBucketEncryptionCommand,
  DeleteBucketPolicyCommand, DeleteBucketCorsCommand, DeleteObjectsCommand, DeletePublicAccessBlockCommand, DeleteBucketOwnershipControlsCommand, PutBucketVersioningCommand, PutBucketNotificationConfigurationCommand, PutBucketRequestPaymentCommand, GetBucketRequestPaymentCommand,
} from "@aws-sdk/client-s3";
import { Agent } from "node:http";
import type { LookupFunction } from "node:net";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { referenceCrc64nvme } from "./reference-crc64nvme.ts";
import { clientConfigFor, describeBothBackends } from "../harness/both-backends.ts";
import { startGateway } from "../harness/gateway.ts";
import { s3Error } from "./s3-error.ts";

describeBothBackends("s3 objects", (ctx) => {
  const Bucket = "objects-suite";

  it("creates the bucket", async () => {
    await ctx().s3.send(new CreateBucketCommand({ Bucket }));
  });

  it("stores and returns checksums sent as header and as aws-chunked trailer", async () => {
    const { s3 } = ctx();
    const body = randomBytes(3 * 1024 * 1024 + 17);
    // Buffer body: a CRC32 header. Stream body: aws-chunked with a CRC32 trailer.
    await s3.send(new PutObjectCommand({ Bucket, Key: "cs/header", Body: body }));
    await s3.send(new PutObjectCommand({ Bucket, Key: "cs/trailer", Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), ContentLength: body.length }));
    for (const Key of ["cs/header", "cs/trailer"]) {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: "ENABLED" }));
      expect(got.ChecksumCRC32).toBeTruthy();
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      expect(bytes.equals(body)).toBe(true);
    }
    // Stream bodies carry the chosen algorithm as an aws-chunked trailer.
    for (const alg of ["CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const) {
      const Key = `cs/trailer-${alg}`;
      const r = await s3.send(new PutObjectCommand({ Bucket, Key, Body: Readable.from([body.subarray(0, 70_000)]), ContentLength: 70_000, ChecksumAlgorithm: alg }));
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: "ENABLED" }));
      expect(head[`Checksum${alg}`]).toBe(r[`Checksum${alg}`]);
      expect(head[`Checksum${alg}`]).toBeTruthy();
    }
    for (const alg of ["CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const) {
      const r = await s3.send(new PutObjectCommand({ Bucket, Key: `cs/${alg}`, Body: body.subarray(0, 1000), ChecksumAlgorithm: alg }));
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: `cs/${alg}`, ChecksumMode: "ENABLED" }));
      expect(head[`Checksum${alg}`]).toBe(r[`Checksum${alg}`]);
      expect(head.ChecksumType).toBe("FULL_OBJECT");
    }
    // Wrong checksum header: BadDigest; wrong Content-MD5: BadDigest.
    expect(await s3Error(s3.send(new PutObjectCommand({ Bucket, Key: "cs/bad", Body: "abc", ChecksumSHA256: createHash("sha256").update("xyz").digest("base64") })))).toMatchObject({ name: "BadDigest" });
    expect(await s3Error(s3.send(new PutObjectCommand({ Bucket, Key: "cs/bad", Body: "abc", ContentMD5: createHash("md5").update("xyz").digest("base64") })))).toMatchObject({ name: "BadDigest" });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key: "cs/bad" })))).toMatchObject({ status: 404 });
  });

  it("gives an upload without a checksum S3's default CRC64NVME, and keeps it across a copy", async () => {
    // WHEN_REQUIRED: the SDK sends no checksum of its own, as older SDKs and curl do.
    const s3 = new S3Client({ ...ctx().clientConfig, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
    try {
      const expected = await referenceCrc64nvme(Buffer.from("plain body"));
      const put = await s3.send(new PutObjectCommand({ Bucket, Key: "wr/plain", Body: "plain body" }));
      expect(put).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: "FULL_OBJECT" });
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: "wr/plain", ChecksumMode: "ENABLED" }));
      expect(got).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: "FULL_OBJECT" });
      expect(await got.Body!.transformToString()).toBe("plain body");
      const big = randomBytes(5 * 1024 * 1024 + 3);
      const bigPut = await s3.send(new PutObjectCommand({ Bucket, Key: "wr/big", Body: big }));
      expect(bigPut.ChecksumCRC64NVME).toBe(await referenceCrc64nvme(big));
      await s3.send(new CopyObjectCommand({ Bucket, Key: "wr/copy", CopySource: `${Bucket}/wr/plain` }));
      const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: "wr/copy", ObjectAttributes: ["Checksum"] }));
      expect(attrs.Checksum).toMatchObject({ ChecksumCRC64NVME: expected, ChecksumType: "FULL_OBJECT" });
    } finally {
      s3.destroy();
    }
  });

  it("keeps keys as given: dot segments are no paths, and XML character references decode", async () => {
    const { s3 } = ctx();
    await s3.send(new PutObjectCommand({ Bucket, Key: "dots/important", Body: "keep me" }));
    // The SDK sends these segments as they are; resolved as a path, the first would delete
    // (and the others overwrite) another object.
    const dotted = ["dots/tmp/../important", "dots/x/./y", "dots/.."];
    for (const Key of dotted) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: "dots/tmp/../important" }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: "dots/important" }))).Body!.transformToString()).toBe("keep me");
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: "dots/x/./y" }))).Body!.transformToString()).toBe("dots/x/./y");
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "dots/" }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["dots/..", "dots/important", "dots/x/./y"]);

    // The SDK writes CR and LF in a DeleteObjects body as &#x0D; and &#x0A;.
    const Key = "refs/line1\nline2\r";
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: "x" }));
    const deleted = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key }] } }));
    expect(deleted.Deleted?.map((d) => d.Key)).toEqual([Key]);
    expect(deleted.Errors ?? []).toEqual([]);
    expect((await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "refs/" }))).KeyCount).toBe(0);
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: "dots/important", Tagging: { TagSet: [{ Key: "t", Value: "a\nb" }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: "dots/important" }))).TagSet).toEqual([{ Key: "t", Value: "a\nb" }]);
  });

  it("answers with S3's defaults: SSE-S3, public access blocked, ACLs disabled", async () => {
    const { s3 } = ctx();
    const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe("AES256");
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const own = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }));
    expect(own.OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe("BucketOwnerEnforced");
    // Declaring the defaults (as Terraform modules do) succeeds; anything else is not implemented.
    const allBlocked = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: allBlocked }));
    expect(await s3Error(s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { ...allBlocked, BlockPublicPolicy: false } })))).toMatchObject({ name: "NotImplemented", status: 501 });
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }));
    expect(await s3Error(s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "ObjectWriter" }] } })))).toMatchObject({ name: "NotImplemented" });
    await s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] } }));
    expect(await s3Error(s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" } }] } })))).toMatchObject({ name: "NotImplemented" });
    // No notification destinations, and the owner paying (Terraform declares both so).
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: {} }));
    expect(await s3Error(s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: { QueueConfigurations: [{ QueueArn: "arn:aws:sqs:us-east-1:000000000000:q", Events: ["s3:ObjectCreated:*"] }] } })))).toMatchObject({ name: "NotImplemented" });
    await s3.send(new PutBucketRequestPaymentCommand({ Bucket, RequestPaymentConfiguration: { Payer: "BucketOwner" } }));
    expect(await s3Error(s3.send(new PutBucketRequestPaymentCommand({ Bucket, RequestPaymentConfiguration: { Payer: "Requester" } })))).toMatchObject({ name: "NotImplemented" });
    expect((await s3.send(new GetBucketRequestPaymentCommand({ Bucket }))).Payer).toBe("BucketOwner");
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    await s3.send(new DeleteBucketCorsCommand({ Bucket }));
    expect(await s3Error(s3.send(new DeleteBucketPolicyCommand({ Bucket: "no-such-bucket-here" })))).toMatchObject({ name: "NoSuchBucket" });
    // What `terraform destroy` sends for those resources: they then read as not configured
    // (Terraform waits for that) until the defaults are put back.
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket }));
    expect(await s3Error(s3.send(new GetPublicAccessBlockCommand({ Bucket })))).toMatchObject({ name: "NoSuchPublicAccessBlockConfiguration", status: 404 });
    expect(await s3Error(s3.send(new GetBucketOwnershipControlsCommand({ Bucket })))).toMatchObject({ name: "OwnershipControlsNotFoundError", status: 404 });
    await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: allBlocked }));
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }));
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual(allBlocked);
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe("BucketOwnerEnforced");
    expect(await s3Error(s3.send(new DeletePublicAccessBlockCommand({ Bucket: "no-such-bucket-here" })))).toMatchObject({ name: "NoSuchBucket" });
    // A feature we lack is named in the answer, as tools print it.
    const versioning = await s3Error(s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } })));
    expect(versioning).toMatchObject({ name: "NotImplemented", status: 501, message: "PutBucketVersioning is not implemented by this gateway" });
    // Every object write and read reports SSE-S3.
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: "sse/o", Body: "encrypted at rest", ACL: "bucket-owner-full-control" }));
    expect(put.ServerSideEncryption).toBe("AES256");
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: "sse/o" }))).ServerSideEncryption).toBe("AES256");
    const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: "sse/copy", CopySource: `${Bucket}/sse/o` }));
    expect(copy.ServerSideEncryption).toBe("AES256");
    // ACLs beyond the owner's full control are refused, on objects and on buckets.
    expect(await s3Error(s3.send(new PutObjectCommand({ Bucket, Key: "sse/public", Body: "x", ACL: "public-read" })))).toMatchObject({ name: "AccessControlListNotSupported", status: 400 });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key: "sse/public" })))).toMatchObject({ status: 404 });
    await s3.send(new PutObjectAclCommand({ Bucket, Key: "sse/o", ACL: "private" }));
    expect(await s3Error(s3.send(new PutObjectAclCommand({ Bucket, Key: "sse/o", ACL: "public-read" })))).toMatchObject({ name: "AccessControlListNotSupported" });
    expect(await s3Error(s3.send(new PutBucketAclCommand({ Bucket, GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' })))).toMatchObject({ name: "AccessControlListNotSupported" });
    expect(await s3Error(s3.send(new CreateBucketCommand({ Bucket: "acl-public", ACL: "public-read" })))).toMatchObject({ name: "InvalidBucketAclWithObjectOwnership", status: 400 });
    // An empty answer says Content-Length: 0 rather than an empty chunked body.
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: "sse/presigned" }), { expiresIn: 60 });
    const res = await fetch(url, { method: "PUT", body: Buffer.from("via URL") });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe("0");
    expect(res.headers.get("transfer-encoding")).toBeNull();
    expect(res.headers.get("x-amz-server-side-encryption")).toBe("AES256");
  });

  it("keeps archived objects unreadable, lists times to the second, refuses POST Object plainly", async () => {
    const { s3, gateway } = ctx();
    await s3.send(new PutObjectCommand({ Bucket, Key: "arch/cold", Body: "cold", StorageClass: "GLACIER" }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: "arch/cold" }))).StorageClass).toBe("GLACIER");
    // As in S3 until RestoreObject (not implemented here): no GET, no copy.
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: "arch/cold" })))).toMatchObject({ name: "InvalidObjectState", status: 403 });
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket, Key: "arch/copy", CopySource: `${Bucket}/arch/cold` })))).toMatchObject({ name: "InvalidObjectState" });
    // S3 keeps times to the second; `aws s3 sync --exact-timestamps` depends on it.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "arch/" }));
    expect(listed.Contents?.map((o) => o.LastModified!.getMilliseconds())).toEqual([0]);
    // A browser form upload authenticates by its signed policy, which is not implemented.
    const form = new FormData();
    form.append("key", "arch/posted");
    form.append("file", new Blob(["posted"]));
    const res = await fetch(`${gateway.endpoint}/${Bucket}`, { method: "POST", body: form });
    expect(res.status).toBe(501);
    expect(await res.text()).toContain("<Code>NotImplemented</Code>");
  });

  it("stores a website redirect location and refuses one without a valid prefix", async () => {
    const { s3 } = ctx();
    await s3.send(new PutObjectCommand({ Bucket, Key: "redir/old", Body: "", WebsiteRedirectLocation: "/new" }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: "redir/old" }))).WebsiteRedirectLocation).toBe("/new");
    const bad = await s3Error(s3.send(new PutObjectCommand({ Bucket, Key: "redir/bad", Body: "", WebsiteRedirectLocation: "new" })));
    expect(bad).toMatchObject({ name: "InvalidRedirectLocation", status: 400 });
  });

  it("answers conditional reads with 304 and 412", async () => {
    const { s3 } = ctx();
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: "cond/r", Body: "x" }));
    const etag = put.ETag!;
    await s3.send(new GetObjectCommand({ Bucket, Key: "cond/r", IfMatch: etag }));
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: "cond/r", IfMatch: '"nope"' })))).toMatchObject({ status: 412, name: "PreconditionFailed" });
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: "cond/r", IfNoneMatch: etag })))).toMatchObject({ status: 304 });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key: "cond/r", IfNoneMatch: etag })))).toMatchObject({ status: 304 });
    const future = new Date(Date.now() + 3600_000);
    const past = new Date(Date.now() - 3600_000);
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: "cond/r", IfModifiedSince: future })))).toMatchObject({ status: 304 });
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: "cond/r", IfUnmodifiedSince: past })))).toMatchObject({ status: 412 });
    await s3.send(new GetObjectCommand({ Bucket, Key: "cond/r", IfModifiedSince: past }));
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: "cond/r", Range: "bytes=5-" })))).toMatchObject({ status: 416, name: "InvalidRange" });
  });

  it("makes conditional writes linearizable: one of many racing creators wins", async () => {
    const { s3 } = ctx();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => s3.send(new PutObjectCommand({ Bucket, Key: "cond/race", Body: `writer ${i}`, IfNoneMatch: "*" }))),
    );
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    const cur = await s3.send(new HeadObjectCommand({ Bucket, Key: "cond/race" }));
    expect(await s3Error(s3.send(new PutObjectCommand({ Bucket, Key: "cond/race", Body: "x", IfMatch: '"0000"' })))).toMatchObject({ status: 412 });
    await s3.send(new PutObjectCommand({ Bucket, Key: "cond/race", Body: "y", IfMatch: cur.ETag }));
    expect(await s3Error(s3.send(new DeleteObjectCommand({ Bucket, Key: "cond/race", IfMatch: cur.ETag })))).toMatchObject({ status: 412 });
    const now = await s3.send(new HeadObjectCommand({ Bucket, Key: "cond/race" }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: "cond/race", IfMatch: now.ETag }));
  });

  it("keeps conditional creates linearizable across two gateways on one store (etcd)", async () => {
    const c = ctx();
    // The embedded store belongs to one process; only etcd is shared by gateways.
    if (c.backend !== "etcd") return;
    const second = await startGateway({ backend: "etcd", etcdEndpoints: c.cluster!.endpoints });
    const other = new S3Client(clientConfigFor(second));
    try {
      for (let round = 0; round < 3; round++) {
        const Key = `cond/two-gw-${round}`;
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? other : c.s3).send(new PutObjectCommand({ Bucket, Key, Body: `w${i}`, IfNoneMatch: "*" }))),
        );
        expect(results.filter((r) => r.status === "fulfilled").length).toBe(1);
      }
    } finally {
      other.destroy();
      await second.stop();
    }
  });

  it("keeps list pagination exact while other keys change underneath", async () => {
    const { s3 } = ctx();
    const stable = Array.from({ length: 60 }, (_, i) => `page/s${String(i).padStart(3, "0")}`);
    await Promise.all(stable.map((Key) => s3.send(new PutObjectCommand({ Bucket, Key, Body: "s" }))));
    let churn = true;
    const churner = (async () => {
      for (let i = 0; churn && i < 400; i++) {
        const Key = `page/s${String(i % 60).padStart(3, "0")}-x${i % 7}`;
        await s3.send(new PutObjectCommand({ Bucket, Key, Body: "c" }));
        if (i % 3 === 0) await s3.send(new DeleteObjectCommand({ Bucket, Key }));
      }
    })();
    const seen: string[] = [];
    let token: string | undefined;
    for (let guard = 0; guard < 200; guard++) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "page/", MaxKeys: 7, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      if (!page.IsTruncated) break;
      token = page.NextContinuationToken;
    }
    churn = false;
    await churner;
    // Strictly increasing (no key twice, never out of order), and every stable key present.
    for (let i = 1; i < seen.length; i++) expect(Buffer.compare(Buffer.from(seen[i - 1]!), Buffer.from(seen[i]!))).toBe(-1);
    expect(seen.filter((k) => !k.includes("-x"))).toEqual(stable);
  });

  it("copies with COPY and REPLACE directives, onto itself, with source conditions", async () => {
    const { s3 } = ctx();
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: "copy/src", Body: "copy me", ContentType: "text/x-src", Metadata: { a: "1" }, Tagging: "t=1" }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: "copy/dst", CopySource: `${Bucket}/copy/src` }));
    const dst = await s3.send(new GetObjectCommand({ Bucket, Key: "copy/dst" }));
    expect(await dst.Body!.transformToString()).toBe("copy me");
    expect(dst.ContentType).toBe("text/x-src");
    expect(dst.Metadata).toEqual({ a: "1" });
    expect(dst.TagCount).toBe(1);
    await s3.send(new CopyObjectCommand({ Bucket, Key: "copy/dst2", CopySource: `${Bucket}/copy/src`, MetadataDirective: "REPLACE", ContentType: "text/x-new", Metadata: { b: "2" } }));
    const dst2 = await s3.send(new HeadObjectCommand({ Bucket, Key: "copy/dst2" }));
    expect(dst2.ContentType).toBe("text/x-new");
    expect(dst2.Metadata).toEqual({ b: "2" });
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket, Key: "copy/src", CopySource: `${Bucket}/copy/src` })))).toMatchObject({ name: "InvalidRequest" });
    await s3.send(new CopyObjectCommand({ Bucket, Key: "copy/src", CopySource: `${Bucket}/copy/src`, MetadataDirective: "REPLACE", Metadata: { c: "3" } }));
    const self = await s3.send(new GetObjectCommand({ Bucket, Key: "copy/src" }));
    expect(self.Metadata).toEqual({ c: "3" });
    expect(await self.Body!.transformToString()).toBe("copy me");
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket, Key: "copy/dst3", CopySource: `${Bucket}/copy/src`, CopySourceIfMatch: '"bad"' })))).toMatchObject({ status: 412 });
    await s3.send(new CopyObjectCommand({ Bucket, Key: "copy/dst3", CopySource: `${Bucket}/copy/src`, CopySourceIfMatch: put.ETag }));
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket, Key: "copy/dst3", CopySource: `${Bucket}/copy/src`, IfNoneMatch: "*" })))).toMatchObject({ status: 412 });
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket, Key: "copy/x", CopySource: `${Bucket}/copy/none` })))).toMatchObject({ name: "NoSuchKey" });
  });

  it("copies website redirects only when sent, onto itself too, and ignores a future source If-Modified-Since", async () => {
    const { s3 } = ctx();
    await s3.send(new PutObjectCommand({ Bucket, Key: "copy/redir", Body: "r", WebsiteRedirectLocation: "/there", Metadata: { m: "1" } }));
    // The redirect is not metadata the COPY directive carries over.
    await s3.send(new CopyObjectCommand({ Bucket, Key: "copy/redir-dst", CopySource: `${Bucket}/copy/redir` }));
    const dst = await s3.send(new HeadObjectCommand({ Bucket, Key: "copy/redir-dst" }));
    expect(dst.WebsiteRedirectLocation).toBeUndefined();
    expect(dst.Metadata).toEqual({ m: "1" });
    // Sending one (even the same) is a change that allows a copy onto itself.
    await s3.send(new CopyObjectCommand({ Bucket, Key: "copy/redir", CopySource: `${Bucket}/copy/redir`, WebsiteRedirectLocation: "/there" }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: "copy/redir-dst", CopySource: `${Bucket}/copy/redir-dst`, WebsiteRedirectLocation: "/elsewhere" }));
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: "copy/redir" }))).WebsiteRedirectLocation).toBe("/there");
    const self = await s3.send(new HeadObjectCommand({ Bucket, Key: "copy/redir-dst" }));
    expect(self.WebsiteRedirectLocation).toBe("/elsewhere");
    expect(self.Metadata).toEqual({ m: "1" });
    const future = new Date(Date.now() + 86_400_000);
    await s3.send(new CopyObjectCommand({ Bucket, Key: "copy/redir-dst2", CopySource: `${Bucket}/copy/redir`, CopySourceIfModifiedSince: future }));
    const now = new Date();
    expect(await s3Error(s3.send(new CopyObjectCommand({ Bucket, Key: "copy/redir-dst2", CopySource: `${Bucket}/copy/redir`, CopySourceIfModifiedSince: now })))).toMatchObject({ status: 412 });
  });

  it("refuses a bucket owner condition naming another account with 403 AccessDenied", async () => {
    const { s3, clientConfig } = ctx();
    const sts = new STSClient(clientConfig);
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    await s3.send(new PutObjectCommand({ Bucket, Key: "owner/o", Body: "o", ExpectedBucketOwner: Account }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: "owner/c", CopySource: `${Bucket}/owner/o`, ExpectedBucketOwner: Account, ExpectedSourceBucketOwner: Account }));
    const other = "111122223333";
    for (const call of [
      () => s3.send(new GetObjectCommand({ Bucket, Key: "owner/o", ExpectedBucketOwner: other })),
      () => s3.send(new ListObjectsV2Command({ Bucket, ExpectedBucketOwner: other })),
      () => s3.send(new PutObjectCommand({ Bucket, Key: "owner/x", Body: "x", ExpectedBucketOwner: other })),
      () => s3.send(new CopyObjectCommand({ Bucket, Key: "owner/x", CopySource: `${Bucket}/owner/o`, ExpectedSourceBucketOwner: other })),
    ]) {
      expect(await s3Error(call())).toMatchObject({ status: 403, name: "AccessDenied" });
    }
    // A HEAD answer has no body to name the error.
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key: "owner/o", ExpectedBucketOwner: other })))).toMatchObject({ status: 403 });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key: "owner/x" })))).toMatchObject({ status: 404 });
  });

  it("keeps a GET in progress on the version it started with across overwrite and delete", async () => {
    const { s3 } = ctx();
    const old = randomBytes(8 * 1024 * 1024);
    await s3.send(new PutObjectCommand({ Bucket, Key: "stable/o", Body: old }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: "stable/o" }));
    const stream = got.Body as Readable;
    const parts: Buffer[] = [];
    const iter = stream[Symbol.asyncIterator]();
    const first = await iter.next();
    parts.push(first.value as Buffer);
    await s3.send(new PutObjectCommand({ Bucket, Key: "stable/o", Body: randomBytes(8 * 1024 * 1024) }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: "stable/o" }));
    for (;;) {
      const r = await iter.next();
      if (r.done) break;
      parts.push(r.value as Buffer);
    }
    expect(Buffer.concat(parts).equals(old)).toBe(true);
  });

  it("tags objects and buckets", async () => {
    const { s3 } = ctx();
    await s3.send(new PutObjectCommand({ Bucket, Key: "tag/o", Body: "t", Tagging: "a=1&b=2" }));
    const t = await s3.send(new GetObjectTaggingCommand({ Bucket, Key: "tag/o" }));
    expect(t.TagSet).toEqual([{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }]);
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: "tag/o", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: "tag/o" }))).TagSet).toEqual([{ Key: "k", Value: "v" }]);
    // Retagging rewrites the manifest; a small object's bytes live in it and must survive.
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: "tag/o" }))).Body!.transformToString()).toBe("t");
    await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: "tag/o" }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: "tag/o" }))).TagSet).toEqual([]);
    expect(await s3Error(s3.send(new GetBucketTaggingCommand({ Bucket })))).toMatchObject({ name: "NoSuchTagSet" });
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: "env", Value: "ci" }] } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([{ Key: "env", Value: "ci" }]);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket }));
    expect(await s3Error(s3.send(new GetBucketTaggingCommand({ Bucket })))).toMatchObject({ name: "NoSuchTagSet" });
  });

  it("answers bad tags, version ids, governance bypasses and write conditions as S3 does", async () => {
    const { s3 } = ctx();
    const failed = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        if (!(err instanceof S3ServiceException)) throw err;
        const e = err as S3ServiceException & Record<string, unknown>;
        return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message, ArgumentName: e["ArgumentName"], TagKey: e["TagKey"], Header: e["Header"] };
      }
      throw new Error("expected an S3 error");
    };
    // x-amz-tagging that is no URL query: InvalidArgument naming the header; 11 tags: BadRequest.
    expect(await failed(s3.send(new PutObjectCommand({ Bucket, Key: "bad/tags", Body: "x", Tagging: "key1=val1&key1=val2" })))).toMatchObject({
      name: "InvalidArgument", status: 400, ArgumentName: "x-amz-tagging",
      message: "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect(await failed(s3.send(new PutObjectCommand({ Bucket, Key: "bad/tags", Body: "x", Tagging: eleven.map((t) => `${t.Key}=${t.Value}`).join("&") })))).toMatchObject({
      name: "BadRequest", status: 400, message: "Object tags cannot be greater than 10",
    });
    await s3.send(new PutObjectCommand({ Bucket, Key: "bad/tags", Body: "x" }));
    expect(await failed(s3.send(new PutObjectTaggingCommand({ Bucket, Key: "bad/tags", Tagging: { TagSet: eleven } })))).toMatchObject({ name: "BadRequest" });
    expect(await failed(s3.send(new PutObjectTaggingCommand({ Bucket, Key: "bad/tags", Tagging: { TagSet: [{ Key: "Key1,Key2", Value: "" }] } })))).toMatchObject({
      name: "InvalidTag", message: "The TagKey you have provided is invalid", TagKey: "Key1,Key2",
    });
    expect(await failed(s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: "aws:prefixed", Value: "" }] } })))).toMatchObject({
      name: "InvalidTag", message: "System tags cannot be added/updated by requester", TagKey: "aws:prefixed",
    });
    // DeleteObjects reports a version that cannot exist as NoSuchVersion for that key.
    const del = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: "bad/tags", VersionId: "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD" }, { Key: "bad/none" }] } }));
    expect(del.Errors).toEqual([{ Key: "bad/tags", VersionId: "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD", Code: "NoSuchVersion", Message: "The specified version does not exist." }]);
    expect(del.Deleted).toEqual([{ Key: "bad/none" }]);
    // No bucket has Object Lock here, so a governance bypass is refused, and nothing is deleted.
    const bypass = { name: "InvalidArgument", status: 400, ArgumentName: "x-amz-bypass-governance-retention" };
    expect(await failed(s3.send(new DeleteObjectCommand({ Bucket, Key: "bad/tags", BypassGovernanceRetention: true })))).toMatchObject(bypass);
    expect(await failed(s3.send(new DeleteObjectsCommand({ Bucket, BypassGovernanceRetention: false, Delete: { Objects: [{ Key: "bad/tags" }] } })))).toMatchObject(bypass);
    await s3.send(new HeadObjectCommand({ Bucket, Key: "bad/tags" }));
    // A write takes one condition, and If-Match names an ETag.
    expect(await failed(s3.send(new PutObjectCommand({ Bucket, Key: "bad/tags", Body: "y", IfMatch: "*" })))).toMatchObject({ name: "NotImplemented", status: 501, Header: "If-Match" });
    expect(await failed(s3.send(new PutObjectCommand({ Bucket, Key: "bad/tags", Body: "y", IfMatch: '"x"', IfNoneMatch: "*" })))).toMatchObject({
      name: "NotImplemented", status: 501, Header: "If-Match,If-None-Match",
    });
  });

  it("answers GetObjectAttributes and response-* overrides", async () => {
    const { s3 } = ctx();
    await s3.send(new PutObjectCommand({ Bucket, Key: "attr/o", Body: "attributes", ChecksumAlgorithm: "SHA256" }));
    const a = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: "attr/o", ObjectAttributes: ["ETag", "Checksum", "ObjectSize", "StorageClass"] }));
    expect(a.ObjectSize).toBe(10);
    expect(a.StorageClass).toBe("STANDARD");
    expect(a.Checksum?.ChecksumSHA256).toBe(createHash("sha256").update("attributes").digest("base64"));
    expect(a.ETag).toBe(createHash("md5").update("attributes").digest("hex"));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: "attr/o", ResponseContentType: "text/forced", ResponseContentDisposition: "attachment", ResponseCacheControl: "max-age=5" }));
    expect(got.ContentType).toBe("text/forced");
    expect(got.ContentDisposition).toBe("attachment");
    expect(got.CacheControl).toBe("max-age=5");
    await got.Body!.transformToString();
  });

  it("serves presigned GET and PUT, and refuses expired ones", async () => {
    const { s3 } = ctx();
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: "presigned/o" }), { expiresIn: 60 });
    const put = await fetch(putUrl, { method: "PUT", body: "via presigned put" });
    expect(put.status).toBe(200);
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: "presigned/o" }), { expiresIn: 60 });
    const get = await fetch(getUrl);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe("via presigned put");
    const expired = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: "presigned/o" }), { expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const res = await fetch(expired);
    expect(res.status).toBe(403);
    await res.text();
  });

  it("addresses buckets virtual-host style", async () => {
    const { gateway } = ctx();
    // Resolve every *.s3.localhost name to the loopback gateway.
    const lookup = ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      opts.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4)) as unknown as LookupFunction;
    const s3 = new S3Client({
      ...ctx().clientConfig,
      forcePathStyle: false,
      endpoint: `http://s3.localhost:${gateway.port}`,
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ lookup }) }),
    });
    try {
      await s3.send(new PutObjectCommand({ Bucket, Key: "vhost/o", Body: "vhost" }));
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: "vhost/o" }));
      expect(await got.Body!.transformToString()).toBe("vhost");
    } finally {
      s3.destroy();
    }
  });
});
