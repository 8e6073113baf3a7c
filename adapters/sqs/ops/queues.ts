// Queue lifecycle and configuration: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue,
// Get/SetQueueAttributes, PurgeQueue, tags, ListDeadLetterSourceQueues.

import { randomBytes } from "node:crypto";
import {
  ALL_ORDER,
  defaultAttributes,
  isKnownAttribute,
  normalizeAttribute,
} from "../attributes.ts";
import {
  invalidAttributeName,
  invalidParameterValue,
  missingParameter,
  purgeQueueInProgress,
  queueDeletedRecently,
  queueDoesNotExist,
  queueNameExists,
} from "../errors.ts";
import {
  decodeJson,
  deletedQueueKey,
  encodeJson,
  EMPTY,
  graveKey,
  QUEUE_DELETE_COOLDOWN_MS,
  queueKey,
  queuePrefixRange,
  queuesRange,
  type QueueRecord,
} from "../keyspace.ts";
import type { Input, OperationContext, Output } from "../model.ts";
import { optInt, optString, optStringList, optStringMap, reqString } from "../params.ts";
import type { SqsService } from "../service.ts";
import { dict } from "../dict.ts";
import { checkSseRequest, reconcileSse } from "../sse.ts";
import { queueCounts } from "./counts.ts";
import { validateRedrivePolicies } from "./redrive-policy.ts";

const NAME_RE = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME_RE = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export const newQueueId = () => randomBytes(8).toString("hex");
const nowSeconds = () => Math.floor(Date.now() / 1000);

function validateTags(tags: Record<string, unknown>): Record<string, string> {
  const out = dict<string>();
  for (const [k, v] of Object.entries(tags)) {
    const value = v === undefined || v === null ? "" : String(v);
    if (k.length < 1 || k.length > 128) throw invalidParameterValue(`Tag key must be between 1 and 128 characters.`);
    if (value.length > 256) throw invalidParameterValue(`Tag value must be at most 256 characters.`);
    out[k] = value;
  }
  return out;
}

export async function createQueue(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const name = reqString(input, "QueueName");
  const rawAttrs = optStringMap(input, "Attributes") ?? {};
  const fifoRaw = rawAttrs.FifoQueue;
  const fifo = fifoRaw !== undefined && String(fifoRaw).toLowerCase() === "true";
  if (fifo ? !FIFO_NAME_RE.test(name) : !NAME_RE.test(name)) {
    throw invalidParameterValue(
      fifo
        ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
        : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    );
  }
  const given = dict<string>();
  for (const [k, v] of Object.entries(rawAttrs)) given[k] = normalizeAttribute(k, v, fifo, true);
  if (given.FifoQueue === "false") delete given.FifoQueue;
  checkSseRequest(given);
  const tags = validateTags(optStringMap(input, "tags") ?? {});
  if (Object.keys(tags).length > 50) throw invalidParameterValue("Too many tags added for queue " + name + ".");
  await validateRedrivePolicies(svc, name, fifo, given, op.signal);

  const now = nowSeconds();
  await svc.store.transact(
    async (txn) => {
      const existing = await txn.get(queueKey(name));
      if (existing) {
        const q = decodeJson<QueueRecord>(existing);
        // AWS names the first differing attribute, in the order the request gave them.
        for (const [k, v] of Object.entries(given)) {
          if ((q.attrs[k] ?? "") !== v) throw queueNameExists(k);
        }
        if (q.fifo !== fifo) throw queueNameExists("FifoQueue");
        return;
      }
      // AWS refuses a name deleted less than 60 s ago (in any gateway: the mark is in the store).
      const deleted = await txn.get(deletedQueueKey(name));
      if (deleted && decodeJson<{ expires: number }>(deleted).expires > Date.now()) throw queueDeletedRecently();
      const attrs = { ...defaultAttributes(fifo), ...given };
      reconcileSse(attrs, given);
      const record: QueueRecord = {
        name,
        id: newQueueId(),
        created: now,
        modified: now,
        attrs,
        tags,
        fifo,
        partitions: fifo ? svc.options.fifoPartitions : 1,
      };
      txn.put(queueKey(name), encodeJson(record));
    },
    { signal: op.signal, family: "sqs.queue" },
  );
  svc.queues.invalidate(name);
  return { QueueUrl: svc.queueUrl(op.origin, name) };
}

export async function getQueueUrl(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const name = reqString(input, "QueueName");
  const owner = optString(input, "QueueOwnerAWSAccountId");
  if (owner !== undefined && owner !== svc.accountId) throw queueDoesNotExist();
  const q = await svc.getQueue(name, op.signal);
  if (!q) throw queueDoesNotExist();
  return { QueueUrl: svc.queueUrl(op.origin, name) };
}

function decodeToken(token: string): string {
  try {
    const t = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof t.after === "string") return t.after;
  } catch {
    // fall through
  }
  throw invalidParameterValue("Invalid NextToken value.");
}
const encodeToken = (after: string) => Buffer.from(JSON.stringify({ after }), "utf8").toString("base64url");

export async function listQueues(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const prefix = optString(input, "QueueNamePrefix") ?? "";
  const max = optInt(input, "MaxResults", { min: 1, max: 1000, reason: "MaxResults must be an integer between 1 and 1000." });
  const tokenRaw = optString(input, "NextToken");
  if (tokenRaw !== undefined && max === undefined) {
    throw invalidParameterValue("MaxResults is a mandatory parameter when you provide a value for NextToken.");
  }
  const after = tokenRaw ? decodeToken(tokenRaw) : undefined;
  const limit = max ?? 1000;
  const { start, end } = queuePrefixRange(prefix, after);
  const res = await svc.store.scan({ start, end, limit, signal: op.signal });
  const names = res.kvs.map((kv) => decodeJson<QueueRecord>(kv.value).name);
  const out: Output = {};
  if (names.length > 0) out.QueueUrls = names.map((n) => svc.queueUrl(op.origin, n));
  if (max !== undefined && res.more && names.length > 0) out.NextToken = encodeToken(names[names.length - 1]!);
  return out;
}

export async function deleteQueue(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const name = svc.queueNameOf(input, op);
  await svc.store.transact(
    async (txn) => {
      const raw = await txn.get(queueKey(name));
      if (!raw) throw queueDoesNotExist();
      const q = decodeJson<QueueRecord>(raw);
      txn.delete(queueKey(name));
      txn.put(graveKey(q.id), EMPTY);
      txn.put(deletedQueueKey(name), encodeJson({ expires: Date.now() + QUEUE_DELETE_COOLDOWN_MS }));
    },
    { signal: op.signal, family: "sqs.queue" },
  );
  svc.queues.invalidate(name);
  return {};
}

export async function getQueueAttributes(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const q = await svc.requireQueue(input, op, true);
  const requested = optStringList(input, "AttributeNames") ?? [];
  for (const n of requested) if (n !== "All" && !isKnownAttribute(n)) throw invalidAttributeName(n);
  const all = requested.includes("All");
  const want = new Set(all ? ALL_ORDER : requested);
  const needCounts = [...want].some((n) => n.startsWith("Approximate"));
  const counts = needCounts ? await queueCounts(svc.store, q, Date.now(), op.signal) : undefined;
  const values: Record<string, string | undefined> = {
    ...q.attrs,
    QueueArn: svc.queueArn(q.name),
    CreatedTimestamp: String(q.created),
    LastModifiedTimestamp: String(q.modified),
    ApproximateNumberOfMessages: counts && String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: counts && String(counts.notVisible),
    ApproximateNumberOfMessagesDelayed: counts && String(counts.delayed),
  };
  const attrs = dict<string>();
  for (const n of ALL_ORDER) {
    if (!want.has(n)) continue;
    const v = values[n];
    if (v !== undefined && v !== "") attrs[n] = v;
  }
  // Asked for attributes that have no value (a removed Policy), AWS answers an empty map.
  return requested.length > 0 ? { Attributes: attrs } : {};
}

export async function setQueueAttributes(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const name = svc.queueNameOf(input, op);
  const raw = optStringMap(input, "Attributes");
  if (raw === undefined) throw missingParameter("Attributes");
  const current = await svc.getQueueFresh(name, op.signal);
  if (!current) throw queueDoesNotExist();
  const given = dict<string>();
  for (const [k, v] of Object.entries(raw)) given[k] = normalizeAttribute(k, v, current.fifo, false);
  checkSseRequest(given);
  await validateRedrivePolicies(svc, name, current.fifo, given, op.signal);
  await updateQueue(svc, name, op.signal, (q) => {
    for (const [k, v] of Object.entries(given)) {
      if (v === "" && (k === "Policy" || k === "RedrivePolicy" || k === "RedriveAllowPolicy" || k === "KmsMasterKeyId")) delete q.attrs[k];
      else q.attrs[k] = v;
    }
    reconcileSse(q.attrs, given);
    q.modified = nowSeconds();
  });
  return {};
}

/** Read-modify-write of one queue record in a transaction. */
export async function updateQueue(
  svc: SqsService,
  name: string,
  signal: AbortSignal,
  mutate: (q: QueueRecord) => void,
): Promise<QueueRecord> {
  return svc.store.transact(
    async (txn) => {
      const raw = await txn.get(queueKey(name));
      if (!raw) throw queueDoesNotExist();
      const q = decodeJson<QueueRecord>(raw);
      mutate(q);
      txn.put(queueKey(name), encodeJson(q));
      return q;
    },
    { signal, family: "sqs.queue" },
  ).finally(() => svc.queues.invalidate(name));
}

const PURGE_INTERVAL_MS = 60_000;

/**
 * Purge swaps the queue's id: every message of the old id vanishes at once, and the
 * reaper reclaims the old id's keys in bounded batches afterwards.
 */
export async function purgeQueue(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const name = svc.queueNameOf(input, op);
  const now = Date.now();
  await svc.store.transact(
    async (txn) => {
      const raw = await txn.get(queueKey(name));
      if (!raw) throw queueDoesNotExist();
      const q = decodeJson<QueueRecord>(raw);
      if (q.purgedAt !== undefined && now - q.purgedAt < PURGE_INTERVAL_MS) throw purgeQueueInProgress(name);
      txn.put(graveKey(q.id), EMPTY);
      q.id = newQueueId();
      q.purgedAt = now;
      txn.put(queueKey(name), encodeJson(q));
    },
    { signal: op.signal, family: "sqs.queue" },
  );
  svc.queues.invalidate(name);
  return {};
}

export async function tagQueue(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const name = svc.queueNameOf(input, op);
  const tags = optStringMap(input, "Tags");
  if (tags === undefined) throw missingParameter("Tags");
  const valid = validateTags(tags);
  // An empty map is no map: the Query form of {} sends no Tag.N at all (moto,
  // test_tag_queue_errors: 'The request must contain the parameter Tags.').
  if (Object.keys(valid).length === 0) throw missingParameter("Tags");
  await updateQueue(svc, name, op.signal, (q) => {
    const merged = { ...q.tags, ...valid };
    if (Object.keys(merged).length > 50) throw invalidParameterValue(`Too many tags added for queue ${name}.`);
    q.tags = merged;
  });
  return {};
}

export async function untagQueue(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const name = svc.queueNameOf(input, op);
  const keys = optStringList(input, "TagKeys");
  if (keys === undefined) throw missingParameter("TagKeys");
  // moto, test_untag_queue_errors: an empty list answers the tag key length rule.
  if (keys.length === 0 || keys.some((k) => k.length < 1 || k.length > 128)) {
    throw invalidParameterValue("Tag keys must be between 1 and 128 characters in length.");
  }
  await updateQueue(svc, name, op.signal, (q) => {
    for (const k of keys) delete q.tags[k];
  });
  return {};
}

export async function listQueueTags(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const q = await svc.requireQueue(input, op, true);
  // An empty map when the queue has no tags, as AWS answers (the Query XML is the same).
  return { Tags: q.tags };
}

export async function listDeadLetterSourceQueues(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const q = await svc.requireQueue(input, op, true);
  const arn = svc.queueArn(q.name);
  const max = optInt(input, "MaxResults", { min: 1, max: 1000, reason: "MaxResults must be an integer between 1 and 1000." });
  const tokenRaw = optString(input, "NextToken");
  const after = tokenRaw ? decodeToken(tokenRaw) : undefined;
  const limit = max ?? 1000;
  const urls: string[] = [];
  let last: string | undefined;
  let more = false;
  const { start, end } = queuePrefixRange("", after);
  let cursor = start;
  scan: for (;;) {
    const page = await svc.store.scan({ start: cursor, end, limit: 500, signal: op.signal });
    for (const kv of page.kvs) {
      const src = decodeJson<QueueRecord>(kv.value);
      const rp = src.attrs.RedrivePolicy;
      if (!rp) continue;
      try {
        if ((JSON.parse(rp) as { deadLetterTargetArn?: string }).deadLetterTargetArn !== arn) continue;
      } catch {
        continue;
      }
      if (urls.length === limit) {
        more = true;
        break scan;
      }
      urls.push(svc.queueUrl(op.origin, src.name));
      last = src.name;
    }
    if (!page.more || page.kvs.length === 0) break;
    cursor = queuePrefixRange("", decodeJson<QueueRecord>(page.kvs[page.kvs.length - 1]!.value).name).start;
  }
  const out: Output = { queueUrls: urls };
  if (max !== undefined && more && last !== undefined) out.NextToken = encodeToken(last);
  return out;
}

export { queuesRange };
