// Server-side encryption settings. AWS allows one option per queue: SSE-SQS
// (SqsManagedSseEnabled) or SSE-KMS (KmsMasterKeyId, with KmsDataKeyReusePeriodSeconds).
// Enabling one turns the other off, and a request that enables both is refused.

import { oneSseOption } from "./errors.ts";

/** AWS's data key reuse period of a KMS queue that did not set one, seconds. */
const DEFAULT_KMS_REUSE_SECONDS = "300";

/** Refuse a request (normalized attributes) that enables both options. */
export function checkSseRequest(given: Record<string, string>): void {
  if (given.KmsMasterKeyId && given.SqsManagedSseEnabled === "true") throw oneSseOption();
}

/**
 * Leave one option on a queue after `given` was applied to its attributes. Enabling
 * SSE-SQS, or clearing the KMS key, drops the key with its reuse period (AWS then reports
 * neither); a KMS key reports SqsManagedSseEnabled "false" and the default reuse period.
 */
export function reconcileSse(attrs: Record<string, string>, given: Record<string, string>): void {
  if (given.SqsManagedSseEnabled === "true" || given.KmsMasterKeyId === "") {
    delete attrs.KmsMasterKeyId;
    delete attrs.KmsDataKeyReusePeriodSeconds;
  }
  if (attrs.KmsMasterKeyId) {
    attrs.SqsManagedSseEnabled = "false";
    attrs.KmsDataKeyReusePeriodSeconds ??= DEFAULT_KMS_REUSE_SECONDS;
  }
}
