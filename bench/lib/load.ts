// Drive a server with replayed (pre-signed) requests from a separate autocannon process.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_DIR } from "./paths.ts";
import type { SignedRequest } from "../../e2e/harness/sign.ts";

/** Path and query, headers, and a base64 body (JSON-safe for the worker's argv). */
export type ReplayRequest = SignedRequest;

export interface LoadSpec {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Upper bound on requests: every load loop is bounded in count as well as time. */
  maxRequests: number;
  /** Cycled by each connection in order. */
  requests: ReplayRequest[];
  /** Instead of replaying `requests`: SQS ReceiveMessage(10) + DeleteMessageBatch cycles. */
  sqsReceiveDelete?: SqsReceiveDelete;
}

export interface SqsReceiveDelete {
  queueUrl: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface LoadResult {
  requests: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  bytesPerSecond: number;
  /** Items processed when the workload counts them itself (messages deleted). */
  items?: number;
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  // The spec goes through a file: one argv string is capped at 128 KiB on Linux, and
  // replayed PUT bodies are larger than that.
  const dir = mkdtempSync(join(tmpdir(), "bench-load-"));
  const specFile = join(dir, "spec.json");
  writeFileSync(specFile, JSON.stringify(spec));
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(BENCH_DIR, "lib", "load-worker.ts"), specFile], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), (spec.durationSeconds + 60) * 1000);
    child.on("exit", (code) => {
      clearTimeout(killer);
      const line = out.trim().split("\n").pop();
      // A printed result counts even if the worker had to be killed afterwards.
      if (line?.startsWith("{")) resolve(JSON.parse(line) as LoadResult);
      else reject(new Error(`load worker exited with ${code}: ${out}`));
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
