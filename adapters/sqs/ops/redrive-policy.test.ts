import { describe, expect, it } from "vitest";
import type { AwsError } from "../../aws/errors.ts";
import { parseRedrivePolicy } from "./redrive-policy.ts";

const message = (value: string): string => {
  try {
    parseRedrivePolicy(value);
  } catch (e) {
    return (e as AwsError).message;
  }
  return "ok";
};

describe("RedrivePolicy", () => {
  it("refuses a deadLetterTargetArn that is no SQS ARN before any lookup, in AWS's words", () => {
    // LocalStack's snapshot recorded against AWS (test_invalid_dead_letter_arn_rejected_before_lookup).
    const value = '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}';
    expect(message(value)).toBe(`Value ${value} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.`);
    expect(message('{"deadLetterTargetArn": "arn:aws:sns:us-east-1:000000000000:t", "maxReceiveCount": 1}')).toContain("Invalid value for deadLetterTargetArn.");
  });

  it("takes any SQS queue ARN and maxReceiveCount as a number or a string", () => {
    expect(parseRedrivePolicy('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"5"}')).toEqual({
      deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:dlq",
      maxReceiveCount: 5,
    });
    expect(message('{"deadLetterTargetArn":"arn:aws-cn:sqs:cn-north-1:111122223333:q.fifo","maxReceiveCount":1}')).toBe("ok");
  });
});
