// Prints the cost of authenticate() per request and the aws-chunked decode throughput.
// Run: node --import tsx adapters/aws/sigv4/bench.ts

import { authenticate } from "./authenticate.ts";
import { encodeChunked, input, options, seedSignature, sign, signingKeyFor, PRINCIPAL, REGION, streamFrom } from "./testing.ts";

async function perRequest(name: string, make: () => Parameters<typeof authenticate>[0], bufferBody: boolean): Promise<void> {
  const opts = options({ bufferBody });
  for (let i = 0; i < 2000; i++) await authenticate(make(), opts);
  const n = 50_000;
  // The harness (Headers, URL, body stream per request) is measured alone and subtracted.
  const h0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const x = make();
    if (x.body) await x.body.cancel();
  }
  const harness = process.cpuUsage(h0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const a = await authenticate(make(), opts);
    if (!bufferBody && a.body) await a.body.cancel();
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${name.padEnd(34)} wall ${((ms * 1000) / n).toFixed(2)} µs/req  cpu ${((cpu.user + cpu.system) / n).toFixed(2)} µs/req` +
      `  of which authenticate ≈ ${((cpu.user + cpu.system - harness.user - harness.system) / n).toFixed(2)} µs`,
  );
}

async function throughput(name: string, mode: "signed" | "unsigned"): Promise<void> {
  const size = 64 * 1024 * 1024;
  const chunk = Buffer.alloc(65536, 3);
  const chunks = Array.from({ length: size / 65536 }, () => chunk);
  const headers: Record<string, string> = {
    "content-encoding": "aws-chunked",
    "x-amz-content-sha256": mode === "signed" ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" : "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "x-amz-decoded-content-length": String(size),
  };
  const s = await sign({ service: "s3", method: "PUT", path: "/b/k", headers });
  const body = encodeChunked({
    chunks,
    seed: mode === "signed" ? seedSignature(s.headers["authorization"]!) : undefined,
    amzDate: "20261122T010000Z",
    scope: `20261122/${REGION}/s3/aws4_request`,
    key: signingKeyFor(PRINCIPAL.secretAccessKey, "20261122", REGION, "s3"),
  });
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < body.byteLength; at += 65536) pieces.push(body.subarray(at, at + 65536));
  const t0 = performance.now();
  const auth = await authenticate(input(s, { body: streamFrom(...pieces) }), options());
  const reader = auth.body!.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
  }
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(34)} ${((total / 1048576) / (ms / 1000)).toFixed(0)} MiB/s`);
}

const ddb = await sign({
  service: "dynamodb",
  method: "POST",
  path: "/",
  headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.GetItem" },
  body: JSON.stringify({ TableName: "bench", Key: { pk: { S: "user#000123" }, sk: { S: "profile" } } }),
});
const s3get = await sign({ service: "s3", path: "/bucket/some/key.txt", headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
const s3put = await sign({ service: "s3", method: "PUT", path: "/bucket/k", body: "x".repeat(4096) });

await perRequest("dynamodb GetItem (buffered body)", () => input(ddb), true);
await perRequest("dynamodb GetItem (input.bytes)", () => ({ ...input(ddb, { body: null }), bytes: ddb.body }), true);
await perRequest("s3 GetObject", () => input(s3get, { body: null }), false);
await perRequest("s3 PutObject 4 KiB (signed hash)", () => input(s3put), false);
await throughput("aws-chunked signed 64 MiB", "signed");
await throughput("aws-chunked unsigned 64 MiB", "unsigned");
