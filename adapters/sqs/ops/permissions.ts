// AddPermission / RemovePermission maintain the queue's Policy attribute the way SQS
// writes it. The gateway does not evaluate policies: access is controlled by credentials.

import { invalidParameterValue, missingParameter, overLimit } from "../errors.ts";
import type { Input, OperationContext, Output } from "../model.ts";
import { optStringList, reqString } from "../params.ts";
import type { SqsService } from "../service.ts";
import { updateQueue } from "./queues.ts";

interface Statement {
  Sid: string;
  Effect: string;
  Principal: { AWS: string | string[] };
  Action: string | string[];
  Resource: string;
}
interface Policy {
  Version: string;
  Id: string;
  Statement: Statement[];
}

const LABEL_RE = /^[A-Za-z0-9_-]{1,80}$/;
const ACTIONS = new Set([
  "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl",
  "ListDeadLetterSourceQueues", "PurgeQueue", "ListQueueTags",
]);

function readPolicy(raw: string | undefined, arn: string): Policy {
  if (raw) {
    try {
      const p = JSON.parse(raw) as Policy;
      if (Array.isArray(p.Statement)) return p;
    } catch {
      // fall through: a malformed stored policy is replaced
    }
  }
  return { Version: "2012-10-17", Id: `${arn}/SQSDefaultPolicy`, Statement: [] };
}

export async function addPermission(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const name = svc.queueNameOf(input, op);
  const label = reqString(input, "Label");
  if (!LABEL_RE.test(label)) throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Must be shorter than 80 chars and only contain alphanumeric, hyphen and underscore characters.`);
  const accounts = optStringList(input, "AWSAccountIds") ?? [];
  const actions = optStringList(input, "Actions") ?? [];
  // AWS's answers and their order, as moto records them (test_add_permission_errors): no
  // actions, no accounts, more than 7 actions (OverLimit, 403), then each action's name.
  if (actions.length === 0) throw missingParameter("Actions");
  if (accounts.length === 0) throw invalidParameterValue("Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.");
  if (actions.length > 7) throw overLimit(`${actions.length} Actions were found, maximum allowed is 7.`);
  for (const a of actions) {
    if (!ACTIONS.has(a)) throw invalidParameterValue(`Value SQS:${a} for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.`);
  }
  const arn = svc.queueArn(name);
  await updateQueue(svc, name, op.signal, (q) => {
    const policy = readPolicy(q.attrs.Policy, arn);
    if (policy.Statement.some((s) => s.Sid === label)) {
      throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Already exists.`);
    }
    const principals = accounts.map((a) => `arn:aws:iam::${a}:root`);
    const acts = actions.map((a) => `SQS:${a}`);
    policy.Statement.push({
      Sid: label,
      Effect: "Allow",
      Principal: { AWS: principals.length === 1 ? principals[0]! : principals },
      Action: acts.length === 1 ? acts[0]! : acts,
      Resource: arn,
    });
    q.attrs.Policy = JSON.stringify(policy);
  });
  return {};
}

export async function removePermission(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const name = svc.queueNameOf(input, op);
  const label = reqString(input, "Label");
  const arn = svc.queueArn(name);
  await updateQueue(svc, name, op.signal, (q) => {
    const policy = readPolicy(q.attrs.Policy, arn);
    const kept = policy.Statement.filter((s) => s.Sid !== label);
    if (kept.length === policy.Statement.length) {
      throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: can't find label on existing policy.`);
    }
    if (kept.length === 0) delete q.attrs.Policy;
    else q.attrs.Policy = JSON.stringify({ ...policy, Statement: kept });
  });
  return {};
}
