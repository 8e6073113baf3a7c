// FIFO group bookkeeping inside a transaction. A group's messages are ordered by sequence
// number under ("g",qid,p,group,seq); its state key remembers the last sequence number and
// the head; one "h" index entry per non-empty group says when the head is next deliverable.
// Every key touched here belongs to one group in one partition.

import type { Txn } from "../../kvclient/store.ts";
import {
  decodeJson,
  encodeJson,
  EMPTY,
  groupKey,
  groupRange,
  groupStateKey,
  indexKey,
  messageKey,
  type GroupState,
  type MessageRecord,
  type QueueRecord,
} from "./keyspace.ts";
import { partitionOf } from "./ids.ts";

export async function readGroupState(txn: Txn, q: QueueRecord, p: number, group: string): Promise<GroupState | undefined> {
  const raw = await txn.get(groupStateKey(q.id, p, group));
  return raw ? decodeJson<GroupState>(raw) : undefined;
}

/** Append a message to its group with the next sequence number; returns the record as stored. */
export async function appendToGroup(txn: Txn, q: QueueRecord, rec: MessageRecord, now: number): Promise<MessageRecord> {
  const group = rec.group!;
  const p = partitionOf(group, q.partitions);
  const state = (await readGroupState(txn, q, p, group)) ?? { lastSeq: "0", count: 0 };
  const floor = BigInt(now) * 10_000_000n;
  const last = BigInt(state.lastSeq);
  const seq = last >= floor ? last + 1n : floor;
  const stored: MessageRecord = { ...rec, seq: seq.toString().padStart(20, "0") };
  txn.put(messageKey(q.id, p, stored.id), encodeJson(stored));
  txn.put(indexKey(q.id, p, stored.kind, stored.vis, stored.id), EMPTY);
  txn.put(groupKey(q.id, p, group, seq), encodeJson(stored.id));
  state.lastSeq = seq.toString();
  state.count += 1;
  if (state.headId === undefined) {
    state.headId = stored.id;
    state.headSeq = seq.toString();
    state.headAt = stored.vis;
    txn.put(indexKey(q.id, p, "h", stored.vis, group), EMPTY);
  }
  txn.put(groupStateKey(q.id, p, group), encodeJson(state));
  return stored;
}

/** Remove one message from its group (the caller refreshes the head afterwards). */
export function removeFromGroup(txn: Txn, q: QueueRecord, p: number, rec: MessageRecord, state: GroupState): void {
  txn.delete(messageKey(q.id, p, rec.id));
  txn.delete(indexKey(q.id, p, rec.kind, rec.vis, rec.id));
  txn.delete(groupKey(q.id, p, rec.group!, BigInt(rec.seq!)));
  state.count = Math.max(0, state.count - 1);
}

/** Re-point the group's "h" entry at its current head (or drop the group when empty). */
export async function refreshHead(txn: Txn, q: QueueRecord, p: number, group: string, state: GroupState): Promise<void> {
  if (state.headAt !== undefined) txn.delete(indexKey(q.id, p, "h", state.headAt, group));
  const first = await txn.scan({ ...groupRange(q.id, p, group), limit: 1 });
  const kv = first.kvs[0];
  if (!kv) {
    txn.delete(groupStateKey(q.id, p, group));
    return;
  }
  const headId = decodeJson<string>(kv.value);
  const raw = await txn.get(messageKey(q.id, p, headId));
  if (!raw) {
    // An order entry without its message cannot be delivered; drop it so the group moves on.
    txn.delete(kv.key);
    state.count = Math.max(0, state.count - 1);
    state.headAt = undefined;
    return refreshHead(txn, q, p, group, state);
  }
  const head = decodeJson<MessageRecord>(raw);
  state.headId = head.id;
  state.headSeq = head.seq;
  state.headAt = head.vis;
  txn.put(indexKey(q.id, p, "h", head.vis, group), EMPTY);
  txn.put(groupStateKey(q.id, p, group), encodeJson(state));
}
