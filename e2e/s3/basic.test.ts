// Core S3 paths through the real gateway with the real SDK: buckets, objects, listing,
// the cleanup path test tooling uses (ListObjectVersions + DeleteObjects + DeleteBucket).

import { expect, it } from "vitest";
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketLocationCommand,
  GetBucketVersioningCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListBucketsCommand,
  ListObjectVersionsCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand,
} from "@aws-sdk/client-s3";
import { describeBothBackends } from "../harness/both-backends.ts";
import { s3Error } from "./s3-error.ts";

describeBothBackends("s3 basics", (ctx) => {
  it("creates, heads, lists and deletes a bucket", async () => {
    const { s3 } = ctx();
    await s3.send(new CreateBucketCommand({ Bucket: "basic-one" }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: "basic-one" }));
    expect(head.BucketRegion).toBe(ctx().gateway.region);
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain("basic-one");
    expect(list.Owner?.ID).toBeTruthy();
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: "basic-one" }));
    expect(loc.LocationConstraint ?? "").toBe("");
    const ver = await s3.send(new GetBucketVersioningCommand({ Bucket: "basic-one" }));
    expect(ver.Status).toBeUndefined();
    await s3.send(new DeleteBucketCommand({ Bucket: "basic-one" }));
    expect(await s3Error(s3.send(new HeadBucketCommand({ Bucket: "basic-one" })))).toMatchObject({ status: 404 });
    expect(await s3Error(s3.send(new DeleteBucketCommand({ Bucket: "basic-one" })))).toMatchObject({ name: "NoSuchBucket" });
    expect(await s3Error(s3.send(new CreateBucketCommand({ Bucket: "Bad_Name" })))).toMatchObject({ name: "InvalidBucketName" });
  });

  it("puts, gets, heads and deletes objects", async () => {
    const { s3 } = ctx();
    await s3.send(new CreateBucketCommand({ Bucket: "basic-two" }));
    const put = await s3.send(new PutObjectCommand({
      Bucket: "basic-two", Key: "dir/hello.txt", Body: "hello world", ContentType: "text/plain",
      Metadata: { color: "blue" }, CacheControl: "no-cache",
    }));
    expect(put.ETag).toBe('"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    const got = await s3.send(new GetObjectCommand({ Bucket: "basic-two", Key: "dir/hello.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello world");
    expect(got.ContentType).toBe("text/plain");
    expect(got.Metadata).toEqual({ color: "blue" });
    expect(got.CacheControl).toBe("no-cache");
    expect(got.ContentLength).toBe(11);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "basic-two", Key: "dir/hello.txt" }));
    expect(head.ETag).toBe(put.ETag);
    expect(head.ContentLength).toBe(11);
    expect(head.ContentType).toBe("text/plain");
    expect(head.LastModified).toBeInstanceOf(Date);
    await s3.send(new PutObjectCommand({ Bucket: "basic-two", Key: "empty", Body: "" }));
    const empty = await s3.send(new GetObjectCommand({ Bucket: "basic-two", Key: "empty" }));
    expect(empty.ContentLength).toBe(0);
    expect(await empty.Body!.transformToString()).toBe("");
    await s3.send(new DeleteObjectCommand({ Bucket: "basic-two", Key: "empty" }));
    const ranged = await s3.send(new GetObjectCommand({ Bucket: "basic-two", Key: "dir/hello.txt", Range: "bytes=6-" }));
    expect(await ranged.Body!.transformToString()).toBe("world");
    expect(ranged.ContentRange).toBe("bytes 6-10/11");
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: "basic-two", Key: "nope" })))).toMatchObject({ name: "NoSuchKey", status: 404 });
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: "basic-nope", Key: "nope" })))).toMatchObject({ name: "NoSuchBucket" });
    expect(await s3Error(s3.send(new DeleteBucketCommand({ Bucket: "basic-two" })))).toMatchObject({ name: "BucketNotEmpty" });
    await s3.send(new DeleteObjectCommand({ Bucket: "basic-two", Key: "dir/hello.txt" }));
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: "basic-two", Key: "dir/hello.txt" })))).toMatchObject({ status: 404 });
    await s3.send(new DeleteBucketCommand({ Bucket: "basic-two" }));
  });

  it("lists with prefixes, delimiters and pages, and cleans up like test tooling", async () => {
    const { s3 } = ctx();
    const Bucket = "basic-list";
    await s3.send(new CreateBucketCommand({ Bucket }));
    const names = ["a/1", "a/2", "b/1", "b/c/2", "c", "d", "e/"];
    await Promise.all(names.map((Key) => s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }))));
    const all = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(all.Contents?.map((c) => c.Key)).toEqual(names);
    expect(all.KeyCount).toBe(7);
    const delim = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: "/" }));
    expect(delim.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/", "b/", "e/"]);
    expect(delim.Contents?.map((c) => c.Key)).toEqual(["c", "d"]);
    const pref = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "b/", Delimiter: "/" }));
    expect(pref.Contents?.map((c) => c.Key)).toEqual(["b/1"]);
    expect(pref.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["b/c/"]);
    // Paging, two at a time, with a delimiter.
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: "/", MaxKeys: 2, ContinuationToken: token }));
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!));
      if (!page.IsTruncated) break;
      token = page.NextContinuationToken;
    }
    expect(seen.sort()).toEqual(["a/", "b/", "c", "d", "e/"]);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket, Marker: "b/c/2" }));
    expect(v1.Contents?.map((c) => c.Key)).toEqual(["c", "d", "e/"]);
    const startAfter = await s3.send(new ListObjectsV2Command({ Bucket, StartAfter: "c", FetchOwner: true }));
    expect(startAfter.Contents?.map((c) => c.Key)).toEqual(["d", "e/"]);
    expect(startAfter.Contents?.[0]?.Owner?.ID).toBeTruthy();
    // The cleanup path: versions, batch delete, bucket delete.
    const versions: { Key: string; VersionId: string }[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const v = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 3, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
      for (const x of v.Versions ?? []) versions.push({ Key: x.Key!, VersionId: x.VersionId! });
      if (!v.IsTruncated) break;
      keyMarker = v.NextKeyMarker;
      versionMarker = v.NextVersionIdMarker;
    }
    expect(versions.map((v) => v.Key)).toEqual(names);
    expect(new Set(versions.map((v) => v.VersionId))).toEqual(new Set(["null"]));
    const del = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: versions } }));
    expect(del.Deleted?.length).toBe(names.length);
    expect(del.Errors ?? []).toEqual([]);
    await s3.send(new DeleteBucketCommand({ Bucket }));
  });

  it("pages ListBuckets with prefix, max-buckets and continuation tokens", async () => {
    const { s3 } = ctx();
    const names = ["page-b1", "page-b2", "page-b3", "page-b4", "page-b5"];
    for (const Bucket of names) await s3.send(new CreateBucketCommand({ Bucket }));
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await s3.send(new ListBucketsCommand({ Prefix: "page-", MaxBuckets: 2, ContinuationToken: token }));
      expect(page.Buckets!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Buckets!.map((b) => b.Name!));
      expect(page.Prefix).toBe("page-");
      token = page.ContinuationToken;
      if (!token) break;
    }
    expect(seen).toEqual(names);
    for (const Bucket of names) await s3.send(new DeleteBucketCommand({ Bucket }));
    expect(await s3Error(s3.send(new CreateBucketCommand({ Bucket: "loc-bucket", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })))).toMatchObject({ name: "IllegalLocationConstraintException", status: 400 });
  });

  it("url-encodes listings on request, lists quietly deleted keys, keeps standard headers", async () => {
    const { s3 } = ctx();
    const Bucket = "basic-enc";
    await s3.send(new CreateBucketCommand({ Bucket }));
    const Key = "dir one/na\u00efve+file?.txt";
    await s3.send(new PutObjectCommand({
      Bucket, Key, Body: "x", ContentEncoding: "identity", ContentDisposition: "inline", ContentLanguage: "fr",
      Expires: new Date("2030-01-01T00:00:00Z"),
    }));
    const enc = await s3.send(new ListObjectsV2Command({ Bucket, EncodingType: "url", Delimiter: "/" }));
    expect(enc.EncodingType).toBe("url");
    expect(enc.CommonPrefixes?.map((p) => decodeURIComponent(p.Prefix!.replace(/\+/g, " ")))).toEqual(["dir one/"]);
    const deep = await s3.send(new ListObjectsV2Command({ Bucket, EncodingType: "url" }));
    expect(deep.Contents?.map((c) => decodeURIComponent(c.Key!.replace(/\+/g, " ")))).toEqual([Key]);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ContentEncoding).toBe("identity");
    expect(head.ContentDisposition).toBe("inline");
    expect(head.ContentLanguage).toBe("fr");
    expect(head.Expires?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
    const odd = `x&y<z>"q'\t r`;
    await s3.send(new PutObjectCommand({ Bucket, Key: odd, Body: "o" }));
    const plain = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "x", FetchOwner: true }));
    expect(plain.Contents?.map((c) => c.Key)).toEqual([odd]);
    expect(plain.Contents?.[0]?.ETag).toBe('"d95679752134a2d9eb61dbd7b91c4bcc"');
    await s3.send(new DeleteObjectCommand({ Bucket, Key: odd }));
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Quiet: true, Objects: [{ Key }, { Key: "never-existed" }] } }));
    expect(quiet.Deleted ?? []).toEqual([]);
    expect(quiet.Errors ?? []).toEqual([]);
    await s3.send(new DeleteBucketCommand({ Bucket }));
  });

  it("does not make uploads to different keys of one bucket conflict", async () => {
    const { s3, gateway } = ctx();
    const Bucket = "basic-noconflict";
    await s3.send(new CreateBucketCommand({ Bucket }));
    const conflicts = async () => {
      const text = await (await fetch(`${gateway.endpoint}/metrics`)).text();
      expect(text).toContain("kv_transactions_total");
      return text.split("\n").filter((l) => l.startsWith("kv_write_conflicts_total") && l.includes('family="s3.')).reduce((n, l) => n + Number(l.split(" ").pop()), 0);
    };
    const before = await conflicts();
    await Promise.all(Array.from({ length: 32 }, (_, i) => s3.send(new PutObjectCommand({ Bucket, Key: `k${i}`, Body: `v${i}` }))));
    await Promise.all(Array.from({ length: 8 }, (_, i) => s3.send(new PutObjectCommand({ Bucket, Key: `big${i}`, Body: Buffer.alloc(3 * 1024 * 1024 + i) }))));
    expect(await conflicts()).toBe(before);
    const all = await s3.send(new ListObjectsV2Command({ Bucket }));
    await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: all.Contents!.map((c) => ({ Key: c.Key! })) } }));
    await s3.send(new DeleteBucketCommand({ Bucket }));
  });
});
