// Real clients on the wire: a node:http server on 127.0.0.1 records raw requests sent by
// the AWS SDKs (v3, v2) and boto3, and each recorded request must pass authenticate().

import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import AWS2 from "aws-sdk";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checksumBase64 } from "../checksums.ts";
import { authenticate, credentialScope, type AuthInput } from "./authenticate.ts";
import { PRINCIPAL, REGION, drain, options, streamFrom } from "./testing.ts";

interface Captured {
  method: string;
  target: string;
  rawHeaders: string[];
  body: Buffer;
}

let server: Server;
let tlsServer: Server | undefined;
let tlsEndpoint: string | undefined;
let tlsDir: string | undefined;
let endpoint: string;
const captured: Captured[] = [];
let respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();

function record(req: IncomingMessage, res: ServerResponse): void {
  const parts: Buffer[] = [];
  req.on("data", (d: Buffer) => parts.push(d));
  req.on("end", () => {
    captured.push({ method: req.method!, target: req.url!, rawHeaders: req.rawHeaders, body: Buffer.concat(parts) });
    respond(req, res);
  });
}

beforeAll(async () => {
  server = createServer(record);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // boto3 switches to aws-chunked only over https: a throwaway self-signed certificate.
  try {
    tlsDir = await mkdtemp(join(tmpdir(), "sigv4-tls-"));
    await promisify(execFile)("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
      "-keyout", join(tlsDir, "key.pem"), "-out", join(tlsDir, "cert.pem"),
    ]);
    const tls = createHttpsServer(
      { key: await readFile(join(tlsDir, "key.pem")), cert: await readFile(join(tlsDir, "cert.pem")) },
      record,
    );
    await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
    tlsServer = tls;
    tlsEndpoint = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  } catch {
    tlsServer = undefined;
  }
});
afterAll(async () => {
  for (const s of [server, tlsServer]) {
    if (!s) continue;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
});

const credentials = { accessKeyId: PRINCIPAL.accessKeyId, secretAccessKey: PRINCIPAL.secretAccessKey };

function toInput(c: Captured): AuthInput {
  const headers = new Headers();
  for (let i = 0; i < c.rawHeaders.length; i += 2) headers.append(c.rawHeaders[i]!, c.rawHeaders[i + 1]!);
  return {
    method: c.method,
    url: new URL(c.target, `http://${headers.get("host")}`),
    headers,
    body: c.body.byteLength > 0 ? streamFrom(c.body) : null,
    rawTarget: c.target,
  };
}

const live = (over: Parameters<typeof options>[0] = {}) => options({ now: () => Date.now(), ...over });

async function last<T>(send: () => Promise<T>): Promise<Captured> {
  const before = captured.length;
  await send();
  expect(captured.length).toBeGreaterThan(before);
  return captured[captured.length - 1]!;
}

describe("requests captured from real clients", () => {
  const s3 = () => new S3Client({ endpoint, forcePathStyle: true, region: REGION, credentials });

  it("JS SDK v3 PutObject with a stream body: aws-chunked, unsigned payload, CRC32 trailer", async () => {
    respond = (_req, res) => res.writeHead(200, { etag: '"abc"' }).end();
    const body = randomBytes(300 * 1024 + 17);
    const client = s3();
    const c = await last(() =>
      client.send(new PutObjectCommand({ Bucket: "bucket", Key: "dir/a key+ü", Body: Readable.from([body]), ContentLength: body.byteLength })),
    );
    client.destroy();
    const input = toInput(c);
    expect(input.headers.get("x-amz-content-sha256")).toBe("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    expect(input.headers.get("content-encoding")).toContain("aws-chunked");
    const auth = await authenticate(input, live());
    expect(auth.contentLength).toBe(body.byteLength);
    expect(Buffer.from(await drain(auth.body)).equals(body)).toBe(true);
    expect((await auth.trailers).get("x-amz-checksum-crc32")).toBe(checksumBase64("CRC32", body));
  });

  it("JS SDK v3 PutObject with a buffer body: signed payload hash plus x-amz-checksum-crc32", async () => {
    respond = (_req, res) => res.writeHead(200, { etag: '"abc"' }).end();
    const body = Buffer.from("hello from a buffer");
    const client = s3();
    const c = await last(() => client.send(new PutObjectCommand({ Bucket: "bucket", Key: "k", Body: body })));
    client.destroy();
    const input = toInput(c);
    expect(input.headers.get("x-amz-content-sha256")).toMatch(/^[0-9a-f]{64}$/);
    expect(input.headers.get("x-amz-checksum-crc32")).toBe(checksumBase64("CRC32", body));
    const auth = await authenticate(input, live());
    expect(Buffer.from(await drain(auth.body)).toString()).toBe("hello from a buffer");
    // The same capture with one body byte changed fails at end of stream.
    const tampered = Buffer.from(body);
    tampered[0] ^= 1;
    const bad = await authenticate({ ...toInput(c), body: streamFrom(tampered) }, live());
    await expect(drain(bad.body)).rejects.toMatchObject({ failure: "payload_hash", code: "XAmzContentSHA256Mismatch" });
  });

  it("JS SDK v3 SQS (AWS JSON) and DynamoDB requests verify with a buffered body", async () => {
    respond = (req, res) =>
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end(String(req.headers["x-amz-target"] ?? "").startsWith("AmazonSQS") ? '{"QueueUrls":[]}' : "{}");
    const sqs = new SQSClient({ endpoint, region: REGION, credentials });
    const c1 = await last(() => sqs.send(new ListQueuesCommand({ QueueNamePrefix: "a b" })));
    sqs.destroy();
    const ddb = new DynamoDBClient({ endpoint, region: REGION, credentials });
    const c2 = await last(() => ddb.send(new PutItemCommand({ TableName: "t", Item: { pk: { S: "ü" } } })));
    ddb.destroy();
    for (const [c, service] of [
      [c1, "sqs"],
      [c2, "dynamodb"],
    ] as const) {
      const input = toInput(c);
      expect(credentialScope(input.url, input.headers)?.service).toBe(service);
      const auth = await authenticate(input, live({ bufferBody: true }));
      expect(auth.signing.service).toBe(service);
      expect(Buffer.from(auth.bytes!).equals(c.body)).toBe(true);
      const bad = Buffer.from(c.body);
      bad[bad.length - 2] ^= 1;
      await expect(authenticate({ ...toInput(c), body: streamFrom(bad) }, live({ bufferBody: true }))).rejects.toMatchObject({
        failure: expect.stringMatching(/^(payload_hash|bad_signature)$/),
      });
    }
  });

  it("JS SDK v3 STS GetCallerIdentity (Query protocol, form body) verifies", async () => {
    respond = (_req, res) =>
      res
        .writeHead(200, { "content-type": "text/xml" })
        .end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:user/t</Arn><UserId>u</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        );
    const sts = new STSClient({ endpoint, region: REGION, credentials });
    const c = await last(() => sts.send(new GetCallerIdentityCommand({})));
    sts.destroy();
    const input = toInput(c);
    expect(credentialScope(input.url, input.headers)?.service).toBe("sts");
    const auth = await authenticate(input, live({ bufferBody: true }));
    expect(Buffer.from(auth.bytes!).toString()).toContain("Action=GetCallerIdentity");
  });

  it("aws-sdk v2 S3 putObject and SQS verify", async () => {
    respond = (req, res) => {
      if (req.url?.startsWith("/bucket")) return res.writeHead(200, { etag: '"abc"' }).end();
      // Recent aws-sdk v2 releases speak AWS JSON to SQS; older ones the Query protocol.
      if (req.headers["x-amz-target"]) return res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end("{}");
      res
        .writeHead(200, { "content-type": "text/xml" })
        .end(
          '<ListQueuesResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ListQueuesResult></ListQueuesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListQueuesResponse>',
        );
    };
    const v2creds = new AWS2.Credentials(credentials);
    const s3v2 = new AWS2.S3({ endpoint, s3ForcePathStyle: true, region: REGION, credentials: v2creds, signatureVersion: "v4" });
    const c1 = await last(() => s3v2.putObject({ Bucket: "bucket", Key: "v2 key/ü", Body: Buffer.from("v2 body") }).promise());
    const sqsv2 = new AWS2.SQS({ endpoint, region: REGION, credentials: v2creds });
    const c2 = await last(() => sqsv2.listQueues({ QueueNamePrefix: "x y" }).promise());
    const a1 = await authenticate(toInput(c1), live());
    expect(Buffer.from(await drain(a1.body)).toString()).toBe("v2 body");
    const a2 = await authenticate(toInput(c2), live({ bufferBody: true }));
    expect(Buffer.from(a2.bytes!).toString()).toMatch(/ListQueues|QueueNamePrefix/);
  });

  it("boto3 put_object (signed payload over http) and SQS verify", async () => {
    respond = (req, res) => {
      if (req.url?.startsWith("/bucket")) return res.writeHead(200, { etag: '"abc"' }).end();
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end('{"QueueUrls":[]}');
    };
    const script = `
import boto3, sys
kw = dict(endpoint_url=sys.argv[1], region_name="${REGION}", aws_access_key_id="${PRINCIPAL.accessKeyId}", aws_secret_access_key="${PRINCIPAL.secretAccessKey}")
from botocore.config import Config
s3 = boto3.client("s3", **kw)
s3.put_object(Bucket="bucket", Key="py key/ü~", Body=b"boto3 body")
boto3.client("sqs", **kw).list_queues(QueueNamePrefix="p")
boto3.client("s3", config=Config(signature_version="s3"), **kw).put_object(Bucket="bucket", Key="v2 key/ü", Body=b"sigv2 body", ContentType="text/plain")
print(s3.generate_presigned_url("get_object", Params={"Bucket": "bucket", "Key": "a b/ü", "ResponseContentType": "text/plain"}, ExpiresIn=300))
`;
    const before = captured.length;
    let out: string;
    try {
      out = (await promisify(execFile)("python3", ["-c", script, endpoint], { timeout: 30_000 })).stdout;
    } catch (err) {
      // Skip (with a reason) only when boto3 is unavailable on this machine.
      if (String(err).includes("No module named")) return;
      throw err;
    }
    const [put, sqs, putV2] = captured.slice(before);
    const a1 = await authenticate(toInput(put!), live());
    expect(Buffer.from(await drain(a1.body)).toString()).toBe("boto3 body");
    await authenticate(toInput(sqs!), live({ bufferBody: true }));
    // signature_version="s3": SigV2 header auth.
    expect(toInput(putV2!).headers.get("authorization")).toMatch(/^AWS AKIDEXAMPLE:/);
    const a3 = await authenticate(toInput(putV2!), live());
    expect(Buffer.from(await drain(a3.body)).toString()).toBe("sigv2 body");
    // boto3's default presigned URL for S3 is SigV2 (AWSAccessKeyId/Signature/Expires).
    const url = new URL(out.trim());
    expect(url.searchParams.has("AWSAccessKeyId")).toBe(true);
    await authenticate({ method: "GET", url, headers: new Headers({ host: url.host }), body: null }, live());
  });

  it("boto3 over https: aws-chunked with an unsigned CRC32 trailer; boto3 presigned GET", async (ctx) => {
    if (!tlsEndpoint) return ctx.skip(); // no openssl here
    respond = (_req, res) => res.writeHead(200, { etag: '"abc"' }).end();
    const script = `
import boto3, io, sys, warnings
warnings.filterwarnings("ignore")
kw = dict(endpoint_url=sys.argv[1], region_name="${REGION}", aws_access_key_id="${PRINCIPAL.accessKeyId}", aws_secret_access_key="${PRINCIPAL.secretAccessKey}", verify=False)
from botocore.config import Config
c = boto3.client("s3", **kw)
c.put_object(Bucket="bucket", Key="tls/key", Body=io.BytesIO(bytes(range(256)) * 400))
v4 = boto3.client("s3", config=Config(signature_version="s3v4"), **kw)
print(v4.generate_presigned_url("get_object", Params={"Bucket": "bucket", "Key": "a b/ü"}, ExpiresIn=300))
`;
    const before = captured.length;
    let out: string;
    try {
      out = (await promisify(execFile)("python3", ["-c", script, tlsEndpoint], { timeout: 30_000 })).stdout;
    } catch (err) {
      if (String(err).includes("No module named")) return ctx.skip();
      throw err;
    }
    const put = captured[before]!;
    const input = toInput(put);
    expect(input.headers.get("x-amz-content-sha256")).toBe("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    const auth = await authenticate(input, live());
    const body = Buffer.alloc(256 * 400).map((_, i) => i & 0xff);
    expect(Buffer.from(await drain(auth.body)).equals(body)).toBe(true);
    expect((await auth.trailers).get("x-amz-checksum-crc32")).toBe(checksumBase64("CRC32", body));

    const url = new URL(out.trim());
    const presigned = await authenticate(
      { method: "GET", url, headers: new Headers({ host: url.host }), body: null },
      live(),
    );
    expect(presigned.signing.presigned).toBe(true);
  });
});
