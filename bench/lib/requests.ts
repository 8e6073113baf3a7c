// Build pre-signed replay requests and SDK clients for a system under test.

import { signForReplay } from "../../e2e/harness/sign.ts";
import { TEST_REGION } from "../../e2e/harness/gateway.ts";
import type { ReplayRequest } from "./load.ts";
import type { SystemUnderTest } from "./systems.ts";

export const REGION = TEST_REGION;

export function clientConfig(s: SystemUnderTest) {
  return { endpoint: s.url, region: REGION, credentials: s.credentials, forcePathStyle: true, maxAttempts: 1 };
}

/** An AWS JSON 1.0 call (DynamoDB, SQS) signed for replay. */
export function signedJson(s: SystemUnderTest, service: "dynamodb" | "sqs", target: string, body: unknown): Promise<ReplayRequest> {
  return signForReplay({
    service,
    region: REGION,
    credentials: s.credentials,
    endpoint: s.url,
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": target },
    body: JSON.stringify(body),
  });
}

/** An S3 REST call signed for replay, with a signed payload hash. */
export function signedS3(s: SystemUnderTest, method: string, path: string, query?: Record<string, string>, body?: Uint8Array, headers: Record<string, string> = {}): Promise<ReplayRequest> {
  return signForReplay({ service: "s3", region: REGION, credentials: s.credentials, endpoint: s.url, method, path, query, headers, body });
}

/** Run `n` async tasks with at most `width` in flight. */
export async function inParallel(n: number, width: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}
