// ReceiveMessage. Candidates come from the time index (ElasticMQ: ordered by next
// deliverable time); each is claimed in its own small transaction, so concurrent receivers
// only collide on the one message they both wanted and move on. A receive that finds
// nothing waits on the hub: store-watch wake-ups plus a timer for the next due entry.

import { isKnownAttribute, retentionMs } from "../attributes.ts";
import { invalidAttributeName, invalidParameterValue } from "../errors.ts";
import { insertMoved } from "../dead-letter.ts";
import { readGroupState, refreshHead, removeFromGroup } from "../fifo-groups.ts";
import { encodeReceiptHandle, newNonce } from "../ids.ts";
import {
  decodeIndexKey,
  decodeJson,
  encodeJson,
  EMPTY,
  attemptKey,
  groupRange,
  indexDueRange,
  indexFutureRange,
  indexKey,
  messageKey,
  type IndexEntry,
  type MessageRecord,
  type QueueRecord,
} from "../keyspace.ts";
import { md5OfAttributes } from "../md5.ts";
import { isUserAttributeName } from "../message-validation.ts";
import { readKeys } from "../read-keys.ts";
import type { Input, MessageAttributeValue, OperationContext, Output } from "../model.ts";
import { optInt, optString, optStringList } from "../params.ts";
import type { SqsService } from "../service.ts";
import { dict } from "../dict.ts";
import { parseRedrivePolicy } from "./redrive-policy.ts";
import type { Txn } from "../../../kvclient/store.ts";

const SYSTEM_ATTRIBUTES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "SequenceNumber",
  "MessageDeduplicationId",
  "MessageGroupId",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
] as const;

interface ReceiveSettings {
  max: number;
  visibilityMs: number;
  retentionMs: number;
  /** Where and when exhausted messages go. */
  redrive?: { target: QueueRecord; maxReceiveCount: number };
  sourceArn: string;
}

interface Claimed {
  rec: MessageRecord;
  partition: number;
}

type ClaimOutcome = { claimed: MessageRecord } | { skipped: true } | { moved: true };

/**
 * Decide what happens to a due message inside the claim transaction: expire it, dead-letter
 * it, or deliver it with a fresh receipt nonce. Returns the new record when delivered.
 */
async function settle(txn: Txn, q: QueueRecord, p: number, rec: MessageRecord, s: ReceiveSettings, now: number): Promise<"expired" | "moved" | MessageRecord> {
  if (now - rec.sent >= s.retentionMs) return "expired";
  if (s.redrive && rec.recvCount >= s.redrive.maxReceiveCount) {
    await insertMoved(txn, s.redrive.target, rec, now, s.sourceArn);
    return "moved";
  }
  const next: MessageRecord = {
    ...rec,
    recvCount: rec.recvCount + 1,
    firstRecv: rec.firstRecv ?? now,
    recvAt: now,
    nonce: newNonce(),
    vis: now + s.visibilityMs,
    kind: "a",
  };
  txn.delete(indexKey(q.id, p, rec.kind, rec.vis, rec.id));
  txn.put(indexKey(q.id, p, "a", next.vis, next.id), EMPTY);
  txn.put(messageKey(q.id, p, next.id), encodeJson(next));
  return next;
}

/**
 * Claim a batch of due messages in one transaction: one commit for the whole batch. A
 * conflict (another receiver took one of them) re-runs the body, which re-reads and skips
 * what is gone, so retries shrink rather than repeat the collision.
 */
async function claimStandard(svc: SqsService, q: QueueRecord, entries: IndexEntry[], s: ReceiveSettings, signal: AbortSignal): Promise<ClaimOutcome[]> {
  return svc.store.transact(
    async (txn): Promise<ClaimOutcome[]> => {
      const now = Date.now();
      const raws = await readKeys(txn, entries.map((e) => messageKey(q.id, e.partition, e.ref)));
      const out: ClaimOutcome[] = [];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        const raw = raws[i];
        if (!raw) {
          txn.delete(indexKey(q.id, e.partition, e.kind, e.atMs, e.ref));
          out.push({ skipped: true });
          continue;
        }
        const rec = decodeJson<MessageRecord>(raw);
        if (rec.kind !== e.kind || rec.vis !== e.atMs || rec.vis > now) {
          out.push({ skipped: true });
          continue;
        }
        const result = await settle(txn, q, e.partition, rec, s, now);
        if (result === "expired" || result === "moved") {
          txn.delete(messageKey(q.id, e.partition, rec.id));
          txn.delete(indexKey(q.id, e.partition, rec.kind, rec.vis, rec.id));
          out.push(result === "moved" ? { moved: true } : { skipped: true });
          continue;
        }
        out.push({ claimed: result });
      }
      return out;
    },
    { signal, family: "sqs.receive" },
  );
}

async function dueEntries(svc: SqsService, q: QueueRecord, p: number, kinds: ("a" | "d" | "h")[], now: number, limit: number, signal: AbortSignal): Promise<IndexEntry[]> {
  const pages = await Promise.all(kinds.map((k) => svc.store.scan({ ...indexDueRange(q.id, p, k, now), limit, keysOnly: true, signal })));
  const out: IndexEntry[] = [];
  for (const page of pages) for (const kv of page.kvs) {
    const e = decodeIndexKey(kv.key);
    if (e) out.push(e);
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Message ids some receive in this process is claiming right now, per queue id. Other
 * receives in the process skip them, so concurrent receivers of one gateway never
 * collide on a message (only receivers in different processes can).
 */
const claiming = new Map<string, Set<string>>();

/** The queue's set of ids being claimed, made on first use (see releaseClaiming). */
function claimingSet(qid: string): Set<string> {
  let busy = claiming.get(qid);
  if (!busy) {
    busy = new Set();
    claiming.set(qid, busy);
  }
  return busy;
}

/** Drop the queue's set once no receive of this process claims anything in it. */
function releaseClaiming(qid: string, mine: Set<string>): void {
  if (mine.size === 0 && claiming.get(qid) === mine) claiming.delete(qid);
}

/**
 * Due index entries of a standard queue that receives of this process have scanned but
 * not yet taken, per queue id. Concurrent receives share one scan: each takes the next
 * entries, so they never look at the same candidates, and a scan is paid once per ~POOL
 * messages instead of once per receive (each receive used to re-read the same head,
 * including every message the others were claiming). Entries are only hints: the claim
 * transaction re-reads each message and skips what changed.
 */
interface Pool {
  entries: IndexEntry[];
  /** When the scan that filled it ran. */
  at: number;
  refill: Promise<number> | undefined;
}
const pools = new Map<string, Pool>();
/** Entries one refill asks for, beyond those being claimed. */
const POOL_SCAN = 128;
/** A pool older than this is scanned again (other processes and timers change the index). */
const POOL_TTL_MS = 500;
/**
 * Pools kept (one per queue being received from). Past SWEEP_POOLS, creating a pool first
 * drops the expired ones (a purged or deleted queue's pool is never looked up again); at
 * MAX_POOLS all are dropped.
 */
const SWEEP_POOLS = 64;
const MAX_POOLS = 1024;
/** Refills one receive may trigger (bounds a receive over a queue full of stale entries). */
const MAX_REFILLS = 4;

function poolOf(qid: string): Pool {
  let pool = pools.get(qid);
  if (!pool) {
    if (pools.size >= SWEEP_POOLS) {
      const now = Date.now();
      for (const [id, p] of pools) if (!p.refill && now - p.at > POOL_TTL_MS) pools.delete(id);
    }
    if (pools.size >= MAX_POOLS) pools.clear();
    pool = { entries: [], at: 0, refill: undefined };
    pools.set(qid, pool);
  }
  return pool;
}

/** Refill the pool (or share a refill in progress); resolves with the entries it found. */
async function refillPool(svc: SqsService, q: QueueRecord, pool: Pool, mine: Set<string>, max: number, signal: AbortSignal): Promise<number> {
  // A shared refill runs under its starter's signal: if that request went away, scan again
  // under our own rather than fail a request that is still waiting.
  if (pool.refill) {
    const found = await pool.refill.catch(() => undefined);
    if (found !== undefined) return found;
  }
  const work = (async () => {
    const now = Date.now();
    // The scan also returns the entries being claimed right now (still due until their
    // claim commits): ask for that many more, and leave them out.
    const candidates = await dueEntries(svc, q, 0, ["a", "d"], now, POOL_SCAN + mine.size, signal);
    const free = candidates.filter((e) => !mine.has(e.ref));
    // Receivers in other processes see the same head; a random rotation of the candidates
    // spreads their claims instead of having all of them fight for the first keys.
    const offset = free.length > max ? Math.floor(Math.random() * Math.min(free.length - max + 1, max * 2)) : 0;
    pool.entries = offset > 0 ? free.slice(offset).concat(free.slice(0, offset)) : free;
    pool.at = now;
    return free.length;
  })();
  pool.refill = work;
  try {
    return await work;
  } finally {
    pool.refill = undefined;
  }
}

/** Standard receive: take candidates from the queue's pool and claim them in batches. */
async function receiveStandard(svc: SqsService, q: QueueRecord, s: ReceiveSettings, signal: AbortSignal): Promise<{ got: Claimed[]; moved: boolean }> {
  const got: Claimed[] = [];
  let moved = false;
  const mine = claimingSet(q.id);
  const pool = poolOf(q.id);
  // A message claimed with VisibilityTimeout 0 is due again at once: a later refill of this
  // same receive can see it, and it must not appear twice in one answer.
  const taken = new Set<string>();
  let refills = 0;
  try {
    while (got.length < s.max) {
      if (Date.now() - pool.at > POOL_TTL_MS) pool.entries = [];
      const batch: IndexEntry[] = [];
      const ownAgain: IndexEntry[] = [];
      while (batch.length < s.max - got.length && pool.entries.length > 0) {
        const e = pool.entries.shift()!;
        if (taken.has(e.ref)) ownAgain.push(e);
        else if (!mine.has(e.ref)) {
          mine.add(e.ref);
          batch.push(e);
        }
      }
      // Left for the next receive, which may deliver it again.
      if (ownAgain.length > 0) pool.entries.unshift(...ownAgain);
      if (batch.length === 0) {
        if (ownAgain.length > 0 || refills++ >= MAX_REFILLS) break;
        // Nothing due (beyond what is being claimed): done. A refill that found entries the
        // receives sharing it took before this one ran is worth another.
        if ((await refillPool(svc, q, pool, mine, s.max, signal)) === 0) break;
        continue;
      }
      try {
        const results = await claimStandard(svc, q, batch, s, signal);
        for (const r of results) {
          if ("claimed" in r) {
            got.push({ rec: r.claimed, partition: 0 });
            taken.add(r.claimed.id);
          } else if ("moved" in r) moved = true;
        }
      } finally {
        for (const e of batch) mine.delete(e.ref);
      }
    }
  } finally {
    releaseClaiming(q.id, mine);
    if (pool.entries.length === 0 && !pool.refill && pools.get(q.id) === pool) pools.delete(q.id);
  }
  return { got, moved };
}

/** Deliver up to `want` messages of one group, in order, starting at its head. */
async function claimGroup(svc: SqsService, q: QueueRecord, e: IndexEntry, want: number, s: ReceiveSettings, signal: AbortSignal): Promise<{ got: MessageRecord[]; moved: boolean }> {
  const group = e.ref;
  const p = e.partition;
  return svc.store.transact(
    async (txn) => {
      const now = Date.now();
      const got: MessageRecord[] = [];
      let moved = false;
      const state = await readGroupState(txn, q, p, group);
      if (!state || state.headAt !== e.atMs || e.atMs > now) return { got, moved };
      const order = await txn.scan({ ...groupRange(q.id, p, group), limit: want + 10 });
      for (const kv of order.kvs) {
        if (got.length >= want) break;
        const raw = await txn.get(messageKey(q.id, p, decodeJson<string>(kv.value)));
        if (!raw) {
          txn.delete(kv.key);
          continue;
        }
        const rec = decodeJson<MessageRecord>(raw);
        if (rec.vis > now) break;
        const result = await settle(txn, q, p, rec, s, now);
        if (result === "expired" || result === "moved") {
          removeFromGroup(txn, q, p, rec, state);
          if (result === "moved") moved = true;
          continue;
        }
        got.push(result);
      }
      await refreshHead(txn, q, p, group, state);
      return { got, moved };
    },
    { signal, family: "sqs.receive" },
  );
}

/**
 * FIFO receive: collect due group heads from every partition in parallel, visit them in
 * random order (so concurrent receivers spread over groups rather than queue up behind the
 * same head), and take as many messages as possible from each group in turn: a group's
 * messages come in order, and a batch from one group keeps the others free for other
 * receivers. Groups another receive of this process is claiming are skipped.
 */
async function receiveFifo(svc: SqsService, q: QueueRecord, s: ReceiveSettings, signal: AbortSignal): Promise<{ got: Claimed[]; moved: boolean }> {
  const now = Date.now();
  const perPartition = await Promise.all(Array.from({ length: q.partitions }, (_, p) => dueEntries(svc, q, p, ["h"], now, s.max, signal)));
  const heads = perPartition.flat();
  for (let i = heads.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [heads[i], heads[j]] = [heads[j]!, heads[i]!];
  }
  const got: Claimed[] = [];
  let moved = false;
  const mine = claimingSet(q.id);
  try {
    for (const h of heads) {
      if (got.length >= s.max) break;
      const tag = `${h.partition}\u0000${h.ref}`;
      if (mine.has(tag)) continue;
      mine.add(tag);
      try {
        const r = await claimGroup(svc, q, h, s.max - got.length, s, signal);
        for (const rec of r.got) got.push({ rec, partition: h.partition });
        moved ||= r.moved;
        svc.metrics.partitionOps(q, h.partition, "receive", r.got.length);
      } finally {
        mine.delete(tag);
      }
    }
  } finally {
    releaseClaiming(q.id, mine);
  }
  return { got, moved };
}

/** When the next index entry of this queue falls due (for the long-poll timer). */
async function nextDueAt(svc: SqsService, q: QueueRecord, now: number, signal: AbortSignal): Promise<number | undefined> {
  const kinds: ("a" | "d" | "h")[] = q.fifo ? ["h"] : ["a", "d"];
  const probes: Promise<number | undefined>[] = [];
  for (let p = 0; p < q.partitions; p++) {
    for (const k of kinds) {
      probes.push(
        svc.store.scan({ ...indexFutureRange(q.id, p, k, now), limit: 1, keysOnly: true, signal }).then((page) => {
          const e = page.kvs[0] && decodeIndexKey(page.kvs[0].key);
          return e ? e.atMs : undefined;
        }),
      );
    }
  }
  const times = (await Promise.all(probes)).filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
}

function wantsAttribute(names: Set<string>, n: string): boolean {
  return names.has("All") || names.has(n);
}

/**
 * MessageAttributeNames entries that select every attribute. "*" does too, and a prefix
 * pattern "Hel.*" selects "Hello" as well as "Help.Me": what ".*" follows is a plain
 * prefix (LocalStack's snapshot recorded against AWS, prefix_filter / all_wildcard_asterisk).
 */
const matchesAll = (pattern: string): boolean => pattern === "All" || pattern === ".*" || pattern === "*";

/** Whether a MessageAttributeNames entry can match some name a message may carry. */
function canMatchSomeName(pattern: string): boolean {
  if (matchesAll(pattern)) return true;
  // "Prefix.*" matches the names that start with "Prefix": try one of them.
  return isUserAttributeName(pattern.endsWith(".*") ? `${pattern.slice(0, -2)}x` : pattern);
}

/**
 * The message attributes a receive asked for. When none match, AWS answers an empty map
 * if the names could match some attribute, and leaves the member out if none could
 * ("AWS.", "..foo"): LocalStack's snapshot recorded against AWS.
 */
function selectMessageAttributes(rec: MessageRecord, patterns: string[]): Record<string, MessageAttributeValue> | undefined {
  if (!rec.attrs || patterns.length === 0) return undefined;
  const out = dict<MessageAttributeValue>();
  for (const [name, v] of Object.entries(rec.attrs)) {
    const hit = patterns.some((p) => matchesAll(p) || p === name || (p.endsWith(".*") && name.startsWith(p.slice(0, -2))));
    if (hit) out[name] = v;
  }
  return Object.keys(out).length > 0 || patterns.some(canMatchSomeName) ? out : undefined;
}

function formatMessage(svc: SqsService, q: QueueRecord, c: Claimed, sysNames: Set<string>, attrPatterns: string[]): Output {
  const { rec } = c;
  const msg: Output = {
    MessageId: rec.id,
    ReceiptHandle: encodeReceiptHandle({ qid: q.id, partition: c.partition, messageId: rec.id, nonce: rec.nonce! }),
    MD5OfBody: rec.md5Body,
    Body: rec.body,
  };
  // Most receives ask for no system attributes: skip building them (it was the largest
  // cost of formatting a message).
  if (sysNames.size > 0) {
    const attrs = systemAttributes(q, rec, sysNames);
    if (attrs) msg.Attributes = attrs;
  }
  if (rec.attrs && attrPatterns.length > 0) {
    const selected = selectMessageAttributes(rec, attrPatterns);
    if (selected) {
      if (Object.keys(selected).length > 0) msg.MD5OfMessageAttributes = md5OfAttributes(selected);
      msg.MessageAttributes = selected;
    }
  }
  return msg;
}

function systemAttributes(q: QueueRecord, rec: MessageRecord, sysNames: Set<string>): Record<string, string> | undefined {
  const values: Record<string, string | undefined> = {
    SenderId: rec.senderId,
    SentTimestamp: String(rec.sent),
    ApproximateReceiveCount: String(rec.recvCount),
    ApproximateFirstReceiveTimestamp: rec.firstRecv !== undefined ? String(rec.firstRecv) : undefined,
    SequenceNumber: rec.seq,
    MessageDeduplicationId: q.fifo ? rec.dedupId : undefined,
    MessageGroupId: rec.group,
    AWSTraceHeader: rec.sys?.AWSTraceHeader?.StringValue,
    DeadLetterQueueSourceArn: rec.dlqSource,
  };
  const attrs = dict<string>();
  let any = false;
  for (const n of SYSTEM_ATTRIBUTES) {
    const v = values[n];
    if (v !== undefined && wantsAttribute(sysNames, n)) {
      attrs[n] = v;
      any = true;
    }
  }
  return any ? attrs : undefined;
}

/**
 * An answer with no messages. AWS's JSON answer lists none rather than leaving the member
 * out (LocalStack's snapshot recorded against AWS); the Query XML is the same either way.
 */
const noMessages = (): Output => ({ Messages: [] });

export async function receiveMessage(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  let q = await svc.requireQueue(input, op);
  const max = optInt(input, "MaxNumberOfMessages", { min: 1, max: 10, reason: "Must be between 1 and 10, if provided." }) ?? 1;
  const vt = optInt(input, "VisibilityTimeout", { min: 0, max: 43_200, reason: "Must be >= 0 and <= 43200, if provided." });
  const wait = optInt(input, "WaitTimeSeconds", { min: 0, max: 20, reason: "Must be >= 0 and <= 20, if provided." });
  const sysNames = new Set([...(optStringList(input, "AttributeNames") ?? []), ...(optStringList(input, "MessageSystemAttributeNames") ?? [])]);
  // The model types the deprecated AttributeNames as QueueAttributeName and documents
  // SqsManagedSseEnabled for both lists: queue attribute names are accepted in either and
  // select nothing (systemAttributes only looks up message system attributes).
  for (const n of sysNames) {
    if (n !== "All" && !(SYSTEM_ATTRIBUTES as readonly string[]).includes(n) && !isKnownAttribute(n)) throw invalidAttributeName(n);
  }
  const attrPatterns = optStringList(input, "MessageAttributeNames") ?? [];
  const attemptId = optString(input, "ReceiveRequestAttemptId");
  if (attemptId !== undefined && (attemptId.length > 128 || !/^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]*$/.test(attemptId))) {
    throw invalidParameterValue(`Value ${attemptId} for parameter ReceiveRequestAttemptId is invalid.`);
  }
  const waitMs = (wait ?? Number(q.attrs.ReceiveMessageWaitTimeSeconds ?? 0)) * 1000;
  const deadline = Date.now() + waitMs;

  let settings = await settingsFor(svc, q, max, vt, op.signal);
  if (q.fifo && attemptId) {
    const replay = await replayAttempt(svc, q, attemptId, op.signal);
    if (replay) return { Messages: replay.map((c) => formatMessage(svc, q, c, sysNames, attrPatterns)) };
  }
  for (;;) {
    const seen = svc.hub.current;
    const { got } = q.fifo ? await receiveFifo(svc, q, settings, op.signal) : await receiveStandard(svc, q, settings, op.signal);
    if (got.length > 0) {
      if (!q.fifo) svc.metrics.partitionOps(q, 0, "receive", got.length);
      // A full batch suggests more is waiting: hand the wake-up on to the next receiver.
      if (got.length === max && svc.hub.hasWaiters(q.id)) svc.hub.notify(q.id, 1);
      if (q.fifo && attemptId) await recordAttempt(svc, q, attemptId, got, op.signal);
      return { Messages: got.map((c) => formatMessage(svc, q, c, sysNames, attrPatterns)) };
    }
    const now = Date.now();
    if (now >= deadline || op.signal.aborted) return noMessages();
    const due = await nextDueAt(svc, q, now, op.signal);
    await svc.hub.wait(q.id, deadline, op.signal, seen, due);
    if (op.signal.aborted || svc.hub.stopped) return noMessages();
    // A purge or redrive change while we waited takes effect on the next attempt.
    const fresh = await svc.getQueue(q.name, op.signal);
    if (!fresh) return noMessages();
    if (fresh.id !== q.id || fresh.modified !== q.modified) {
      q = fresh;
      settings = await settingsFor(svc, q, max, vt, op.signal);
    }
  }
}

async function settingsFor(svc: SqsService, q: QueueRecord, max: number, vt: number | undefined, signal: AbortSignal): Promise<ReceiveSettings> {
  const s: ReceiveSettings = {
    max,
    visibilityMs: (vt ?? Number(q.attrs.VisibilityTimeout ?? 30)) * 1000,
    retentionMs: retentionMs(q.attrs),
    sourceArn: svc.queueArn(q.name),
  };
  if (q.attrs.RedrivePolicy) {
    const rp = parseRedrivePolicy(q.attrs.RedrivePolicy);
    const target = await svc.queueByArn(rp.deadLetterTargetArn, signal);
    if (target) s.redrive = { target, maxReceiveCount: rp.maxReceiveCount };
  }
  return s;
}

const ATTEMPT_WINDOW_MS = 5 * 60_000;

interface AttemptRecord {
  expires: number;
  messages: { p: number; id: string; nonce: string }[];
}

/** Remember what a FIFO receive attempt delivered, so a retry gets the same batch. */
async function recordAttempt(svc: SqsService, q: QueueRecord, attemptId: string, got: Claimed[], signal: AbortSignal): Promise<void> {
  const rec: AttemptRecord = {
    expires: Date.now() + ATTEMPT_WINDOW_MS,
    messages: got.map((c) => ({ p: c.partition, id: c.rec.id, nonce: c.rec.nonce! })),
  };
  await svc.store.transact(async (txn) => txn.put(attemptKey(q.id, attemptId), encodeJson(rec)), { signal, family: "sqs.receive" });
}

/**
 * A retried ReceiveRequestAttemptId answers the same messages and receipt handles while
 * they are still in flight from that attempt; otherwise the receive proceeds normally.
 */
async function replayAttempt(svc: SqsService, q: QueueRecord, attemptId: string, signal: AbortSignal): Promise<Claimed[] | undefined> {
  const kv = await svc.store.get(attemptKey(q.id, attemptId), { signal });
  if (!kv) return undefined;
  const a = decodeJson<AttemptRecord>(kv.value);
  const now = Date.now();
  if (a.expires <= now) return undefined;
  const out: Claimed[] = [];
  for (const m of a.messages) {
    const raw = await svc.store.get(messageKey(q.id, m.p, m.id), { signal });
    if (!raw) continue;
    const rec = decodeJson<MessageRecord>(raw.value);
    if (rec.nonce === m.nonce && rec.vis > now) out.push({ rec, partition: m.p });
  }
  return out.length > 0 ? out : undefined;
}
