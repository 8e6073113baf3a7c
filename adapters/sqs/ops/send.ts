// SendMessage and SendMessageBatch. Standard sends write only their own keys (no reads,
// so they never conflict); FIFO sends read and write only keys of their own message group
// and dedup id, inside the group's partition.

import { hash } from "node:crypto";
import type { AwsError } from "../../aws/errors.ts";
import { isAwsError } from "../aws-error.ts";
import {
  batchEntryIdsNotDistinct,
  batchRequestTooLong,
  deduplicationIdRequired,
  emptyBatchRequest,
  invalidBatchEntryId,
  invalidParameterValue,
  missingParameter,
  tooManyEntriesInBatchRequest,
} from "../errors.ts";
import { MAX_MESSAGE_BYTES } from "../attributes.ts";
import { newMessageId } from "../ids.ts";
import {
  encodeJson,
  EMPTY,
  indexKey,
  messageKey,
  type MessageRecord,
  type QueueRecord,
} from "../keyspace.ts";
import { md5Hex, md5OfAttributes } from "../md5.ts";
import {
  messageSize,
  validateBody,
  validateGroupOrDedupId,
  validateMessageAttributes,
  validateSystemAttributes,
} from "../message-validation.ts";
import type { Input, OperationContext, Output } from "../model.ts";
import { optEntries, optInt, optString } from "../params.ts";
import type { SqsService } from "../service.ts";

const BATCH_ID_RE = /^[A-Za-z0-9_-]{1,80}$/;

interface Prepared {
  record: MessageRecord;
  delayMs: number;
}

/** Validate one entry against the queue and build its record (not yet sequenced). */
function prepare(svc: SqsService, q: QueueRecord, input: Input, senderId: string, now: number): Prepared {
  const body = validateBody(input.MessageBody);
  const attrs = validateMessageAttributes(input.MessageAttributes);
  const sys = validateSystemAttributes(input.MessageSystemAttributes);
  const max = Number(q.attrs.MaximumMessageSize ?? MAX_MESSAGE_BYTES);
  if (messageSize(body, attrs) > max) {
    throw invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
  }
  const delay = optInt(input, "DelaySeconds", { min: 0, max: 900, reason: "DelaySeconds must be >= 0 and <= 900." });
  const group = optString(input, "MessageGroupId");
  let dedupId = optString(input, "MessageDeduplicationId");
  if (group !== undefined) validateGroupOrDedupId("MessageGroupId", group);
  if (dedupId !== undefined) validateGroupOrDedupId("MessageDeduplicationId", dedupId);
  if (q.fifo) {
    if (delay !== undefined && delay !== 0) {
      throw invalidParameterValue(`Value ${delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`);
    }
    if (group === undefined) throw missingParameter("MessageGroupId");
    if (dedupId === undefined) {
      if (q.attrs.ContentBasedDeduplication !== "true") throw deduplicationIdRequired();
      dedupId = hash("sha256", body, "hex");
    }
  } else if (dedupId !== undefined) {
    throw invalidParameterValue(`Value ${dedupId} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`);
  }
  const delayMs = q.fifo ? Number(q.attrs.DelaySeconds ?? 0) * 1000 : (delay ?? Number(q.attrs.DelaySeconds ?? 0)) * 1000;
  const id = newMessageId(now);
  const record: MessageRecord = {
    id,
    body,
    md5Body: md5Hex(body),
    sent: now,
    senderId,
    recvCount: 0,
    vis: now + delayMs,
    kind: delayMs > 0 ? "d" : "a",
  };
  if (attrs) {
    record.attrs = attrs;
    record.md5Attrs = md5OfAttributes(attrs);
  }
  if (sys) {
    record.sys = sys;
    record.md5Sys = md5OfAttributes(sys);
  }
  if (group !== undefined) record.group = group;
  if (q.fifo) record.dedupId = dedupId;
  return { record, delayMs };
}

function sendResult(r: MessageRecord): Output {
  const out: Output = { MD5OfMessageBody: r.md5Body, MessageId: r.id };
  if (r.md5Attrs) out.MD5OfMessageAttributes = r.md5Attrs;
  if (r.md5Sys) out.MD5OfMessageSystemAttributes = r.md5Sys;
  if (r.seq) out.SequenceNumber = r.seq;
  return out;
}

function standardPuts(q: QueueRecord, r: MessageRecord): [Uint8Array, Uint8Array][] {
  return [
    [messageKey(q.id, 0, r.id), encodeJson(r)],
    [indexKey(q.id, 0, r.kind, r.vis, r.id), EMPTY],
  ];
}

function notifyIfVisible(svc: SqsService, q: QueueRecord, records: MessageRecord[]): void {
  const visible = records.filter((r) => r.kind === "a").length;
  if (visible > 0) svc.hub.notify(q.id, visible);
}

export async function sendMessage(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const q = await svc.requireQueue(input, op);
  const now = Date.now();
  const { record } = prepare(svc, q, input, op.senderId, now);
  let sent: MessageRecord;
  if (q.fifo) {
    sent = await svc.fifoSends.send(q, record);
  } else {
    await svc.sends.write(standardPuts(q, record));
    sent = record;
  }
  notifyIfVisible(svc, q, [sent]);
  svc.metrics.partitionOp(q, sent.group, "send");
  return sendResult(sent);
}

/** Size of an unvalidated entry as SQS counts it (body plus attribute names, types, values). */
function lenientSize(e: Input): number {
  let n = typeof e.MessageBody === "string" ? Buffer.byteLength(e.MessageBody, "utf8") : 0;
  const attrs = e.MessageAttributes;
  if (attrs && typeof attrs === "object") {
    for (const [name, v] of Object.entries(attrs as Record<string, Record<string, unknown>>)) {
      n += Buffer.byteLength(name, "utf8");
      if (v && typeof v === "object") {
        if (typeof v.DataType === "string") n += Buffer.byteLength(v.DataType, "utf8");
        if (typeof v.StringValue === "string") n += Buffer.byteLength(v.StringValue, "utf8");
        if (typeof v.BinaryValue === "string") n += Buffer.from(v.BinaryValue, "base64").length;
      }
    }
  }
  return n;
}

export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

export function batchFailure(id: string, err: AwsError): BatchFailure {
  return { Id: id, SenderFault: err.fault === "Sender", Code: err.code, Message: err.message };
}

/** The checks every batch action shares: entry count and distinct, well-formed ids. */
export function checkBatchEntries(input: Input, entryName: string): Input[] {
  const entries = optEntries(input);
  if (!entries || entries.length === 0) throw emptyBatchRequest(entryName);
  if (entries.length > 10) throw tooManyEntriesInBatchRequest(entries.length);
  const seen = new Set<string>();
  for (const e of entries) {
    const id = typeof e.Id === "string" ? e.Id : "";
    if (!BATCH_ID_RE.test(id)) throw invalidBatchEntryId();
    if (seen.has(id)) throw batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return entries;
}

/**
 * A FIFO batch with an entry lacking its group, or a dedup id the queue cannot derive, fails
 * as a whole and sends nothing (AWS), unlike the other per-entry checks.
 */
function checkFifoBatchEntries(q: QueueRecord, entries: Input[]): void {
  const absent = (v: unknown) => v === undefined || v === null;
  for (const e of entries) {
    if (absent(e.MessageGroupId)) throw invalidParameterValue("The request must contain the parameter MessageGroupId.");
    if (absent(e.MessageDeduplicationId) && q.attrs.ContentBasedDeduplication !== "true") throw deduplicationIdRequired();
  }
}

export async function sendMessageBatch(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const entries = checkBatchEntries(input, "SendMessageBatchRequestEntry");
  const q = await svc.requireQueue(input, op);
  const now = Date.now();
  // The batch limit counts what each message counts against MaximumMessageSize.
  let total = 0;
  for (const e of entries) total += lenientSize(e);
  if (total > MAX_MESSAGE_BYTES) throw batchRequestTooLong(MAX_MESSAGE_BYTES, Math.floor(total));
  if (q.fifo) checkFifoBatchEntries(q, entries);
  const successful: Output[] = [];
  const failed: BatchFailure[] = [];
  const ok: { id: string; record: MessageRecord }[] = [];
  for (const e of entries) {
    try {
      ok.push({ id: String(e.Id), record: prepare(svc, q, e, op.senderId, now).record });
    } catch (err) {
      if (!isAwsError(err)) throw err;
      failed.push(batchFailure(String(e.Id), err));
    }
  }
  if (q.fifo) {
    // In order: a later entry of the same group must get a later sequence number.
    for (const { id, record } of ok) {
      const sent = await svc.fifoSends.send(q, record);
      successful.push({ Id: id, ...sendResult(sent) });
      svc.metrics.partitionOp(q, sent.group, "send");
    }
  } else if (ok.length > 0) {
    await svc.sends.write(ok.flatMap(({ record }) => standardPuts(q, record)));
    for (const { id, record } of ok) successful.push({ Id: id, ...sendResult(record) });
  }
  notifyIfVisible(svc, q, ok.map((o) => o.record));
  return { Successful: successful, Failed: failed };
}
