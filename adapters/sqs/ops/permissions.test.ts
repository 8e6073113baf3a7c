// AddPermission's errors and the Policy it writes, and TagQueue/UntagQueue with nothing to
// do, as moto records AWS's answers (test_add_permission_errors, test_tag_queue_errors,
// test_untag_queue_errors).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, startHarness, type Harness } from "../test-support.ts";

let h: Harness;
let url: string;
beforeAll(async () => {
  h = await startHarness({ start: false });
  url = (await h.json("CreateQueue", { QueueName: "perms" })).body.QueueUrl as string;
});
afterAll(async () => {
  await h.close();
});

const add = (label: string, accounts: string[], actions: string[]) =>
  h.json("AddPermission", { QueueUrl: url, Label: label, AWSAccountIds: accounts, Actions: actions });

describe("AddPermission", () => {
  it("writes SQS's default policy statement", async () => {
    expect((await add("one", ["111111111111"], ["*"])).status).toBe(200);
    const attrs = (await h.json("GetQueueAttributes", { QueueUrl: url, AttributeNames: ["Policy"] })).body.Attributes as Record<string, string>;
    const arn = `arn:aws:sqs:us-east-1:${ACCOUNT}:perms`;
    expect(JSON.parse(attrs.Policy!)).toEqual({
      Version: "2012-10-17",
      Id: `${arn}/SQSDefaultPolicy`,
      Statement: [{ Sid: "one", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "SQS:*", Resource: arn }],
    });
  });

  it("answers no actions, no accounts and too many actions as AWS does", async () => {
    const noActions = await add("p", ["111111111111"], []);
    expect(noActions.status).toBe(400);
    expect(noActions.headers.get("x-amzn-query-error")).toBe("MissingParameter;Sender");
    expect(noActions.body.message).toBe("The request must contain the parameter Actions.");

    const noAccounts = await add("p", [], ["ReceiveMessage"]);
    expect(noAccounts.status).toBe(400);
    expect(noAccounts.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    expect(noAccounts.body.message).toBe("Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.");

    const eight = ["ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage"];
    const tooMany = await add("p", ["111111111111"], eight);
    expect(tooMany.status).toBe(403);
    expect(tooMany.headers.get("x-amzn-query-error")).toBe("OverLimit;Sender");
    expect(tooMany.body.message).toBe("8 Actions were found, maximum allowed is 7.");

    const owner = await add("p", ["111111111111"], ["RemovePermission"]);
    expect(owner.body.message).toBe("Value SQS:RemovePermission for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.");
  });
});

describe("TagQueue and UntagQueue with nothing to do", () => {
  it("an empty tag map is a missing Tags; an empty key list breaks the key length rule", async () => {
    const tag = await h.json("TagQueue", { QueueUrl: url, Tags: {} });
    expect(tag.status).toBe(400);
    expect(tag.headers.get("x-amzn-query-error")).toBe("MissingParameter;Sender");
    expect(tag.body.message).toBe("The request must contain the parameter Tags.");
    const untag = await h.json("UntagQueue", { QueueUrl: url, TagKeys: [] });
    expect(untag.status).toBe(400);
    expect(untag.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    expect(untag.body.message).toBe("Tag keys must be between 1 and 128 characters in length.");
    expect((await h.json("UntagQueue", { QueueUrl: url, TagKeys: ["never-set"] })).status).toBe(200);
  });
});
