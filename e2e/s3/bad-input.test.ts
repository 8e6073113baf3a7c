// Bad input: each request gets its proper S3 error, nothing half-written becomes visible,
// and the gateway stays healthy afterwards.

import { expect, it } from "vitest";
import { connect } from "node:net";
import { createHash } from "node:crypto";
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectsCommand,
  GetObjectCommand, HeadObjectCommand, PutObjectCommand,
} from "@aws-sdk/client-s3";
import { describeBothBackends, type E2EContext } from "../harness/both-backends.ts";
import { encodeChunked, seedSignature, sign, signingKeyFor } from "../../adapters/aws/sigv4/testing.ts";
import { s3Error } from "./s3-error.ts";

interface RawSpec {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

async function signed(c: E2EContext, spec: RawSpec) {
  return sign({
    service: "s3",
    host: `127.0.0.1:${c.gateway.port}`,
    method: spec.method,
    path: spec.path,
    query: spec.query,
    headers: spec.headers,
    body: spec.body,
    region: c.gateway.region,
    accessKeyId: c.gateway.credentials.accessKeyId,
    secretAccessKey: c.gateway.credentials.secretAccessKey,
    date: new Date(),
  });
}

async function send(c: E2EContext, spec: RawSpec): Promise<{ status: number; code: string | undefined }> {
  const s = await signed(c, { ...spec, headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...spec.headers } });
  const headers = { ...s.headers };
  delete headers["host"];
  delete headers["content-length"];
  const res = await fetch(s.url, { method: s.method, headers, body: s.body === undefined ? undefined : Buffer.from(s.body) });
  const text = await res.text();
  return { status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] };
}

/** Write raw bytes on a socket; resolve with the status line (or "closed"). */
function rawHttp(port: number, head: string, body: Uint8Array, opts: { endAfterBody: boolean; waitMs: number }): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(port, "127.0.0.1");
    let got = "";
    const done = (v: string) => {
      clearTimeout(t);
      sock.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(got.split("\r\n")[0] || "timeout"), opts.waitMs);
    sock.on("data", (d) => {
      got += d.toString("latin1");
      if (got.includes("\r\n\r\n")) done(got.split("\r\n")[0]!);
    });
    sock.on("error", () => done("closed"));
    sock.on("close", () => done(got.split("\r\n")[0] || "closed"));
    sock.write(head);
    sock.write(body);
    if (opts.endAfterBody) sock.end();
  });
}

async function healthy(c: E2EContext): Promise<void> {
  const res = await fetch(`${c.gateway.endpoint}/healthz`);
  expect(res.status).toBe(200);
  await res.text();
  await c.s3.send(new PutObjectCommand({ Bucket: "bad-input", Key: "probe", Body: "still fine" }));
}

describeBothBackends("s3 bad input", (ctx) => {
  const Bucket = "bad-input";

  it("creates the bucket", async () => {
    await ctx().s3.send(new CreateBucketCommand({ Bucket }));
  });

  it("answers malformed XML with MalformedXML", async () => {
    const c = ctx();
    await c.s3.send(new PutObjectCommand({ Bucket, Key: "x", Body: "x" }));
    const bad = "<Tagging><TagSet><Tag><Key>a</Key>";
    expect(await send(c, { method: "PUT", path: `/${Bucket}/x`, query: { tagging: "" }, body: bad })).toEqual({ status: 400, code: "MalformedXML" });
    expect(await send(c, { method: "PUT", path: `/${Bucket}`, query: { tagging: "" }, body: "not xml at all" })).toEqual({ status: 400, code: "MalformedXML" });
    const del = "<Delete><Object><Key>x</Key></Object";
    const md5 = createHash("md5").update(del).digest("base64");
    expect(await send(c, { method: "POST", path: `/${Bucket}`, query: { delete: "" }, body: del, headers: { "content-md5": md5 } })).toEqual({ status: 400, code: "MalformedXML" });
    const { UploadId } = await c.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "mp" }));
    expect(await send(c, { method: "POST", path: `/${Bucket}/mp`, query: { uploadId: UploadId! }, body: "<CompleteMultipartUpload><Part>" })).toEqual({ status: 400, code: "MalformedXML" });
    expect(await send(c, { method: "PUT", path: `/${Bucket}-cfg`, body: "<CreateBucketConfiguration><LocationConstraint>" })).toEqual({ status: 400, code: "MalformedXML" });
    await healthy(c);
  });

  it("refuses a truncated aws-chunked body and a bad chunk signature", async () => {
    const c = ctx();
    const data = Buffer.alloc(100, 7);
    // An unsigned-trailer aws-chunked PUT announcing 100 decoded bytes.
    const putUnsignedChunked = async (path: string, framed: Uint8Array) => {
      const s = await signed(c, {
        method: "PUT", path,
        headers: {
          "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked",
          "x-amz-decoded-content-length": "100", "x-amz-trailer": "x-amz-checksum-crc32", "content-length": String(framed.length),
        },
      });
      const h = { ...s.headers };
      delete h["host"];
      return fetch(s.url, { method: "PUT", headers: h, body: Buffer.from(framed) });
    };
    // Unsigned chunks whose framing promises 100 bytes but ends after 50.
    const r1 = await putUnsignedChunked(`/${Bucket}/chunked-trunc`, encodeChunked({ chunks: [data.subarray(0, 50)], trailers: [["x-amz-checksum-crc32", "AAAAAA=="]] }));
    expect(r1.status).toBeGreaterThanOrEqual(400);
    expect(r1.status).toBeLessThan(500);
    await r1.text();
    // Complete framing, but the trailer's checksum does not match the data.
    const r3 = await putUnsignedChunked(`/${Bucket}/chunked-badtrailer`, encodeChunked({ chunks: [data], trailers: [["x-amz-checksum-crc32", "AAAAAA=="]] }));
    expect(r3.status).toBe(400);
    expect(await r3.text()).toContain("<Code>BadDigest</Code>");
    // Signed chunks with one signature altered.
    const headers = {
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": "100",
    };
    const probe = await signed(c, { method: "PUT", path: `/${Bucket}/chunked-badsig`, headers: { ...headers, "content-length": "0" } });
    const amzDate = probe.headers["x-amz-date"]!;
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${c.gateway.region}/s3/aws4_request`;
    const key = signingKeyFor(c.gateway.credentials.secretAccessKey, day, c.gateway.region, "s3");
    // The encoded length must be known before signing: encode once to measure.
    const measure = encodeChunked({ chunks: [data], seed: "0".repeat(64), amzDate, scope, key });
    const s2 = await signed(c, { method: "PUT", path: `/${Bucket}/chunked-badsig`, headers: { ...headers, "content-length": String(measure.length), "x-amz-date": amzDate } });
    const body = Buffer.from(encodeChunked({ chunks: [data], seed: seedSignature(s2.headers["authorization"]!), amzDate, scope, key }));
    const sigAt = body.indexOf("chunk-signature=") + "chunk-signature=".length;
    body[sigAt] = body[sigAt] === 0x61 ? 0x62 : 0x61;
    const h2 = { ...s2.headers };
    delete h2["host"];
    const r2 = await fetch(s2.url, { method: "PUT", headers: h2, body });
    expect(r2.status).toBe(403);
    expect(await r2.text()).toContain("SignatureDoesNotMatch");
    for (const Key of ["chunked-trunc", "chunked-badsig", "chunked-badtrailer"]) {
      expect(await s3Error(c.s3.send(new HeadObjectCommand({ Bucket, Key })))).toMatchObject({ status: 404 });
    }
    await healthy(c);
  });

  it("survives wrong Content-Length both ways without storing a partial object", async () => {
    const c = ctx();
    const payload = Buffer.alloc(1000, 1);
    const sha = createHash("sha256").update(payload).digest("hex");
    // Declared longer than sent, then the client goes away.
    const longer = await signed(c, { method: "PUT", path: `/${Bucket}/cl-long`, headers: { "x-amz-content-sha256": sha, "content-length": "5000" } });
    const headLong = `PUT /${Bucket}/cl-long HTTP/1.1\r\n` + Object.entries(longer.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n") + "\r\n\r\n";
    await rawHttp(c.gateway.port, headLong, payload, { endAfterBody: true, waitMs: 3000 });
    // Declared shorter than sent: the signed payload hash no longer matches what was read.
    const shorter = await signed(c, { method: "PUT", path: `/${Bucket}/cl-short`, headers: { "x-amz-content-sha256": sha, "content-length": "500" } });
    const headShort = `PUT /${Bucket}/cl-short HTTP/1.1\r\n` + Object.entries(shorter.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n") + "\r\n\r\n";
    const status = await rawHttp(c.gateway.port, headShort, payload, { endAfterBody: false, waitMs: 5000 });
    expect(status).toMatch(/^HTTP\/1\.1 4\d\d/);
    for (const Key of ["cl-long", "cl-short"]) {
      expect(await s3Error(c.s3.send(new HeadObjectCommand({ Bucket, Key })))).toMatchObject({ status: 404 });
    }
    // A client that goes away mid-body is its error, not the gateway's: no 500 is counted.
    const metrics = await (await fetch(`${c.gateway.endpoint}/metrics`)).text();
    expect(metrics.split("\n").filter((l) => l.startsWith("gateway_requests_total") && l.includes('status="500"'))).toEqual([]);
    await healthy(c);
  });

  it("answers a PUT without a length with 411 MissingContentLength", async () => {
    const c = ctx();
    const s = await signed(c, { method: "PUT", path: `/${Bucket}/no-length`, headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
    const headers = { ...s.headers };
    delete headers["host"];
    delete headers["content-length"];
    // A stream body: fetch frames it with Transfer-Encoding: chunked and no Content-Length.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(Buffer.from("streamed without a length"));
        controller.close();
      },
    });
    const res = await fetch(s.url, { method: "PUT", headers, body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(411);
    expect(await res.text()).toContain("<Code>MissingContentLength</Code>");
    expect(await s3Error(c.s3.send(new HeadObjectCommand({ Bucket, Key: "no-length" })))).toMatchObject({ status: 404 });
    await healthy(c);
  });

  it("refuses keys over 1024 bytes and invalid bucket names", async () => {
    const c = ctx();
    expect(await s3Error(c.s3.send(new PutObjectCommand({ Bucket, Key: "k".repeat(1025), Body: "x" })))).toMatchObject({ name: "KeyTooLongError", status: 400 });
    expect(await s3Error(c.s3.send(new PutObjectCommand({ Bucket, Key: "é".repeat(513), Body: "x" })))).toMatchObject({ name: "KeyTooLongError" });
    await c.s3.send(new PutObjectCommand({ Bucket, Key: "k".repeat(1024), Body: "x" }));
    for (const name of ["ab", "a".repeat(64), "UPPER", "under_score", "-lead", "trail-", "two..dots", "192.168.1.1", "xn--punycode", "ends-s3alias"]) {
      expect(await s3Error(c.s3.send(new CreateBucketCommand({ Bucket: name }))), name).toMatchObject({ name: "InvalidBucketName", status: 400 });
    }
    await healthy(c);
  });

  it("refuses 10,001 parts and a DeleteObjects of 1,001 keys", async () => {
    const c = ctx();
    const { UploadId } = await c.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "many" }));
    const Parts = Array.from({ length: 10_001 }, (_, i) => ({ PartNumber: i + 1, ETag: '"d41d8cd98f00b204e9800998ecf8427e"' }));
    expect(await s3Error(c.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: "many", UploadId, MultipartUpload: { Parts } })))).toMatchObject({ name: "MalformedXML", status: 400 });
    const Objects = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` }));
    expect(await s3Error(c.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects } })))).toMatchObject({ name: "MalformedXML", status: 400 });
    await healthy(c);
  });

  it("refuses a checksum algorithm named without its value, and encryption modes S3 does not have", async () => {
    const c = ctx();
    const put = (headers: Record<string, string>) => send(c, { method: "PUT", path: `/${Bucket}/headers`, body: "x", headers });
    expect(await put({ "x-amz-sdk-checksum-algorithm": "CRC32" })).toEqual({ status: 400, code: "InvalidRequest" });
    expect(await put({ "x-amz-server-side-encryption": "bogus" })).toEqual({ status: 400, code: "InvalidArgument" });
    expect(await put({ "x-amz-server-side-encryption": "aws:kms" })).toEqual({ status: 501, code: "NotImplemented" });
    expect(await put({ "x-amz-server-side-encryption": "AES256" })).toEqual({ status: 200, code: undefined });
    await healthy(c);
  });

  it("answers unsupported sub-resources from the rejection table, never as a plain write", async () => {
    const c = ctx();
    await c.s3.send(new PutObjectCommand({ Bucket, Key: "keep", Body: "original" }));
    expect(await send(c, { method: "PUT", path: `/${Bucket}`, query: { policy: "" }, body: "{}" })).toEqual({ status: 501, code: "NotImplemented" });
    expect(await send(c, { method: "PUT", path: `/${Bucket}`, query: { cors: "" }, body: "<CORSConfiguration/>" })).toEqual({ status: 501, code: "NotImplemented" });
    expect(await send(c, { method: "PUT", path: `/${Bucket}`, query: { versioning: "" }, body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>" })).toEqual({ status: 501, code: "NotImplemented" });
    expect(await send(c, { method: "PUT", path: `/${Bucket}-new`, query: { somethingnew: "" } })).toEqual({ status: 501, code: "NotImplemented" });
    expect(await send(c, { method: "PUT", path: `/${Bucket}/keep`, query: { acl: "" }, body: "<AccessControlPolicy/>" })).toEqual({ status: 400, code: "AccessControlListNotSupported" });
    expect(await send(c, { method: "PUT", path: `/${Bucket}/keep`, query: { retention: "" }, body: "<Retention/>" })).toEqual({ status: 501, code: "NotImplemented" });
    expect(await send(c, { method: "GET", path: `/${Bucket}`, query: { cors: "" } })).toEqual({ status: 404, code: "NoSuchCORSConfiguration" });
    expect(await send(c, { method: "GET", path: `/${Bucket}`, query: { lifecycle: "" } })).toEqual({ status: 404, code: "NoSuchLifecycleConfiguration" });
    expect((await send(c, { method: "GET", path: `/${Bucket}`, query: { notification: "" } })).status).toBe(200);
    expect(await send(c, { method: "HEAD", path: `/${Bucket}-new` })).toMatchObject({ status: 404 });
    const got = await c.s3.send(new GetObjectCommand({ Bucket, Key: "keep" }));
    expect(await got.Body!.transformToString()).toBe("original");
    await healthy(c);
  });
});
