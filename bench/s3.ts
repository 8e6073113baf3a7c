// S3 beside s3rver (filesystem) and moto, in one run: PutObject and GetObject of 4 KiB at
// 32 connections, MB/s of 8 MiB objects at 4 connections, ListObjectsV2 pages/s over 10,000
// keys. Targets on the embedded store: ≥ 3 × s3rver's ops/s on 4 KiB, ≥ 1.5 × its MB/s on
// 8 MiB, and at most half its server CPU per operation.

import { randomBytes } from "node:crypto";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { checksumBase64 } from "../adapters/aws/checksums.ts";
import type { BenchOptions } from "./options.ts";
import type { Workload } from "./lib/compare.ts";
import { runSection } from "./lib/section.ts";
import type { Section } from "./lib/report.ts";
import { clientConfig, inParallel, signedS3 } from "./lib/requests.ts";
import { startAll, startGatewayEmbedded, startGatewayOnEtcd, startMoto, startS3rver, stopAll, prepareAll, MOTO_NOTE, type SystemUnderTest } from "./lib/systems.ts";

const BUCKET = "bench";
const SMALL = randomBytes(4096);
const LARGE = randomBytes(8 * 1024 * 1024);
const SMALL_KEYS = 200;

/**
 * What the AWS SDK sends with every PutObject by default (requestChecksumCalculation
 * WHEN_SUPPORTED): a CRC32 of the body, which S3 verifies and stores. Without it, S3
 * computes its own default (CRC64NVME) instead.
 */
function sdkChecksumHeaders(body: Uint8Array): Record<string, string> {
  return { "x-amz-sdk-checksum-algorithm": "CRC32", "x-amz-checksum-crc32": checksumBase64("CRC32", body) };
}
const SMALL_CHECKSUM = sdkChecksumHeaders(SMALL);
const LARGE_CHECKSUM = sdkChecksumHeaders(LARGE);
const LIST_KEYS = 10_000;

async function setup(s: SystemUnderTest): Promise<void> {
  const s3 = new S3Client({ ...clientConfig(s), maxAttempts: 3 });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await inParallel(SMALL_KEYS, 16, (i) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `small/${i}`, Body: SMALL })));
  await inParallel(4, 4, (i) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `large/${i}`, Body: LARGE })));
  await inParallel(LIST_KEYS, 32, (i) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `list/${String(i).padStart(5, "0")}`, Body: "x" })));
  s3.destroy();
}

export async function benchS3(opts: BenchOptions): Promise<Section[]> {
  const systems = await startAll([startGatewayEmbedded, startS3rver, startMoto, () => startGatewayOnEtcd()]);
  try {
    const { ready, failed } = await prepareAll(systems, setup);
    const base = { durationSeconds: opts.seconds, maxRequests: 2_000_000 };
    const keys = (n: number) => Array.from({ length: n }, (_, i) => i);
    const workloads: Workload[] = [
      { ...base, connections: 32, name: "PutObject 4 KiB, 32 conn", requests: (s) => Promise.all(keys(SMALL_KEYS).map((i) => signedS3(s, "PUT", `/${BUCKET}/put-small/${i}`, undefined, SMALL, SMALL_CHECKSUM))) },
      { ...base, connections: 32, name: "GetObject 4 KiB, 32 conn", requests: (s) => Promise.all(keys(SMALL_KEYS).map((i) => signedS3(s, "GET", `/${BUCKET}/small/${i}`))) },
      { ...base, connections: 4, name: "PutObject 8 MiB, 4 conn", requests: (s) => Promise.all(keys(4).map((i) => signedS3(s, "PUT", `/${BUCKET}/put-large/${i}`, undefined, LARGE, LARGE_CHECKSUM))) },
      { ...base, connections: 4, name: "GetObject 8 MiB, 4 conn", requests: (s) => Promise.all(keys(4).map((i) => signedS3(s, "GET", `/${BUCKET}/large/${i}`))) },
      {
        ...base,
        connections: 32,
        name: "ListObjectsV2 page of 1000 over 10,000 keys, 32 conn",
        // Ten different pages, each a full page of 1,000 keys.
        requests: (s) => Promise.all(keys(10).map((i) => signedS3(s, "GET", `/${BUCKET}`, { "list-type": "2", prefix: "list/", "max-keys": "1000", ...(i ? { "start-after": `list/${String(i * 1000 - 1).padStart(5, "0")}` } : {}) }))),
      },
    ];
    const section = await runSection(
      {
        title: "S3: gateway vs s3rver and moto",
        baseline: "s3rver",
        notes: [
          MOTO_NOTE,
          "Targets: gateway (embedded) ≥ 3 × s3rver ops/s on 4 KiB, ≥ 1.5 × its MB/s on 8 MiB (MB/s column counts request + response bytes), ≤ 0.5 × its CPU per operation.",
          "s3rver verifies signatures with its own key pair; moto checks none.",
          "PUTs carry the CRC32 checksum header the AWS SDK sends by default; the gateway verifies and stores it, s3rver ignores it.",
        ],
      },
      workloads,
      ready,
      failed,
      opts,
    );
    return [section];
  } finally {
    await stopAll(systems);
  }
}
