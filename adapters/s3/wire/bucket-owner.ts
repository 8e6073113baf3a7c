// Bucket owner condition: x-amz-expected-bucket-owner (and, on copies, the source's
// x-amz-source-expected-bucket-owner) names the account the caller expects to own the
// bucket; any other account fails the request with 403 AccessDenied, so an application
// pointed at the wrong bucket cannot write to it ("Verifying bucket ownership with bucket
// owner condition", S3 User Guide). Every bucket here belongs to the gateway's one account.

import { S3Errors } from "./errors.ts";

const HEADERS = ["x-amz-expected-bucket-owner", "x-amz-source-expected-bucket-owner"] as const;

export function checkExpectedBucketOwner(h: Headers, accountId: string): void {
  for (const name of HEADERS) {
    const expected = h.get(name);
    if (expected !== null && expected.trim() !== accountId) throw S3Errors.accessDenied();
  }
}
