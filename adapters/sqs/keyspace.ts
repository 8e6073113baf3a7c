// The SQS keyspace: the only place that builds "sqs" keys, and the record encodings.
//
//   ("sqs","q",name)                         queue record
//   ("sqs","m",qid,p,msgId)                  message record; msgId is a UUIDv7, so a scan
//                                            runs oldest first (the retention reaper's order)
//   ("sqs","i",qid,p,kind,atMs,ref)          time index, ElasticMQ style: ordered by the time
//                                            something becomes deliverable.
//                                              kind "a": ready / in flight (ref = msgId)
//                                              kind "d": delayed, never delivered (ref = msgId)
//                                              kind "h": FIFO group head (ref = group id)
//   ("sqs","g",qid,p,group,seq)              FIFO group order → msgId
//   ("sqs","gs",qid,p,group)                 FIFO group state (last seq, head, count)
//   ("sqs","d",qid,scope,dedupId)            FIFO dedup window entry
//   ("sqs","ra",qid,attemptId)               FIFO ReceiveRequestAttemptId replay
//   ("sqs","qd",name)                        a queue name deleted less than 60 s ago
//   ("sqs","t",sourceArn,taskHandle)         message move task
//   ("sqs","lease",role)                     single-emitter leases (depth observer)
//
// `qid` is a random id minted at CreateQueue, so a deleted-and-recreated queue never sees
// its predecessor's messages. `p` is the partition: 0 for standard queues; FIFO queues
// hash their message group onto one of N partitions, and no key on the send, receive or
// delete path is shared by every partition.

import { decodeTuple, encodeTuple, prefixEnd, tupleRange } from "../../kvclient/tuple.ts";
import type { MessageAttributeValue } from "./model.ts";

const P = "sqs";

export type IndexKind = "a" | "d" | "h";

export const queueKey = (name: string) => encodeTuple([P, "q", name]);
export const queuesRange = () => tupleRange([P, "q"]);
/** Queues whose name starts with `prefix`, optionally only names after `after`. */
export function queuePrefixRange(prefix: string, after?: string): { start: Uint8Array; end: Uint8Array } {
  const withName = encodeTuple([P, "q", prefix]);
  // Drop the string terminator so the range covers every name extending the prefix.
  const stem = withName.subarray(0, withName.length - 1);
  const start = after !== undefined ? prefixEnd(queueKey(after)) : stem;
  return { start, end: prefixEnd(stem) };
}

/** Marks a deleted queue's name for 60 s ({ expires } like a dedup record; the reaper drops it). */
export const deletedQueueKey = (name: string) => encodeTuple([P, "qd", name]);
export const deletedQueuesRange = () => tupleRange([P, "qd"]);
/** How long a deleted queue's name cannot be used again (AWS: 60 s). */
export const QUEUE_DELETE_COOLDOWN_MS = 60_000;

export const messageKey = (qid: string, p: number, msgId: string) => encodeTuple([P, "m", qid, p, msgId]);
export const messagesRange = (qid: string, p: number) => tupleRange([P, "m", qid, p]);
export const queueDataRanges = (qid: string) => [
  tupleRange([P, "m", qid]),
  tupleRange([P, "i", qid]),
  tupleRange([P, "g", qid]),
  tupleRange([P, "gs", qid]),
  tupleRange([P, "d", qid]),
  tupleRange([P, "ra", qid]),
];

export const indexKey = (qid: string, p: number, kind: IndexKind, atMs: number, ref: string) =>
  encodeTuple([P, "i", qid, p, kind, Math.max(0, Math.floor(atMs)), ref]);
/** Index entries of one kind due at or before `untilMs` (inclusive). */
export const indexDueRange = (qid: string, p: number, kind: IndexKind, untilMs: number) => ({
  start: encodeTuple([P, "i", qid, p, kind]),
  end: encodeTuple([P, "i", qid, p, kind, Math.max(0, Math.floor(untilMs)) + 1]),
});
/** Index entries of one kind due strictly after `afterMs`. */
export const indexFutureRange = (qid: string, p: number, kind: IndexKind, afterMs: number) => ({
  start: encodeTuple([P, "i", qid, p, kind, Math.max(0, Math.floor(afterMs)) + 1]),
  end: tupleRange([P, "i", qid, p, kind]).end,
});
/** Index entries of one kind due strictly after `afterMs` and at or before `untilMs`. */
export const indexWindowRange = (qid: string, p: number, kind: IndexKind, afterMs: number, untilMs: number) => ({
  start: indexFutureRange(qid, p, kind, afterMs).start,
  end: indexDueRange(qid, p, kind, untilMs).end,
});
export const indexKindRange = (qid: string, p: number, kind: IndexKind) => tupleRange([P, "i", qid, p, kind]);
export const indexWatchPrefix = () => encodeTuple([P, "i"]);

export interface IndexEntry {
  qid: string;
  partition: number;
  kind: IndexKind;
  atMs: number;
  ref: string;
}

export function decodeIndexKey(key: Uint8Array): IndexEntry | undefined {
  try {
    const t = decodeTuple(key);
    if (t.length !== 7 || t[0] !== P || t[1] !== "i") return undefined;
    return { qid: String(t[2]), partition: Number(t[3]), kind: t[4] as IndexKind, atMs: Number(t[5]), ref: String(t[6]) };
  } catch {
    return undefined;
  }
}

export const groupKey = (qid: string, p: number, group: string, seq: bigint) => encodeTuple([P, "g", qid, p, group, seq]);
export const groupRange = (qid: string, p: number, group: string) => tupleRange([P, "g", qid, p, group]);
export const groupStateKey = (qid: string, p: number, group: string) => encodeTuple([P, "gs", qid, p, group]);
export const groupStatesRange = (qid: string, p: number) => tupleRange([P, "gs", qid, p]);
export const dedupKey = (qid: string, scope: string, dedupId: string) => encodeTuple([P, "d", qid, scope, dedupId]);
export const dedupRange = (qid: string) => tupleRange([P, "d", qid]);
export const attemptKey = (qid: string, attemptId: string) => encodeTuple([P, "ra", qid, attemptId]);
export const attemptsRange = (qid: string) => tupleRange([P, "ra", qid]);
export const moveTaskKey = (sourceArn: string, handle: string) => encodeTuple([P, "t", sourceArn, handle]);
export const moveTasksRange = (sourceArn: string) => tupleRange([P, "t", sourceArn]);
export const allMoveTasksRange = () => tupleRange([P, "t"]);
export const leaseKey = (role: string) => encodeTuple([P, "lease", role]);
/** Tombstone of a deleted or purged queue id whose data the reaper still has to remove. */
export const graveKey = (qid: string) => encodeTuple([P, "z", qid]);
export const gravesRange = () => tupleRange([P, "z"]);
export function decodeGraveKey(key: Uint8Array): string | undefined {
  const t = decodeTuple(key);
  return t.length === 3 && t[1] === "z" ? String(t[2]) : undefined;
}

// ---- records ----

export interface QueueRecord {
  name: string;
  id: string;
  /** Epoch seconds. */
  created: number;
  modified: number;
  /** Settable attributes, normalized strings, defaults filled in. */
  attrs: Record<string, string>;
  tags: Record<string, string>;
  fifo: boolean;
  partitions: number;
  /** Epoch ms of the last PurgeQueue; messages sent before it are gone. */
  purgedAt?: number;
}

export interface MessageRecord {
  id: string;
  body: string;
  attrs?: Record<string, MessageAttributeValue>;
  sys?: Record<string, MessageAttributeValue>;
  md5Body: string;
  md5Attrs?: string;
  md5Sys?: string;
  /** Epoch ms of the original send (kept across dead-letter moves for retention). */
  sent: number;
  senderId: string;
  firstRecv?: number;
  /** Epoch ms of the latest receive (the 12-hour visibility cap counts from it). */
  recvAt?: number;
  recvCount: number;
  /** Epoch ms at which the message is next deliverable. */
  vis: number;
  /** Which time-index entry the message currently holds. */
  kind: "a" | "d";
  /** Nonce of the latest receipt handle; an older handle no longer matches. */
  nonce?: string;
  group?: string;
  dedupId?: string;
  seq?: string;
  /** Queue ARN this message was dead-lettered from (the move task's default destination). */
  dlqSource?: string;
}

export interface GroupState {
  lastSeq: string;
  count: number;
  /** The head message (lowest sequence number still present). */
  headId?: string;
  headSeq?: string;
  /** Time of the head's "h" index entry. */
  headAt?: number;
}

export interface DedupRecord {
  messageId: string;
  seq: string;
  expires: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

export function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(dec.decode(bytes)) as T;
}

export const EMPTY = new Uint8Array(0);
