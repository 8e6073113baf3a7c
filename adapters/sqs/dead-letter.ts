// Moving a message to another queue inside the caller's transaction: the receive path's
// redrive (maxReceiveCount exceeded) and message move tasks both use it. The message keeps
// its id, body, attributes and original send time.

import type { Txn } from "../../kvclient/store.ts";
import { appendToGroup } from "./fifo-groups.ts";
import { encodeJson, EMPTY, indexKey, messageKey, type MessageRecord, type QueueRecord } from "./keyspace.ts";

export async function insertMoved(
  txn: Txn,
  target: QueueRecord,
  rec: MessageRecord,
  now: number,
  dlqSource: string | undefined,
): Promise<void> {
  const moved: MessageRecord = {
    id: rec.id,
    body: rec.body,
    md5Body: rec.md5Body,
    sent: rec.sent,
    senderId: rec.senderId,
    recvCount: 0,
    vis: now,
    kind: "a",
  };
  if (rec.attrs) {
    moved.attrs = rec.attrs;
    moved.md5Attrs = rec.md5Attrs;
  }
  if (rec.sys) {
    moved.sys = rec.sys;
    moved.md5Sys = rec.md5Sys;
  }
  if (dlqSource) moved.dlqSource = dlqSource;
  if (target.fifo) {
    moved.group = rec.group ?? "default";
    moved.dedupId = rec.dedupId;
    await appendToGroup(txn, target, moved, now);
    return;
  }
  if (rec.group !== undefined) moved.group = rec.group;
  txn.put(messageKey(target.id, 0, moved.id), encodeJson(moved));
  txn.put(indexKey(target.id, 0, "a", moved.vis, moved.id), EMPTY);
}
