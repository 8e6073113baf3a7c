// The action table: every SQS action name maps to one operation. Anything not listed is
// an unknown action; anything listed in NOT_IMPLEMENTED answers UnsupportedOperation.

import type { Input, OperationContext, Output } from "./model.ts";
import type { SqsService } from "./service.ts";
import {
  createQueue,
  deleteQueue,
  getQueueAttributes,
  getQueueUrl,
  listDeadLetterSourceQueues,
  listQueues,
  listQueueTags,
  purgeQueue,
  setQueueAttributes,
  tagQueue,
  untagQueue,
} from "./ops/queues.ts";
import { sendMessage, sendMessageBatch } from "./ops/send.ts";
import { receiveMessage } from "./ops/receive.ts";
import { changeMessageVisibility, changeMessageVisibilityBatch, deleteMessage, deleteMessageBatch } from "./ops/ack.ts";
import { addPermission, removePermission } from "./ops/permissions.ts";
import { cancelMessageMoveTask, listMessageMoveTasks, startMessageMoveTask } from "./ops/move-tasks.ts";

export type Operation = (svc: SqsService, input: Input, op: OperationContext) => Promise<Output>;

export const OPERATIONS: Record<string, Operation> = {
  CreateQueue: createQueue,
  DeleteQueue: deleteQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  PurgeQueue: purgeQueue,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  StartMessageMoveTask: startMessageMoveTask,
  ListMessageMoveTasks: listMessageMoveTasks,
  CancelMessageMoveTask: cancelMessageMoveTask,
  AddPermission: addPermission,
  RemovePermission: removePermission,
};

/** Actions we recognise but do not serve. Empty: all 23 SQS actions are implemented. */
export const NOT_IMPLEMENTED: readonly string[] = [];

export const OPERATION_NAMES: readonly string[] = Object.keys(OPERATIONS);

/**
 * Actions AWS serves only at the service endpoint: sent over Query to a queue URL they are
 * InvalidAction "The action CreateQueue is not valid for this endpoint." (LocalStack's tests
 * validated against AWS: test_get_create_queue_fails, test_get_list_queues_fails). Other
 * actions, GetQueueUrl of any queue included, are served at a queue URL.
 */
export const ENDPOINT_ONLY: ReadonlySet<string> = new Set(["CreateQueue", "ListQueues"]);
