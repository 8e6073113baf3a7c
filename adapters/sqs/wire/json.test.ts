import { describe, expect, it } from "vitest";
import { invalidParameterValue, missingParameter, queueDoesNotExist } from "../errors.ts";
import { jsonError } from "./json.ts";

const answer = async (res: Response) => ({ type: ((await res.json()) as { __type: string }).__type, header: res.headers.get("x-amzn-query-error") });

describe("JSON errors", () => {
  it("names codes without a model shape as AWS does, keeping the legacy code in x-amzn-query-error", async () => {
    expect(await answer(jsonError(invalidParameterValue("bad")))).toEqual({
      type: "com.amazonaws.sqs#InvalidParameterValueException",
      header: "InvalidParameterValue;Sender",
    });
    expect(await answer(jsonError(missingParameter("MessageBody")))).toEqual({
      type: "com.amazonaws.sqs#MissingRequiredParameterException",
      header: "MissingParameter;Sender",
    });
    expect(await answer(jsonError(queueDoesNotExist()))).toEqual({
      type: "com.amazonaws.sqs#QueueDoesNotExist",
      header: "AWS.SimpleQueueService.NonExistentQueue;Sender",
    });
  });

  it("keeps status and message", async () => {
    const res = jsonError(invalidParameterValue("The request must contain the parameter MessageGroupId."));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe("The request must contain the parameter MessageGroupId.");
  });
});
