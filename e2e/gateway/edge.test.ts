// The edge listener as clients see it, on both backends: health, metrics, STS, request
// ids, and authentication failures in each protocol's own shape.

import { execFile } from "node:child_process";
import { connect } from "node:net";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { describeBothBackends } from "../harness/both-backends.ts";
import { sendSigned, signForReplay } from "../harness/sign.ts";

const run = promisify(execFile);

/** Write `text` on a fresh socket; resolve with what came back (up to the headers, or all of it). */
function rawRequest(port: number, text: string, waitMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(port, "127.0.0.1");
    let got = "";
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, waitMs);
    sock.on("data", (d) => {
      got += d.toString("latin1");
      // A response is whole once its body (by Content-Length) has arrived.
      const end = got.indexOf("\r\n\r\n");
      const len = /content-length: (\d+)/i.exec(got)?.[1];
      if (end >= 0 && len !== undefined && got.length >= end + 4 + Number(len)) done();
    });
    sock.on("close", done);
    sock.on("error", done);
    sock.write(text);
  });
}

describeBothBackends("gateway edge", (ctx) => {
  it("answers liveness on GET and HEAD, 405 with Allow otherwise", async () => {
    const { endpoint } = ctx().gateway;
    const get = await fetch(`${endpoint}/healthz`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe("ok\n");
    expect((await fetch(`${endpoint}/healthz`, { method: "HEAD" })).status).toBe(200);
    const post = await fetch(`${endpoint}/healthz`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const del = await fetch(`${endpoint}/healthz/leader`, { method: "DELETE" });
    expect(del.status).toBe(405);
  });

  it("reports leadership as plain text or JSON details", async () => {
    const { endpoint } = ctx().gateway;
    const plain = await fetch(`${endpoint}/healthz/leader`);
    expect(plain.status).toBe(200);
    expect(await plain.text()).toBe("ok\n");
    const json = await fetch(`${endpoint}/healthz/leader`, { headers: { accept: "application/json" } });
    expect(json.status).toBe(200);
    const details = (await json.json()) as Record<string, unknown>;
    expect(details).toMatchObject({ status: "ok", mode: "quorum", backend: ctx().backend });
    expect(typeof details.leaderId).toBe("string");
    expect(typeof details.checkLatencyMs).toBe("number");
    if (ctx().backend === "etcd") expect(details.leaderId).not.toBe("0");
  });

  it("answers STS GetCallerIdentity for the SDK and the AWS CLI", async () => {
    const sts = new STSClient(ctx().clientConfig);
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe("000000000000");
    expect(id.UserId).toBe("test");
    expect(id.Arn).toBe("arn:aws:iam::000000000000:user/local");
    expect(id.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    sts.destroy();
    const { stdout } = await run("aws", ["sts", "get-caller-identity", "--endpoint-url", ctx().gateway.endpoint, "--output", "json"], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true" },
    });
    expect(JSON.parse(stdout)).toMatchObject({ Account: "000000000000", UserId: "test" });
  });

  it("rejects unsigned requests in each protocol's shape", async () => {
    const { endpoint } = ctx().gateway;
    const s3 = await fetch(`${endpoint}/some-bucket`);
    expect(s3.status).toBe(403);
    expect(s3.headers.get("x-amz-request-id")).toBeTruthy();
    expect(await s3.text()).toMatch(/<Code>AccessDenied<\/Code>/);

    const ddb = await fetch(endpoint, { method: "POST", headers: { "x-amz-target": "DynamoDB_20120810.ListTables", "content-type": "application/x-amz-json-1.0" }, body: "{}" });
    expect(ddb.status).toBe(400);
    expect(ddb.headers.get("x-amzn-requestid")).toBeTruthy();
    expect(((await ddb.json()) as { __type: string }).__type).toMatch(/#MissingAuthenticationTokenException$/);

    const sqs = await fetch(endpoint, { method: "POST", headers: { "x-amz-target": "AmazonSQS.ListQueues", "content-type": "application/x-amz-json-1.0" }, body: "{}" });
    expect(sqs.status).toBeGreaterThanOrEqual(400);
    expect(sqs.headers.get("x-amzn-query-error")).toMatch(/;Sender$/);

    const query = await fetch(`${endpoint}/?Action=ListQueues`);
    expect(query.status).toBeGreaterThanOrEqual(400);
    expect(await query.text()).toMatch(/<ErrorResponse[\s\S]*<Type>Sender<\/Type>/);
  });

  it("maps bad credentials to each SDK's typed error", async () => {
    const bad = { ...ctx().clientConfig, credentials: { accessKeyId: "nobody", secretAccessKey: "x" } };
    const s3 = new S3Client(bad);
    await expect(s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: "InvalidAccessKeyId", $metadata: { httpStatusCode: 403 } });
    const wrongSecret = new S3Client({ ...ctx().clientConfig, credentials: { accessKeyId: "test", secretAccessKey: "wrong" } });
    await expect(wrongSecret.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
    const ddb = new DynamoDBClient({ ...bad, maxAttempts: 1 });
    await expect(ddb.send(new ListTablesCommand({}))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    s3.destroy();
    wrongSecret.destroy();
    ddb.destroy();
  });

  it("answers an unknown DynamoDB operation with UnknownOperationException", async () => {
    const { gateway } = ctx();
    const r = await signForReplay({
      service: "dynamodb", region: gateway.region, credentials: gateway.credentials, endpoint: gateway.endpoint,
      method: "POST", path: "/", headers: { "x-amz-target": "DynamoDB_20120810.NoSuchOperation", "content-type": "application/x-amz-json-1.0" }, body: "{}",
    });
    const res = await sendSigned(gateway.endpoint, r);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toMatch(/UnknownOperationException$/);
  });

  it("accepts absolute-form request targets, signed and on the operator paths", async () => {
    const { gateway } = ctx();
    const origin = `http://127.0.0.1:${gateway.port}`;
    expect(await rawRequest(gateway.port, `GET ${origin}/healthz HTTP/1.1\r\nHost: 127.0.0.1:${gateway.port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200/);
    const r = await signForReplay({
      service: "dynamodb", region: gateway.region, credentials: gateway.credentials, endpoint: gateway.endpoint,
      method: "POST", path: "/", headers: { "x-amz-target": "DynamoDB_20120810.ListTables", "content-type": "application/x-amz-json-1.0" }, body: "{}",
    });
    const head = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n");
    const res = await rawRequest(gateway.port, `POST ${origin}/ HTTP/1.1\r\n${head}\r\nConnection: close\r\n\r\n{}`);
    expect(res).toMatch(/^HTTP\/1\.1 200/);
    expect(res).toContain("TableNames");
  });

  it("refuses a request without a known key before reading its body", async () => {
    const { gateway } = ctx();
    // 16 MB announced, none sent: the answer must not wait for the body.
    const unsigned = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 16000000\r\n\r\n`;
    expect(await rawRequest(gateway.port, unsigned, 5_000)).toMatch(/^HTTP\/1\.1 400[\s\S]*MissingAuthenticationToken/);
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
    const authz = `AWS4-HMAC-SHA256 Credential=NOBODY/${amzDate.slice(0, 8)}/${gateway.region}/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;
    const unknownKey = unsigned.replace("\r\n\r\n", `\r\nX-Amz-Date: ${amzDate}\r\nAuthorization: ${authz}\r\n\r\n`);
    expect(await rawRequest(gateway.port, unknownKey, 5_000)).toMatch(/^HTTP\/1\.1 400[\s\S]*UnrecognizedClient/);
  });

  it("invites a body (100 Continue) only from a request naming a known key", async () => {
    const { gateway } = ctx();
    const put = (authz: string) =>
      `PUT /expect-bucket/k HTTP/1.1\r\nHost: 127.0.0.1:${gateway.port}\r\nExpect: 100-continue\r\nContent-Length: 5\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n${authz}\r\n`;
    const stranger = await rawRequest(gateway.port, put("Authorization: AWS4-HMAC-SHA256 Credential=NOBODY/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\n"), 5_000);
    expect(stranger).toMatch(/^HTTP\/1\.1 (400|403) /);
    const r = await signForReplay({
      service: "s3", region: gateway.region, credentials: gateway.credentials, endpoint: gateway.endpoint,
      method: "PUT", path: "/expect-bucket/k", headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });
    const known = await rawRequest(gateway.port, put(`Authorization: ${r.headers["authorization"]}\r\nx-amz-date: ${r.headers["x-amz-date"]}\r\n`), 1_000);
    expect(known).toMatch(/^HTTP\/1\.1 100 Continue/);
  });

  it("verifies a header sent several times as the signers join it: trimmed values, ','", async () => {
    const { gateway } = ctx();
    // The SDK signer takes one value per name: sign the joined form the suite prescribes
    // (aws-sig-v4-test-suite get-header-key-duplicate), then send it as separate lines.
    const r = await signForReplay({
      service: "dynamodb", region: gateway.region, credentials: gateway.credentials, endpoint: gateway.endpoint,
      method: "POST", path: "/", headers: { "x-amz-target": "DynamoDB_20120810.ListTables", "content-type": "application/x-amz-json-1.0", "x-trace": "a b,c" }, body: "{}",
    });
    expect(r.headers["authorization"]).toContain("x-trace");
    const head = Object.entries(r.headers).filter(([k]) => k !== "x-trace").map(([k, v]) => `${k}: ${v}`).join("\r\n");
    const res = await rawRequest(gateway.port, `POST / HTTP/1.1\r\n${head}\r\nX-Trace:  a   b \r\nX-Trace: c\r\nConnection: close\r\n\r\n{}`);
    expect(res).toMatch(/^HTTP\/1\.1 200/);
    const swapped = await rawRequest(gateway.port, `POST / HTTP/1.1\r\n${head}\r\nX-Trace: c\r\nX-Trace: a b\r\nConnection: close\r\n\r\n{}`);
    expect(swapped).toMatch(/^HTTP\/1\.1 400[\s\S]*InvalidSignatureException/);
  });

  it("serves clients holding a session token (not verified: any token goes with a configured key)", async () => {
    const { gateway } = ctx();
    const config = { ...ctx().clientConfig, credentials: { ...gateway.credentials, sessionToken: "FQoGZXIvYXdzEXAMPLE/session+token=" } };
    const sts = new STSClient(config);
    expect((await sts.send(new GetCallerIdentityCommand({}))).UserId).toBe(gateway.credentials.accessKeyId);
    const ddb = new DynamoDBClient(config);
    expect((await ddb.send(new ListTablesCommand({}))).$metadata.httpStatusCode).toBe(200);
    const s3 = new S3Client(config);
    await s3.send(new CreateBucketCommand({ Bucket: "token-bucket" }));
    await s3.send(new PutObjectCommand({ Bucket: "token-bucket", Key: "k", Body: "with token" }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "token-bucket", Key: "k" }), { expiresIn: 60 });
    expect(new URL(url).searchParams.get("X-Amz-Security-Token")).toBe("FQoGZXIvYXdzEXAMPLE/session+token=");
    expect(await (await fetch(url)).text()).toBe("with token");
    // The token is signed: changing it after signing breaks the URL, as on AWS.
    const tampered = new URL(url);
    tampered.searchParams.set("X-Amz-Security-Token", "other");
    expect((await fetch(tampered)).status).toBe(403);
    sts.destroy();
    ddb.destroy();
    s3.destroy();
  });

  it("exposes bounded Prometheus metrics", async () => {
    const { gateway } = ctx();
    const bogus = await signForReplay({
      service: "sts", region: gateway.region, credentials: gateway.credentials, endpoint: gateway.endpoint,
      method: "POST", path: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=NoSuchStsAction&Version=2011-06-15",
    });
    expect((await sendSigned(gateway.endpoint, bogus)).status).toBe(400);
    const text = await (await fetch(`${gateway.endpoint}/metrics`)).text();
    expect(text).toMatch(/gateway_requests_total\{service="sts",operation="GetCallerIdentity",status="200"\} \d+/);
    expect(text).toContain("gateway_request_duration_seconds_bucket");
    expect(text).toContain("kv_leader_checks_total");
    expect(text).toContain("process_cpu_seconds_total");
    // Unknown operations never become label values, and an unknown STS action is not counted as a known one.
    expect(text).not.toContain("NoSuchOperation");
    expect(text).not.toMatch(/operation="GetCallerIdentity",status="4\d\d"/);
  });
});
