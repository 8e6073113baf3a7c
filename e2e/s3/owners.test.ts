// Each configured credential carries an owner id and display name; S3 returns them wherever
// it returns an Owner, and bucket names are one namespace shared by all owners.

import { expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand, CreateMultipartUploadCommand, GetBucketAclCommand, ListBucketsCommand, ListMultipartUploadsCommand,
  ListObjectVersionsCommand, ListObjectsCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, S3Client,
  S3ServiceException, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { describeBothBackends } from "../harness/both-backends.ts";

const ALICE = { accessKeyId: "AKIDALICE", secretAccessKey: "alice-secret", ownerId: "a".repeat(64), displayName: "alice" };
const BOB = { accessKeyId: "AKIDBOB", secretAccessKey: "bob-secret", ownerId: "b".repeat(64), displayName: "bob" };
const file = join(mkdtempSync(join(tmpdir(), "s3-owners-")), "credentials.json");
writeFileSync(file, JSON.stringify({ credentials: [ALICE, BOB] }));

describeBothBackends(
  "s3 owners",
  (ctx) => {
    const as = (who: typeof ALICE) =>
      new S3Client({ ...ctx().clientConfig, credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey } });

    it("returns the caller's owner everywhere S3 returns an Owner", async () => {
      const alice = as(ALICE);
      const bob = as(BOB);
      try {
        const Bucket = "owned-by-alice";
        await alice.send(new CreateBucketCommand({ Bucket }));
        const owner = { ID: ALICE.ownerId, DisplayName: ALICE.displayName };
        const lb = await alice.send(new ListBucketsCommand({}));
        expect(lb.Owner).toEqual(owner);
        expect(lb.Buckets?.map((b) => b.Name)).toEqual([Bucket]);
        expect((await bob.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
        try {
          await bob.send(new CreateBucketCommand({ Bucket }));
          expect.unreachable();
        } catch (err) {
          expect((err as S3ServiceException).name).toBe("BucketAlreadyExists");
        }
        await alice.send(new PutObjectCommand({ Bucket, Key: "k", Body: "v" }));
        expect((await alice.send(new ListObjectsV2Command({ Bucket, FetchOwner: true }))).Contents?.[0]?.Owner).toEqual(owner);
        expect((await alice.send(new ListObjectsCommand({ Bucket }))).Contents?.[0]?.Owner).toEqual(owner);
        expect((await alice.send(new ListObjectVersionsCommand({ Bucket }))).Versions?.[0]?.Owner).toEqual(owner);
        expect((await alice.send(new GetBucketAclCommand({ Bucket }))).Owner).toEqual(owner);
        const { UploadId } = await alice.send(new CreateMultipartUploadCommand({ Bucket, Key: "mp" }));
        await alice.send(new UploadPartCommand({ Bucket, Key: "mp", UploadId, PartNumber: 1, Body: "p" }));
        const parts = await alice.send(new ListPartsCommand({ Bucket, Key: "mp", UploadId }));
        expect(parts.Owner).toEqual(owner);
        expect(parts.Initiator).toEqual(owner);
        expect((await alice.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads?.[0]?.Owner).toEqual(owner);
      } finally {
        alice.destroy();
        bob.destroy();
      }
    });
  },
  { gateway: { args: ["--credentials", file] } },
);
