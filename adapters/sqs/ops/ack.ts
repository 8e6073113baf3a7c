// DeleteMessage, ChangeMessageVisibility and their batch forms. A receipt handle names the
// queue id, partition, message and the nonce of one delivery: a handle from an earlier
// delivery of a re-received message no longer matches, so it cannot delete the message.

import type { Txn } from "../../../kvclient/store.ts";
import { isAwsError } from "../aws-error.ts";
import { invalidParameterValue, messageNotInflight, missingParameter, receiptHandleExpired, receiptHandleIsInvalid } from "../errors.ts";
import { readGroupState, refreshHead, removeFromGroup } from "../fifo-groups.ts";
import { decodeReceiptHandle, type ReceiptHandle } from "../ids.ts";
import {
  decodeJson,
  encodeJson,
  EMPTY,
  indexKey,
  messageKey,
  type MessageRecord,
  type QueueRecord,
} from "../keyspace.ts";
import { readKeys } from "../read-keys.ts";
import type { Input, OperationContext, Output } from "../model.ts";
import { optInt, optString } from "../params.ts";
import type { SqsService } from "../service.ts";
import { batchFailure, checkBatchEntries, type BatchFailure } from "./send.ts";

function parseHandle(raw: string | undefined): ReceiptHandle {
  if (raw === undefined || raw === "") throw missingParameter("ReceiptHandle");
  const h = decodeReceiptHandle(raw);
  if (!h) throw receiptHandleIsInvalid(raw);
  return h;
}

/** Delete the messages of several handles; their records are read in parallel first. */
async function deleteMany(txn: Txn, q: QueueRecord, hs: ReceiptHandle[]): Promise<number> {
  const valid = hs.filter((h) => h.qid === q.id && h.partition < q.partitions);
  const raws = await readKeys(txn, valid.map((h) => messageKey(q.id, h.partition, h.messageId)));
  let n = 0;
  for (let i = 0; i < valid.length; i++) if (await deleteOne(txn, q, valid[i]!, { prefetched: raws[i] })) n++;
  return n;
}

interface DeleteOptions {
  /** The message record, read ahead of the transaction's writes. */
  prefetched?: Uint8Array | undefined;
  /** The handle as sent: given, a FIFO handle whose visibility timeout has passed is refused. */
  refuseExpired?: string;
}

async function deleteOne(txn: Txn, q: QueueRecord, h: ReceiptHandle, opts: DeleteOptions = {}): Promise<boolean> {
  const { prefetched, refuseExpired } = opts;
  if (h.qid !== q.id || h.partition >= q.partitions) return false;
  const key = messageKey(q.id, h.partition, h.messageId);
  // A prefetched record may be stale if an earlier delete in this transaction touched it
  // (a FIFO head refresh rewrites state, never message records), so it is safe to use.
  const raw = prefetched ?? (await txn.get(key));
  if (!raw) return false;
  const rec = decodeJson<MessageRecord>(raw);
  if (rec.nonce !== h.nonce) return false;
  if (q.fifo) {
    // AWS: once a FIFO message is visible again its handle has expired, even if nobody has
    // received it since; the message stays. Standard queues still delete it.
    if (refuseExpired !== undefined && rec.vis <= Date.now()) throw receiptHandleExpired(refuseExpired);
    const state = await readGroupState(txn, q, h.partition, rec.group!);
    if (!state) {
      txn.delete(key);
      txn.delete(indexKey(q.id, h.partition, rec.kind, rec.vis, rec.id));
      return true;
    }
    removeFromGroup(txn, q, h.partition, rec, state);
    await refreshHead(txn, q, h.partition, rec.group!, state);
    return true;
  }
  txn.delete(key);
  txn.delete(indexKey(q.id, h.partition, rec.kind, rec.vis, rec.id));
  return true;
}

export async function deleteMessage(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const q = await svc.requireQueue(input, op);
  const raw = optString(input, "ReceiptHandle");
  const h = parseHandle(raw);
  const deleted = await svc.store.transact((txn) => deleteOne(txn, q, h, { refuseExpired: raw! }), { signal: op.signal, family: "sqs.delete" });
  if (deleted) svc.metrics.partitionOps(q, h.partition, "delete", 1);
  return {};
}

// An expired FIFO handle still deletes here: the snapshot recorded against AWS covers only
// DeleteMessage, and what a batch entry answers (code and message) is not confirmed.
export async function deleteMessageBatch(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const entries = checkBatchEntries(input, "DeleteMessageBatchRequestEntry");
  const q = await svc.requireQueue(input, op);
  const failed: BatchFailure[] = [];
  const handles: { id: string; h: ReceiptHandle }[] = [];
  for (const e of entries) {
    try {
      handles.push({ id: String(e.Id), h: parseHandle(optString(e, "ReceiptHandle")) });
    } catch (err) {
      if (!isAwsError(err)) throw err;
      failed.push(batchFailure(String(e.Id), err));
    }
  }
  const successful: Output[] = [];
  // One transaction per partition: deletes of one FIFO group share its state key, so they
  // must run in sequence inside one transaction rather than conflict with each other.
  const byPartition = new Map<number, ReceiptHandle[]>();
  for (const { h } of handles) {
    const list = byPartition.get(h.partition) ?? [];
    list.push(h);
    byPartition.set(h.partition, list);
  }
  await Promise.all(
    [...byPartition].map(async ([partition, hs]) => {
      const deleted = await svc.store.transact(
        (txn) => deleteMany(txn, q, hs),
        { signal: op.signal, family: "sqs.delete" },
      );
      svc.metrics.partitionOps(q, partition, "delete", deleted);
    }),
  );
  for (const { id } of handles) successful.push({ Id: id });
  return { Successful: successful, Failed: failed };
}

const MAX_VISIBILITY_MS = 43_200_000;
const VT_RANGE = { min: 0, max: 43_200, reason: "VisibilityTimeout must be an integer between 0 and 43200." };

async function changeOne(svc: SqsService, q: QueueRecord, h: ReceiptHandle, timeout: number, raw: string, signal: AbortSignal): Promise<void> {
  const visibleNow = await svc.store.transact(
    async (txn) => {
      const now = Date.now();
      if (h.qid !== q.id || h.partition >= q.partitions) throw notAvailable(raw);
      const key = messageKey(q.id, h.partition, h.messageId);
      const stored = await txn.get(key);
      if (!stored) throw notAvailable(raw);
      const rec = decodeJson<MessageRecord>(stored);
      if (rec.nonce !== h.nonce) throw notAvailable(raw);
      if (rec.vis <= now || rec.kind !== "a") {
        // AWS answers OK and changes nothing once a standard message is visible again
        // (LocalStack's snapshot against AWS). FIFO queues are unverified and keep the error.
        if (!q.fifo) return false;
        throw messageNotInflight();
      }
      if (now + timeout * 1000 - (rec.recvAt ?? now) > MAX_VISIBILITY_MS) {
        throw invalidParameterValue(
          `Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]`,
        );
      }
      const next: MessageRecord = { ...rec, vis: now + timeout * 1000 };
      txn.delete(indexKey(q.id, h.partition, rec.kind, rec.vis, rec.id));
      txn.put(indexKey(q.id, h.partition, "a", next.vis, next.id), EMPTY);
      txn.put(key, encodeJson(next));
      if (q.fifo) {
        const state = await readGroupState(txn, q, h.partition, rec.group!);
        if (state && state.headId === rec.id) await refreshHead(txn, q, h.partition, rec.group!, state);
      }
      return timeout === 0;
    },
    { signal, family: "sqs.visibility" },
  );
  if (visibleNow) svc.hub.notify(q.id, 1);
}

const notAvailable = (handle: string) =>
  invalidParameterValue(`Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);

export async function changeMessageVisibility(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const q = await svc.requireQueue(input, op);
  const raw = optString(input, "ReceiptHandle");
  const h = parseHandle(raw);
  const timeout = optInt(input, "VisibilityTimeout", VT_RANGE);
  if (timeout === undefined) throw missingParameter("VisibilityTimeout");
  await changeOne(svc, q, h, timeout, raw!, op.signal);
  return {};
}

export async function changeMessageVisibilityBatch(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const entries = checkBatchEntries(input, "ChangeMessageVisibilityBatchRequestEntry");
  const q = await svc.requireQueue(input, op);
  const successful: Output[] = [];
  const failed: BatchFailure[] = [];
  await Promise.all(
    entries.map(async (e) => {
      const id = String(e.Id);
      try {
        const raw = optString(e, "ReceiptHandle");
        const h = parseHandle(raw);
        const timeout = optInt(e, "VisibilityTimeout", VT_RANGE) ?? 0;
        await changeOne(svc, q, h, timeout, raw!, op.signal);
        successful.push({ Id: id });
      } catch (err) {
        if (!isAwsError(err)) throw err;
        failed.push(batchFailure(id, err));
      }
    }),
  );
  return { Successful: successful, Failed: failed };
}
