import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { Reaper } from "./reaper.ts";
import { WaitHub } from "./long-poll.ts";
import { SqsService } from "./service.ts";
import { startHarness, type Harness } from "./test-support.ts";
import { newMessageId } from "./ids.ts";
import { md5Hex } from "./md5.ts";
import {
  dedupKey,
  deletedQueueKey,
  encodeJson,
  EMPTY,
  indexKey,
  messageKey,
  queueDataRanges,
  type MessageRecord,
  type QueueRecord,
} from "./keyspace.ts";

let h: Harness;
let svc: SqsService;
let reaper: Reaper;
const signal = new AbortController().signal;

beforeAll(async () => {
  h = await startHarness({ start: false });
  const silent = pino({ level: "silent" });
  svc = new SqsService(h.store, "us-east-1", "000000000000", silent, { fifoPartitions: 4, reaperIntervalMs: 1000, depthIntervalMs: 1000 }, new WaitHub(h.store, silent), { partitionOp() {}, partitionOps() {} });
  reaper = new Reaper(svc);
});
afterAll(async () => {
  await h.close();
});

async function keysUnder(qid: string): Promise<number> {
  let n = 0;
  for (const r of queueDataRanges(qid)) n += await h.store.count(r);
  return n;
}

/** A message sent `ageMs` ago, written straight into the keyspace. */
async function oldMessage(q: QueueRecord, ageMs: number): Promise<MessageRecord> {
  const sent = Date.now() - ageMs;
  const rec: MessageRecord = { id: newMessageId(sent), body: "old", md5Body: md5Hex("old"), sent, senderId: "x", recvCount: 0, vis: sent, kind: "a" };
  await h.store.transact(async (txn) => {
    txn.put(messageKey(q.id, 0, rec.id), encodeJson(rec));
    txn.put(indexKey(q.id, 0, "a", rec.vis, rec.id), EMPTY);
  });
  return rec;
}

describe("reaper", () => {
  it("reclaims messages past MessageRetentionPeriod and keeps the rest; receive never returns them", async () => {
    await h.json("CreateQueue", { QueueName: "ret", Attributes: { MessageRetentionPeriod: "60" } });
    const q = (await svc.getQueueFresh("ret", signal))!;
    await oldMessage(q, 61_000);
    await h.json("SendMessage", { QueueUrl: "http://x/000000000000/ret", MessageBody: "fresh" });
    expect(await keysUnder(q.id)).toBe(4);
    await reaper.runOnce(signal, true);
    expect(await keysUnder(q.id)).toBe(2);
    await oldMessage(q, 61_000);
    const r = await h.json("ReceiveMessage", { QueueUrl: "http://x/000000000000/ret", MaxNumberOfMessages: 10 });
    expect((r.body.Messages as { Body: string }[]).map((m) => m.Body)).toEqual(["fresh"]);
  });

  it("leaves messages past retention out of the visible count before the reaper runs", async () => {
    await h.json("CreateQueue", { QueueName: "ret-count", Attributes: { MessageRetentionPeriod: "60" } });
    const q = (await svc.getQueueFresh("ret-count", signal))!;
    await oldMessage(q, 61_000);
    await oldMessage(q, 59_000);
    await h.json("SendMessage", { QueueUrl: "http://x/000000000000/ret-count", MessageBody: "fresh" });
    const r = await h.json("GetQueueAttributes", { QueueUrl: "http://x/000000000000/ret-count", AttributeNames: ["All"] });
    expect(r.body.Attributes).toMatchObject({ ApproximateNumberOfMessages: "2", ApproximateNumberOfMessagesNotVisible: "0", ApproximateNumberOfMessagesDelayed: "0" });
    expect(await keysUnder(q.id)).toBe(6);
  });

  it("reclaims every key of a deleted or purged queue id", async () => {
    await h.json("CreateQueue", { QueueName: "gone" });
    await h.json("SendMessageBatch", { QueueUrl: "http://x/000000000000/gone", Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `${i}`, MessageBody: "b" })) });
    const q = (await svc.getQueueFresh("gone", signal))!;
    expect(await keysUnder(q.id)).toBe(20);
    await h.json("PurgeQueue", { QueueUrl: "http://x/000000000000/gone" });
    const after = (await svc.getQueueFresh("gone", signal))!;
    expect(after.id).not.toBe(q.id);
    const r = await h.json("ReceiveMessage", { QueueUrl: "http://x/000000000000/gone" });
    expect(r.body.Messages).toEqual([]);
    await reaper.runOnce(signal, true);
    expect(await keysUnder(q.id)).toBe(0);
    await h.json("SendMessage", { QueueUrl: "http://x/000000000000/gone", MessageBody: "b" });
    await h.json("DeleteQueue", { QueueUrl: "http://x/000000000000/gone" });
    await reaper.runOnce(signal, true);
    expect(await keysUnder(after.id)).toBe(0);
  });

  it("frees a deleted queue's name after its 60 s, and drops the mark", async () => {
    await h.json("CreateQueue", { QueueName: "again" });
    await h.json("DeleteQueue", { QueueUrl: "http://x/000000000000/again" });
    const refused = await h.json("CreateQueue", { QueueName: "again" });
    expect(refused.status).toBe(400);
    expect(refused.body.__type).toBe("com.amazonaws.sqs#QueueDeletedRecently");
    expect(refused.headers.get("x-amzn-query-error")).toBe("AWS.SimpleQueueService.QueueDeletedRecently;Sender");
    // A mark inside its window survives a reaper pass.
    await reaper.runOnce(signal, true);
    expect(await h.store.get(deletedQueueKey("again"))).toBeDefined();
    // Sixty seconds later (the mark's expiry moved into the past) the name is free again.
    await h.store.transact(async (txn) => txn.put(deletedQueueKey("again"), encodeJson({ expires: Date.now() - 1 })));
    expect((await h.json("CreateQueue", { QueueName: "again" })).status).toBe(200);
    await reaper.runOnce(signal, true);
    expect(await h.store.get(deletedQueueKey("again"))).toBeUndefined();
  });

  it("drops expired FIFO dedup entries so the id can be used again", async () => {
    await h.json("CreateQueue", { QueueName: "dd.fifo", Attributes: { FifoQueue: "true" } });
    const q = (await svc.getQueueFresh("dd.fifo", signal))!;
    await h.store.transact(async (txn) => txn.put(dedupKey(q.id, "q", "old"), encodeJson({ messageId: "m", seq: "1", expires: Date.now() - 1 })));
    await h.store.transact(async (txn) => txn.put(dedupKey(q.id, "q", "new"), encodeJson({ messageId: "m", seq: "1", expires: Date.now() + 60_000 })));
    await reaper.runOnce(signal, true);
    expect(await h.store.get(dedupKey(q.id, "q", "old"))).toBeUndefined();
    expect(await h.store.get(dedupKey(q.id, "q", "new"))).toBeDefined();
  });
});
