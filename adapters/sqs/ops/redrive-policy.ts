// RedrivePolicy and RedriveAllowPolicy, checked as SQS checks them when a queue is created
// or its attributes are set: shape, ranges, the target's existence and type, and whether
// the target's RedriveAllowPolicy admits this source.

import { invalidParameterValue } from "../errors.ts";
import type { SqsService } from "../service.ts";

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface RedriveAllowPolicy {
  redrivePermission: "allowAll" | "denyAll" | "byQueue";
  sourceQueueArns?: string[];
}

/** arn:<partition>:sqs:<region>:<account>:<queue name>. */
const SQS_ARN_RE = /^arn:[^:]+:sqs:[^:]*:[^:]*:[^:]+$/;

const bad = (attr: string, value: string, reason: string) =>
  invalidParameterValue(`Value ${value} for parameter ${attr} is invalid. Reason: ${reason}`);

export function parseRedrivePolicy(value: string): RedrivePolicy {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw bad("RedrivePolicy", value, "Redrive policy is not a valid JSON map.");
  }
  if (typeof obj.deadLetterTargetArn !== "string") {
    throw bad("RedrivePolicy", value, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  }
  if (obj.maxReceiveCount === undefined) {
    throw bad("RedrivePolicy", value, "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  }
  const n = Number(obj.maxReceiveCount);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw bad("RedrivePolicy", value, `Invalid value for maxReceiveCount: ${String(obj.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  }
  // Something that is no SQS queue ARN at all is refused before any lookup, in its own
  // words (LocalStack's snapshot recorded against AWS: test_invalid_dead_letter_arn_
  // rejected_before_lookup); an ARN of a missing queue is "does not exist" below.
  if (!SQS_ARN_RE.test(obj.deadLetterTargetArn)) throw bad("RedrivePolicy", value, "Invalid value for deadLetterTargetArn.");
  return { deadLetterTargetArn: obj.deadLetterTargetArn, maxReceiveCount: n };
}

export function parseRedriveAllowPolicy(value: string): RedriveAllowPolicy {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw bad("RedriveAllowPolicy", value, "Redrive allow policy is not a valid JSON map.");
  }
  const perm = obj.redrivePermission;
  if (perm !== "allowAll" && perm !== "denyAll" && perm !== "byQueue") {
    throw bad("RedriveAllowPolicy", value, "Invalid value for redrivePermission. Valid values are allowAll, denyAll and byQueue.");
  }
  const arns = obj.sourceQueueArns;
  if (perm === "byQueue") {
    if (!Array.isArray(arns) || arns.length < 1 || arns.length > 10 || !arns.every((a) => typeof a === "string")) {
      throw bad("RedriveAllowPolicy", value, "sourceQueueArns must contain between 1 and 10 queue ARNs when redrivePermission is byQueue.");
    }
    return { redrivePermission: perm, sourceQueueArns: arns as string[] };
  }
  if (arns !== undefined) {
    throw bad("RedriveAllowPolicy", value, "sourceQueueArns can only be specified when redrivePermission is byQueue.");
  }
  return { redrivePermission: perm };
}

export function redriveAllows(policy: string | undefined, sourceArn: string): boolean {
  if (!policy) return true;
  const p = parseRedriveAllowPolicy(policy);
  if (p.redrivePermission === "allowAll") return true;
  if (p.redrivePermission === "denyAll") return false;
  return p.sourceQueueArns!.includes(sourceArn);
}

/** Validate and normalize the redrive attributes in `given` (mutated in place). */
export async function validateRedrivePolicies(
  svc: SqsService,
  sourceName: string,
  fifo: boolean,
  given: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  if (given.RedriveAllowPolicy) {
    const p = parseRedriveAllowPolicy(given.RedriveAllowPolicy);
    given.RedriveAllowPolicy = JSON.stringify(p);
  }
  if (!given.RedrivePolicy) return;
  const raw = given.RedrivePolicy;
  const p = parseRedrivePolicy(raw);
  const target = await svc.queueByArn(p.deadLetterTargetArn, signal);
  if (!target) throw bad("RedrivePolicy", raw, "Dead letter target does not exist.");
  if (target.fifo !== fifo) throw bad("RedrivePolicy", raw, "Dead-letter queue must be same type of queue as the source..");
  if (!redriveAllows(target.attrs.RedriveAllowPolicy, svc.queueArn(sourceName))) {
    throw bad("RedrivePolicy", raw, "Dead letter target's RedriveAllowPolicy does not allow this queue as a source.");
  }
  given.RedrivePolicy = JSON.stringify(p);
}
