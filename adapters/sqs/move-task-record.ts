// The persisted state of a message move task and its opaque handle.

import { randomUUID } from "node:crypto";

export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

export interface MoveTaskRecord {
  taskId: string;
  sourceArn: string;
  /** Absent: each message goes back to the queue it was dead-lettered from. */
  destinationArn?: string;
  /** Absent: the system-chosen rate. */
  rate?: number;
  status: MoveTaskStatus;
  moved: number;
  toMove: number;
  started: number;
  failureReason?: string;
  /** Lease of the process moving messages now. */
  owner?: string;
  leaseUntil?: number;
}

/**
 * AWS's task ids are UUIDs: LocalStack's test validated against AWS
 * (test_basic_move_task_workflow) decodes the handle and parses its taskId as one.
 */
export const newTaskId = () => randomUUID();

/** AWS's handle: base64 of {"taskId":…,"sourceArn":…} (the same LocalStack test decodes it). */
export function encodeTaskHandle(t: { taskId: string; sourceArn: string }): string {
  return Buffer.from(JSON.stringify({ taskId: t.taskId, sourceArn: t.sourceArn }), "utf8").toString("base64");
}

export function decodeTaskHandle(handle: string): { taskId: string; sourceArn: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(handle, "base64").toString("utf8")) as { taskId?: unknown; sourceArn?: unknown };
    if (typeof v.taskId === "string" && typeof v.sourceArn === "string") return { taskId: v.taskId, sourceArn: v.sourceArn };
  } catch {
    // invalid
  }
  return undefined;
}
