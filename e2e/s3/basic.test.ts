// Core S3 paths through the real gateway with the real SDK: buckets, objects, listing,
// the cleanup path test tooling uses (ListObjectVersions + DeleteObjects + DeleteBucket).

import { expect, it } from "vitest";
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketLocationCommand,
  GetBucketVersioningCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListBucketsCommand,
  ListObjectVersionsCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException,
} from "@aws-sdk/client-s3";
import { describeBothBackends } from "../harness/both-backends.ts";

async function s3Error(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3ServiceException) return { name: err.name, status: err.$metadata.httpStatusCode };
    throw err;
  }
  throw new Error("expected an S3 error");
}

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
});
