// The persisted state of a message move task and its opaque handle.

import { randomBytes } from "node:crypto";

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

export const newTaskId = () => randomBytes(12).toString("hex");

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
