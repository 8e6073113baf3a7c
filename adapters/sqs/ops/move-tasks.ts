// StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask. The task is a store
// record; MoveTaskRunner (any gateway process, one at a time per task) does the moving, so
// a task survives a gateway restart.

import { invalidParameterValue, resourceNotFound, unsupportedOperation } from "../errors.ts";
import {
  decodeJson,
  encodeJson,
  moveTaskKey,
  moveTasksRange,
  queuesRange,
  type QueueRecord,
} from "../keyspace.ts";
import type { Input, OperationContext, Output } from "../model.ts";
import { optInt, optString, reqString } from "../params.ts";
import type { SqsService } from "../service.ts";
import { decodeTaskHandle, encodeTaskHandle, newTaskId, type MoveTaskRecord } from "../move-task-record.ts";
import { queueCounts } from "./counts.ts";

const SOURCE_NOT_FOUND = "The resource that you specified for the SourceArn parameter doesn't exist.";

async function isDeadLetterQueue(svc: SqsService, arn: string, signal: AbortSignal): Promise<boolean> {
  const page = await svc.store.scan({ ...queuesRange(), signal });
  return page.kvs.some((kv) => {
    const rp = decodeJson<QueueRecord>(kv.value).attrs.RedrivePolicy;
    if (!rp) return false;
    try {
      return (JSON.parse(rp) as { deadLetterTargetArn?: string }).deadLetterTargetArn === arn;
    } catch {
      return false;
    }
  });
}

export async function startMessageMoveTask(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const sourceArn = reqString(input, "SourceArn");
  const destinationArn = optString(input, "DestinationArn");
  const rate = optInt(input, "MaxNumberOfMessagesPerSecond", { min: 1, max: 500, reason: "MaxNumberOfMessagesPerSecond must be between 1 and 500." });
  const source = await svc.queueByArn(sourceArn, op.signal);
  if (!source) throw resourceNotFound(SOURCE_NOT_FOUND);
  if (!(await isDeadLetterQueue(svc, sourceArn, op.signal))) {
    throw invalidParameterValue("Source queue must be configured as a Dead Letter Queue.");
  }
  if (destinationArn !== undefined) {
    const dest = await svc.queueByArn(destinationArn, op.signal);
    if (!dest) throw resourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.");
    if (dest.fifo !== source.fifo) throw invalidParameterValue("The source queue and destination queue must be of the same queue type.");
  }
  const counts = await queueCounts(svc.store, source, Date.now(), op.signal);
  const task: MoveTaskRecord = {
    taskId: newTaskId(),
    sourceArn,
    status: "RUNNING",
    moved: 0,
    toMove: counts.visible + counts.notVisible + counts.delayed,
    started: Date.now(),
  };
  if (destinationArn !== undefined) task.destinationArn = destinationArn;
  if (rate !== undefined) task.rate = rate;
  await svc.store.transact(
    async (txn) => {
      const existing = await txn.scan({ ...moveTasksRange(sourceArn) });
      for (const kv of existing.kvs) {
        const t = decodeJson<MoveTaskRecord>(kv.value);
        if (t.status === "RUNNING" || t.status === "CANCELLING") {
          // InvalidParameterValue, not UnsupportedOperation: LocalStack's snapshot recorded
          // against AWS (test_start_multiple_move_tasks).
          throw invalidParameterValue("There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
        }
      }
      txn.put(moveTaskKey(sourceArn, task.taskId), encodeJson(task));
    },
    { signal: op.signal, family: "sqs.movetask" },
  );
  return { TaskHandle: encodeTaskHandle(task) };
}

export async function listMessageMoveTasks(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const sourceArn = reqString(input, "SourceArn");
  const max = optInt(input, "MaxResults", { min: 1, max: 10, reason: "MaxResults must be between 1 and 10." }) ?? 1;
  const source = await svc.queueByArn(sourceArn, op.signal);
  if (!source) throw resourceNotFound(SOURCE_NOT_FOUND);
  const page = await svc.store.scan({ ...moveTasksRange(sourceArn), signal: op.signal });
  const tasks = page.kvs.map((kv) => decodeJson<MoveTaskRecord>(kv.value)).sort((a, b) => b.started - a.started).slice(0, max);
  return {
    Results: tasks.map((t) => {
      const r: Output = {
        Status: t.status,
        SourceArn: t.sourceArn,
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        StartedTimestamp: t.started,
      };
      if (t.status === "RUNNING") r.TaskHandle = encodeTaskHandle(t);
      if (t.destinationArn) r.DestinationArn = t.destinationArn;
      if (t.rate !== undefined) r.MaxNumberOfMessagesPerSecond = t.rate;
      if (t.failureReason) r.FailureReason = t.failureReason;
      return r;
    }),
  };
}

export async function cancelMessageMoveTask(svc: SqsService, input: Input, op: OperationContext): Promise<Output> {
  const handle = reqString(input, "TaskHandle");
  // AWS's three answers for a handle that names no task (LocalStack's snapshots recorded
  // against AWS: test_cancel_with_invalid_task_handle, ..._invalid_source_arn_in_task_handle,
  // ..._invalid_task_id_in_task_handle): not a handle at all, a source queue that does not
  // exist, a task id the queue never had.
  const h = decodeTaskHandle(handle);
  if (!h) throw invalidParameterValue("Value for parameter TaskHandle is invalid.");
  const source = await svc.queueByArn(h.sourceArn, op.signal);
  if (!source) throw resourceNotFound(SOURCE_NOT_FOUND);
  const moved = await svc.store.transact(
    async (txn) => {
      const raw = await txn.get(moveTaskKey(h.sourceArn, h.taskId));
      if (!raw) throw resourceNotFound("Task does not exist.");
      const t = decodeJson<MoveTaskRecord>(raw);
      if (t.status !== "RUNNING") throw unsupportedOperation("Only active tasks can be cancelled.");
      t.status = "CANCELLED";
      txn.put(moveTaskKey(h.sourceArn, h.taskId), encodeJson(t));
      return t.moved;
    },
    { signal: op.signal, family: "sqs.movetask" },
  );
  return { ApproximateNumberOfMessagesMoved: moved };
}
