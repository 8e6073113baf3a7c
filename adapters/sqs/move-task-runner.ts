// Runs message move tasks. Each second, for every RUNNING task, the process that holds the
// task's lease moves up to MaxNumberOfMessagesPerSecond visible messages, each in its own
// transaction (delete from the source, append to the destination). The task record
// carries the lease and progress, so another process (or this one after a restart)
// picks the task up where it stopped.

import { insertMoved } from "./dead-letter.ts";
import { readGroupState, refreshHead, removeFromGroup } from "./fifo-groups.ts";
import {
  allMoveTasksRange,
  decodeIndexKey,
  decodeJson,
  encodeJson,
  groupRange,
  indexDueRange,
  indexKey,
  messageKey,
  moveTaskKey,
  type MessageRecord,
  type QueueRecord,
} from "./keyspace.ts";
import { PROCESS_ID } from "./lease.ts";
import type { MoveTaskRecord } from "./move-task-record.ts";
import type { SqsService } from "./service.ts";
import { Periodic } from "./periodic.ts";

const TICK_MS = 1000;
const LEASE_MS = 5000;
export const DEFAULT_MOVE_RATE = 100;

export class MoveTaskRunner {
  private readonly loop: Periodic;

  constructor(private readonly svc: SqsService) {
    this.loop = new Periodic("sqs move task pass failed", () => TICK_MS, (signal) => this.runOnce(signal), svc.logger);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  async runOnce(signal = this.loop.signal): Promise<void> {
    const page = await this.svc.store.scan({ ...allMoveTasksRange(), signal, consistency: "serializable" });
    for (const kv of page.kvs) {
      const t = decodeJson<MoveTaskRecord>(kv.value);
      if (t.status !== "RUNNING") continue;
      if (t.owner && t.owner !== PROCESS_ID && (t.leaseUntil ?? 0) > Date.now()) continue;
      const mine = await this.update(t, signal, (cur) => {
        if (cur.status !== "RUNNING") return false;
        if (cur.owner && cur.owner !== PROCESS_ID && (cur.leaseUntil ?? 0) > Date.now()) return false;
        cur.owner = PROCESS_ID;
        cur.leaseUntil = Date.now() + LEASE_MS;
        return true;
      });
      if (mine) await this.step(t, signal);
    }
  }

  /** Read-modify-write of the task; `mutate` returns false to leave it unchanged. */
  private update(t: MoveTaskRecord, signal: AbortSignal, mutate: (cur: MoveTaskRecord) => boolean): Promise<boolean> {
    return this.svc.store.transact(
      async (txn) => {
        const key = moveTaskKey(t.sourceArn, t.taskId);
        const raw = await txn.get(key);
        if (!raw) return false;
        const cur = decodeJson<MoveTaskRecord>(raw);
        if (!mutate(cur)) return false;
        txn.put(key, encodeJson(cur));
        return true;
      },
      { signal, family: "sqs.movetask" },
    );
  }

  private async step(t: MoveTaskRecord, signal: AbortSignal): Promise<void> {
    const source = await this.svc.queueByArn(t.sourceArn, signal);
    if (!source) {
      await this.finish(t, "FAILED", signal, "AWS.SimpleQueueService.NonExistentQueue");
      return;
    }
    let fixedDest: QueueRecord | undefined;
    if (t.destinationArn) {
      fixedDest = await this.svc.queueByArn(t.destinationArn, signal);
      if (!fixedDest) {
        await this.finish(t, "FAILED", signal, "AWS.SimpleQueueService.NonExistentQueue");
        return;
      }
    }
    const budget = t.rate ?? DEFAULT_MOVE_RATE;
    let moved = 0;
    let exhausted = false;
    while (moved < budget && !signal.aborted) {
      const n = await this.moveSome(t, source, fixedDest, Math.min(10, budget - moved), signal);
      if (n === 0) {
        exhausted = true;
        break;
      }
      moved += n;
    }
    // Each move counted itself in the task record (moveOne), so a crash between the moves
    // and this update loses no count.
    const stillRunning = await this.update(t, signal, (cur) => {
      if (cur.status !== "RUNNING") return false;
      if (exhausted) {
        cur.status = "COMPLETED";
        cur.owner = undefined;
        cur.leaseUntil = undefined;
      }
      return true;
    });
    if (!stillRunning) return;
  }

  private finish(t: MoveTaskRecord, status: "FAILED" | "COMPLETED", signal: AbortSignal, reason?: string): Promise<boolean> {
    return this.update(t, signal, (cur) => {
      if (cur.status !== "RUNNING") return false;
      cur.status = status;
      if (reason) cur.failureReason = reason;
      return true;
    });
  }

  /** Move up to `n` visible messages; returns how many moved (0: none visible). */
  private async moveSome(t: MoveTaskRecord, source: QueueRecord, fixedDest: QueueRecord | undefined, n: number, signal: AbortSignal): Promise<number> {
    let moved = 0;
    for (let p = 0; p < source.partitions && moved < n; p++) {
      const kinds = source.fifo ? (["h"] as const) : (["a", "d"] as const);
      for (const kind of kinds) {
        const page = await this.svc.store.scan({ ...indexDueRange(source.id, p, kind, Date.now()), limit: n - moved, keysOnly: true, signal });
        for (const kv of page.kvs) {
          const e = decodeIndexKey(kv.key);
          if (!e) continue;
          if (await this.moveOne(t, source, p, e.kind === "h" ? { group: e.ref } : { id: e.ref }, fixedDest, signal)) moved++;
          if (moved >= n) break;
        }
      }
    }
    return moved;
  }

  /**
   * Move one message and count it in the task record, in one transaction: the count is
   * exact across a crash, and nothing moves once the task is no longer RUNNING.
   */
  private async moveOne(t: MoveTaskRecord, source: QueueRecord, p: number, which: { id: string } | { group: string }, fixedDest: QueueRecord | undefined, signal: AbortSignal): Promise<boolean> {
    let dest = fixedDest;
    const taskKey = moveTaskKey(t.sourceArn, t.taskId);
    return this.svc.store.transact(
      async (txn) => {
        const now = Date.now();
        const rawTask = await txn.get(taskKey);
        if (!rawTask) return false;
        const task = decodeJson<MoveTaskRecord>(rawTask);
        if (task.status !== "RUNNING") return false;
        let id: string;
        if ("group" in which) {
          const first = await txn.scan({ ...groupRange(source.id, p, which.group), limit: 1 });
          if (!first.kvs[0]) return false;
          id = decodeJson<string>(first.kvs[0].value);
        } else {
          id = which.id;
        }
        const raw = await txn.get(messageKey(source.id, p, id));
        if (!raw) return false;
        const rec = decodeJson<MessageRecord>(raw);
        if (rec.vis > now) return false;
        if (!dest) {
          dest = rec.dlqSource ? await this.svc.queueByArn(rec.dlqSource, signal) : undefined;
          if (!dest) return false;
        }
        if (source.fifo) {
          const state = await readGroupState(txn, source, p, rec.group!);
          if (!state) return false;
          removeFromGroup(txn, source, p, rec, state);
          await refreshHead(txn, source, p, rec.group!, state);
        } else {
          txn.delete(messageKey(source.id, p, rec.id));
          txn.delete(indexKey(source.id, p, rec.kind, rec.vis, rec.id));
        }
        await insertMoved(txn, dest, rec, now, undefined);
        task.moved += 1;
        txn.put(taskKey, encodeJson(task));
        return true;
      },
      { signal, family: "sqs.movetask" },
    );
  }
}
