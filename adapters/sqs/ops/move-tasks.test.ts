// StartMessageMoveTask / CancelMessageMoveTask answers as LocalStack's snapshots recorded
// them against AWS (test_sqs_move_task.snapshot.json). The harness is not started, so no
// task runner moves anything while a test looks at a task.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, startHarness, type Harness } from "../test-support.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ start: false });
});
afterAll(async () => {
  await h.close();
});

const arnOf = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const handleOf = (taskId: string, sourceArn: string) => Buffer.from(JSON.stringify({ taskId, sourceArn })).toString("base64");

/** A dead-letter queue (the target of another queue's redrive policy) and its ARN. */
async function deadLetterQueue(name: string): Promise<string> {
  await h.json("CreateQueue", { QueueName: name });
  const arn = arnOf(name);
  const src = await h.json("CreateQueue", {
    QueueName: `${name}-src`,
    Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 1 }) },
  });
  expect(src.status, JSON.stringify(src.body)).toBe(200);
  return arn;
}

describe("message move tasks", () => {
  it("a handle holds the source ARN and a UUID task id", async () => {
    const arn = await deadLetterQueue("mt-handle");
    const r = await h.json("StartMessageMoveTask", { SourceArn: arn });
    expect(r.status).toBe(200);
    const decoded = JSON.parse(Buffer.from(r.body.TaskHandle as string, "base64").toString("utf8")) as Record<string, string>;
    expect(decoded.sourceArn).toBe(arn);
    expect(decoded.taskId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("a second task on a running source is InvalidParameterValue", async () => {
    const arn = await deadLetterQueue("mt-twice");
    expect((await h.json("StartMessageMoveTask", { SourceArn: arn })).status).toBe(200);
    const again = await h.json("StartMessageMoveTask", { SourceArn: arn });
    expect(again.status).toBe(400);
    expect(again.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    expect(again.body.message).toBe("There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
  });

  it("CancelMessageMoveTask tells a malformed handle, an unknown source and an unknown task apart", async () => {
    const bad = await h.json("CancelMessageMoveTask", { TaskHandle: "foobared" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    expect(bad.body.message).toBe("Value for parameter TaskHandle is invalid.");

    const noSource = await h.json("CancelMessageMoveTask", { TaskHandle: handleOf("10f57157-fc38-4da9-a113-4de7e12d05dd", arnOf("mt-nowhere")) });
    expect(noSource.status).toBe(404);
    expect(noSource.body.__type).toBe("com.amazonaws.sqs#ResourceNotFoundException");
    expect(noSource.body.message).toBe("The resource that you specified for the SourceArn parameter doesn't exist.");

    await h.json("CreateQueue", { QueueName: "mt-plain" });
    const noTask = await h.json("CancelMessageMoveTask", { TaskHandle: handleOf("10f57157-fc38-4da9-a113-4de7e12d05aa", arnOf("mt-plain")) });
    expect(noTask.status).toBe(404);
    expect(noTask.body.__type).toBe("com.amazonaws.sqs#ResourceNotFoundException");
    expect(noTask.body.message).toBe("Task does not exist.");

    const q = await h.query({ Action: "CancelMessageMoveTask", TaskHandle: "foobared" });
    expect(q.status).toBe(400);
    expect(q.text).toContain("<Code>InvalidParameterValue</Code>");
    expect(q.text).toContain("<Message>Value for parameter TaskHandle is invalid.</Message>");
  });

  it("a cancelled task is listed CANCELLED without its handle", async () => {
    const arn = await deadLetterQueue("mt-cancel");
    const { TaskHandle } = (await h.json("StartMessageMoveTask", { SourceArn: arn, MaxNumberOfMessagesPerSecond: 1 })).body;
    const cancel = await h.json("CancelMessageMoveTask", { TaskHandle });
    expect(cancel.body).toEqual({ ApproximateNumberOfMessagesMoved: 0 });
    const [task] = (await h.json("ListMessageMoveTasks", { SourceArn: arn })).body.Results as Record<string, unknown>[];
    expect(task).toMatchObject({ Status: "CANCELLED", SourceArn: arn, MaxNumberOfMessagesPerSecond: 1 });
    expect(task).not.toHaveProperty("TaskHandle");
  });
});
