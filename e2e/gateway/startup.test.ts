// Process behaviour: --help, refusing an exposed start without credentials, configured
// credentials, request log lines, per-service listeners, graceful shutdown that leaves the
// store reusable. All but the first two start a gateway, on each backend in turn.

import { execFile } from "node:child_process";
import { connect } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ROOT, startGateway, type GatewayProcess } from "../harness/gateway.ts";
import { signForReplay } from "../harness/sign.ts";
import { BACKENDS, clientConfigFor, type BackendName } from "../harness/both-backends.ts";
import { startEtcdCluster, type EtcdCluster } from "../../kvclient/testing/etcd-cluster.ts";

const run = promisify(execFile);
const MAIN = ["--import", "tsx", join(ROOT, "gateway", "main.ts")];

/** The per-request lines a gateway has logged so far. */
function requestLines(logFile: string): Record<string, unknown>[] {
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === "request");
}

describe("gateway process", () => {
  it("lists every flag in --help and exits 0", async () => {
    const { stdout } = await run(process.execPath, [...MAIN, "--help"], { cwd: ROOT });
    for (const flag of ["--host", "--port", "--backend", "--data-dir", "--etcd-endpoints", "--credentials", "--region", "--account-id", "--leader-check", "--metrics-port"]) {
      expect(stdout).toContain(flag);
    }
  });

  it("refuses to start on a non-loopback address without credentials, saying why", async () => {
    const err = await run(process.execPath, [...MAIN, "--host", "0.0.0.0", "--port", "0"], { cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/refusing to start on 0\.0\.0\.0 without credentials/);
  });

});

describe.each(BACKENDS)("gateway process on %s", (backend: BackendName) => {
  const started: GatewayProcess[] = [];
  let cluster: EtcdCluster | undefined;
  beforeAll(async () => {
    if (backend === "etcd") cluster = await startEtcdCluster();
  });
  afterAll(async () => {
    for (const g of started) await g.stop();
    await cluster?.close();
  });
  const on = (o: { args?: string[]; logLevel?: string } = {}) => startGateway({ ...o, backend, etcdEndpoints: cluster?.endpoints });

  it("uses configured credentials instead of the local pair, and the configured account id", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-creds-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ credentials: [{ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "s3cr3t", displayName: "alice" }] }));
    const gw = await on({ args: ["--credentials", file, "--account-id", "123456789012"] });
    started.push(gw);
    const good = new STSClient({ ...clientConfigFor(gw), credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "s3cr3t" } });
    expect(await good.send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/alice" });
    const local = new STSClient({ ...clientConfigFor(gw), maxAttempts: 1 });
    await expect(local.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    good.destroy();
    local.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("logs one JSON line per request, promptly, with the request id the SDK received", async () => {
    const gw = await on({ logLevel: "info" });
    started.push(gw);
    const sts = new STSClient(clientConfigFor(gw));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await sts.send(new GetCallerIdentityCommand({}))).$metadata.requestId!);
    // The path as sent: a key's dot segments are not resolved in the log either.
    const s3 = new S3Client(clientConfigFor(gw));
    await s3.send(new CreateBucketCommand({ Bucket: "logged" }));
    ids.push((await s3.send(new PutObjectCommand({ Bucket: "logged", Key: "a/../b", Body: "x" }))).$metadata.requestId!);
    // No shutdown, no more traffic: an idle gateway's lines must still reach its log.
    const deadline = Date.now() + 5_000;
    let lines: Record<string, unknown>[] = [];
    while (Date.now() < deadline) {
      lines = requestLines(gw.logFile).filter((l) => l.operation !== "CreateBucket");
      if (lines.length >= 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(lines.map((l) => l.reqId)).toEqual(ids);
    expect(lines[0]).toMatchObject({ service: "sts", operation: "GetCallerIdentity", method: "POST", path: "/", status: 200 });
    expect(lines[3]).toMatchObject({ service: "s3", operation: "PutObject", method: "PUT", path: "/logged/a/../b", status: 200 });
    s3.destroy();
  });

  it("serves per-service and metrics listeners", async () => {
    const gw = await on({ args: ["--dynamodb-port", "0", "--metrics-port", "0"] });
    started.push(gw);
    expect(gw.ports.dynamodb).toBeGreaterThan(0);
    // On the DynamoDB listener an unsigned SQS-looking request still gets DynamoDB's answer.
    const res = await fetch(`http://127.0.0.1:${gw.ports.dynamodb}/`, { method: "POST", headers: { "x-amz-target": "AmazonSQS.ListQueues" }, body: "{}" });
    expect(((await res.json()) as { __type: string }).__type).toMatch(/^com\.amazonaws\.dynamodb\.v20120810#MissingAuthenticationTokenException$/);
    const metrics = await fetch(`http://127.0.0.1:${gw.ports.metrics}/metrics`);
    expect(await metrics.text()).toContain("gateway_requests_total");
    expect((await fetch(`http://127.0.0.1:${gw.ports.metrics}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${gw.ports.metrics}/bucket/key`)).status).toBe(404);
  });

  it("logs a line for a request that shutdown cut off, marked as never answered", async () => {
    const gw = await on({ logLevel: "info", args: ["--shutdown-grace-ms", "300"] });
    started.push(gw);
    const sqs = new SQSClient({ ...clientConfigFor(gw), maxAttempts: 1 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "cut-off" }));
    // A long poll and an upload whose body stalls, both outliving the grace period:
    // shutdown closes their connections.
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })).catch(() => "cut off");
    const put = await signForReplay({
      service: "s3", region: gw.region, credentials: gw.credentials, endpoint: gw.endpoint,
      method: "PUT", path: "/cut-off-bucket/slow", headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });
    const sock = connect(gw.port, "127.0.0.1");
    sock.on("error", () => {});
    const head = Object.entries(put.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n");
    sock.write(`PUT /cut-off-bucket/slow HTTP/1.1\r\n${head}\r\ncontent-length: 100000\r\n\r\n` + "x".repeat(10));
    await new Promise((r) => setTimeout(r, 300));
    await gw.kill("SIGTERM");
    expect(await polling).toBe("cut off");
    sock.destroy();
    const requests = requestLines(gw.logFile);
    expect(requests.filter((l) => l.operation === "ReceiveMessage")).toEqual([expect.objectContaining({ service: "sqs", clientGone: true })]);
    // Cut off while its body was read, before it reached the S3 adapter (no operation yet).
    expect(requests.filter((l) => l.path === "/cut-off-bucket/slow")).toEqual([expect.objectContaining({ service: "s3", status: 400, clientGone: true })]);
    sqs.destroy();
    await gw.restart();
  });

  it("shuts down gracefully on SIGTERM and its store opens again", async () => {
    const gw = await on();
    started.push(gw);
    const t0 = performance.now();
    await gw.kill("SIGTERM");
    expect(performance.now() - t0).toBeLessThan(10_000);
    await gw.restart();
    expect((await fetch(`${gw.endpoint}/healthz/leader`)).status).toBe(200);
  });
});
