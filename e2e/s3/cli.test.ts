// Cross-checks with the other clients on the machine: the AWS CLI (s3 cp both ways at
// 100 MiB, sync, ls with prefixes, s3api tagging and multipart) and boto3 (a presigned
// URL fetched with plain HTTP).

import { expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll } from "vitest";
import { describeBothBackends, type E2EContext } from "../harness/both-backends.ts";

const run = promisify(execFile);

function cliEnv(c: E2EContext): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: c.gateway.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.gateway.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: c.gateway.region,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_PAGER: "",
  };
}

async function aws(c: E2EContext, ...args: string[]): Promise<string> {
  const { stdout } = await run("aws", ["--endpoint-url", c.gateway.endpoint, ...args], { env: cliEnv(c), maxBuffer: 16 * 1024 * 1024, timeout: 240_000 });
  return stdout;
}

/** Run a boto3 script given the gateway as argv[1:5] (endpoint, region, key id, secret); its stdout. */
async function boto3(c: E2EContext, lines: string[]): Promise<string> {
  const { endpoint, region, credentials } = c.gateway;
  const { stdout } = await run("python3", ["-c", lines.join("\n"), endpoint, region, credentials.accessKeyId, credentials.secretAccessKey], { env: cliEnv(c) });
  return stdout;
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describeBothBackends("s3 with the AWS CLI and boto3", (ctx) => {
  const Bucket = "cli-suite";
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "s3-cli-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates the bucket with aws s3 mb", async () => {
    await aws(ctx(), "s3", "mb", `s3://${Bucket}`);
    const ls = await aws(ctx(), "s3", "ls");
    expect(ls).toContain(Bucket);
  });

  it("copies a 100 MiB file up and down with aws s3 cp", async () => {
    const c = ctx();
    const big = randomBytes(100 * 1024 * 1024);
    const up = join(dir, "big.bin");
    const down = join(dir, "big.down");
    writeFileSync(up, big);
    await aws(c, "s3", "cp", up, `s3://${Bucket}/big/big.bin`);
    await aws(c, "s3", "cp", `s3://${Bucket}/big/big.bin`, down);
    expect(sha(readFileSync(down))).toBe(sha(big));
    rmSync(up);
    rmSync(down);
  }, 300_000);

  it("syncs a directory tree and lists it with prefixes", async () => {
    const c = ctx();
    const tree = join(dir, "tree");
    const files = ["a.txt", "sub/b.txt", "sub/deeper/c.txt", "other/d.txt"];
    // Written a while before the upload, as files usually are: S3 keeps times to the second,
    // so a file changed within the second of its upload would look newer than its copy.
    const earlier = new Date(Date.now() - 60_000);
    for (const f of files) {
      mkdirSync(join(tree, f, ".."), { recursive: true });
      writeFileSync(join(tree, f), `content of ${f}`);
      utimesSync(join(tree, f), earlier, earlier);
    }
    await aws(c, "s3", "sync", tree, `s3://${Bucket}/tree/`);
    const listed = await c.s3.send(new ListObjectsV2Command({ Bucket, Prefix: "tree/" }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(files.map((f) => `tree/${f}`).sort());
    const top = await aws(c, "s3", "ls", `s3://${Bucket}/tree/`);
    expect(top).toMatch(/PRE sub\//);
    expect(top).toMatch(/PRE other\//);
    expect(top).toMatch(/a\.txt/);
    const sub = await aws(c, "s3", "ls", `s3://${Bucket}/tree/sub/`);
    expect(sub).toMatch(/PRE deeper\//);
    expect(sub).toMatch(/b\.txt/);
    const recursive = await aws(c, "s3", "ls", "--recursive", `s3://${Bucket}/tree/`);
    expect(recursive.trim().split("\n").length).toBe(4);
    // A second sync uploads nothing; a changed file goes up again.
    expect((await aws(c, "s3", "sync", tree, `s3://${Bucket}/tree/`)).trim()).toBe("");
    writeFileSync(join(tree, "a.txt"), "changed content, longer");
    expect(await aws(c, "s3", "sync", tree, `s3://${Bucket}/tree/`)).toContain("a.txt");
    const back = join(dir, "back");
    await aws(c, "s3", "sync", `s3://${Bucket}/tree/`, back);
    expect(readFileSync(join(back, "sub/deeper/c.txt"), "utf8")).toBe("content of sub/deeper/c.txt");
    // Downloads take the listing's time, to the second: an exact-timestamps sync then agrees.
    expect((await aws(c, "s3", "sync", "--exact-timestamps", `s3://${Bucket}/tree/`, back)).trim()).toBe("");
  });

  it("tags and runs a multipart upload with aws s3api", async () => {
    const c = ctx();
    await aws(c, "s3api", "put-object", "--bucket", Bucket, "--key", "api/o", "--body", join(dir, "tree", "a.txt"));
    await aws(c, "s3api", "put-object-tagging", "--bucket", Bucket, "--key", "api/o", "--tagging", "TagSet=[{Key=team,Value=storage}]");
    const tags = JSON.parse(await aws(c, "s3api", "get-object-tagging", "--bucket", Bucket, "--key", "api/o")) as { TagSet: unknown[] };
    expect(tags.TagSet).toEqual([{ Key: "team", Value: "storage" }]);
    expect((await c.s3.send(new GetObjectTaggingCommand({ Bucket, Key: "api/o" }))).TagSet).toEqual([{ Key: "team", Value: "storage" }]);
    const create = JSON.parse(await aws(c, "s3api", "create-multipart-upload", "--bucket", Bucket, "--key", "api/mp")) as { UploadId: string };
    const p1 = join(dir, "p1");
    const p2 = join(dir, "p2");
    const b1 = randomBytes(5 * 1024 * 1024);
    const b2 = randomBytes(1000);
    writeFileSync(p1, b1);
    writeFileSync(p2, b2);
    const e1 = JSON.parse(await aws(c, "s3api", "upload-part", "--bucket", Bucket, "--key", "api/mp", "--upload-id", create.UploadId, "--part-number", "1", "--body", p1)) as { ETag: string };
    const e2 = JSON.parse(await aws(c, "s3api", "upload-part", "--bucket", Bucket, "--key", "api/mp", "--upload-id", create.UploadId, "--part-number", "2", "--body", p2)) as { ETag: string };
    const parts = JSON.parse(await aws(c, "s3api", "list-parts", "--bucket", Bucket, "--key", "api/mp", "--upload-id", create.UploadId)) as { Parts: { PartNumber: number }[] };
    expect(parts.Parts.map((p) => p.PartNumber)).toEqual([1, 2]);
    const uploads = JSON.parse(await aws(c, "s3api", "list-multipart-uploads", "--bucket", Bucket)) as { Uploads: { Key: string }[] };
    expect(uploads.Uploads.map((u) => u.Key)).toContain("api/mp");
    const mpu = JSON.stringify({ Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] });
    await aws(c, "s3api", "complete-multipart-upload", "--bucket", Bucket, "--key", "api/mp", "--upload-id", create.UploadId, "--multipart-upload", mpu);
    const got = await c.s3.send(new GetObjectCommand({ Bucket, Key: "api/mp" }));
    expect(sha(await got.Body!.transformToByteArray())).toBe(sha(Buffer.concat([b1, b2])));
  });

  it("accepts boto3's Signature Version 2: default presigned PUT and DELETE, header-signed bucket requests", async () => {
    const c = ctx();
    const stdout = await boto3(c, [
      "import boto3, json, sys",
      "from botocore.config import Config",
      "ep, region, ak, sk = sys.argv[1:5]",
      "s3 = boto3.client('s3', endpoint_url=ep, region_name=region, aws_access_key_id=ak, aws_secret_access_key=sk)",
      "put = s3.generate_presigned_url('put_object', Params={'Bucket': 'cli-suite', 'Key': 'v2/put'}, ExpiresIn=120)",
      "delete = s3.generate_presigned_url('delete_object', Params={'Bucket': 'cli-suite', 'Key': 'v2/put'}, ExpiresIn=120)",
      "v2 = boto3.client('s3', endpoint_url=ep, region_name=region, aws_access_key_id=ak, aws_secret_access_key=sk, config=Config(signature_version='s3', s3={'addressing_style': 'path'}))",
      // An object may have a form content type: it must not be taken for an SQS Query call.
      "v2.put_object(Bucket='cli-suite', Key='v2/form', Body=b'a=1&b=2', ContentType='application/x-www-form-urlencoded')",
      // A bucket-level request: SigV2 signs its resource as '/cli-suite/'.
      "keys = [o['Key'] for o in v2.list_objects(Bucket='cli-suite', Prefix='v2/')['Contents']]",
      "print(json.dumps({'put': put, 'delete': delete, 'keys': keys}))",
    ]);
    const out = JSON.parse(stdout) as { put: string; delete: string; keys: string[] };
    expect(out.keys).toEqual(["v2/form"]);
    expect(new URL(out.put).searchParams.has("AWSAccessKeyId")).toBe(true);
    // Bytes, not a string: fetch would add a Content-Type, which SigV2 signs (empty here).
    expect((await fetch(out.put, { method: "PUT", body: Buffer.from("presigned v2") })).status).toBe(200);
    const got = await c.s3.send(new GetObjectCommand({ Bucket, Key: "v2/put" }));
    expect(await got.Body!.transformToString()).toBe("presigned v2");
    expect((await fetch(out.delete, { method: "DELETE" })).status).toBe(204);
    const left = await c.s3.send(new ListObjectsV2Command({ Bucket, Prefix: "v2/" }));
    expect(left.Contents?.map((o) => o.Key)).toEqual(["v2/form"]);
  });

  it("serves a boto3 presigned URL to plain HTTP", async () => {
    const c = ctx();
    const stdout = await boto3(c, [
      "import boto3, sys",
      "s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id=sys.argv[3], aws_secret_access_key=sys.argv[4])",
      "s3.put_object(Bucket='cli-suite', Key='boto/o', Body=b'from boto3')",
      "print(s3.generate_presigned_url('get_object', Params={'Bucket': 'cli-suite', 'Key': 'boto/o'}, ExpiresIn=120))",
    ]);
    const res = await fetch(stdout.trim());
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("from boto3");
  });

  it("works for a shell holding a session token (AWS_SESSION_TOKEN from a real AWS login), presigned links included", async () => {
    const c = ctx();
    const env = { ...cliEnv(c), AWS_SESSION_TOKEN: "FQoGZXIvYXdzEXAMPLE/session+token=" };
    const cli = async (...args: string[]) => (await run("aws", ["--endpoint-url", c.gateway.endpoint, ...args], { env, timeout: 120_000 })).stdout;
    await c.s3.send(new PutObjectCommand({ Bucket, Key: "token/o", Body: "with a token" }));
    expect(JSON.parse(await cli("sts", "get-caller-identity")).UserId).toBe(c.gateway.credentials.accessKeyId);
    // The CLI presigns with Signature Version 2 and carries the token as x-amz-security-token.
    const link = (await cli("s3", "presign", `s3://${Bucket}/token/o`)).trim();
    expect(new URL(link).searchParams.has("x-amz-security-token")).toBe(true);
    const res = await fetch(link);
    expect(await res.text()).toBe("with a token");
    expect(res.status).toBe(200);
    expect(await cli("s3", "ls", `s3://${Bucket}/token/`)).toMatch(/ 12 o\n$/);
  });

  it("sees the same bucket through the SDK", async () => {
    await expect(ctx().s3.send(new CreateBucketCommand({ Bucket }))).resolves.toBeDefined();
  });
});
