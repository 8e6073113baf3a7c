import { describe, expect, it } from "vitest";
import { AwsError } from "../aws/errors.ts";
import { defaultAttributes, normalizeAttribute } from "./attributes.ts";

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as AwsError).code;
  }
  return "ok";
};

describe("queue attributes", () => {
  it("applies AWS's ranges at both ends", () => {
    const cases: [string, string, string][] = [
      ["DelaySeconds", "0", "ok"], ["DelaySeconds", "900", "ok"], ["DelaySeconds", "901", "InvalidAttributeValue"],
      ["MaximumMessageSize", "1023", "InvalidAttributeValue"], ["MaximumMessageSize", "1024", "ok"], ["MaximumMessageSize", "1048576", "ok"], ["MaximumMessageSize", "1048577", "InvalidAttributeValue"],
      ["MessageRetentionPeriod", "59", "InvalidAttributeValue"], ["MessageRetentionPeriod", "60", "ok"], ["MessageRetentionPeriod", "1209600", "ok"], ["MessageRetentionPeriod", "1209601", "InvalidAttributeValue"],
      ["ReceiveMessageWaitTimeSeconds", "20", "ok"], ["ReceiveMessageWaitTimeSeconds", "21", "InvalidAttributeValue"],
      ["VisibilityTimeout", "43200", "ok"], ["VisibilityTimeout", "43201", "InvalidAttributeValue"], ["VisibilityTimeout", "abc", "InvalidAttributeValue"],
      ["KmsDataKeyReusePeriodSeconds", "59", "InvalidAttributeValue"], ["KmsDataKeyReusePeriodSeconds", "86400", "ok"],
      ["SqsManagedSseEnabled", "TRUE", "ok"], ["SqsManagedSseEnabled", "yes", "InvalidAttributeValue"],
      ["Policy", "{}", "ok"], ["Policy", "[]", "InvalidAttributeValue"],
      ["QueueArn", "x", "InvalidAttributeName"], ["ApproximateNumberOfMessages", "1", "InvalidAttributeName"], ["Nope", "1", "InvalidAttributeName"],
    ];
    for (const [name, value, want] of cases) expect(`${name}=${value}: ${code(() => normalizeAttribute(name, value, false, true))}`).toBe(`${name}=${value}: ${want}`);
  });

  it("keeps FIFO attributes to FIFO queues, and FifoQueue fixed after creation", () => {
    expect(code(() => normalizeAttribute("ContentBasedDeduplication", "true", false, true))).toBe("InvalidAttributeName");
    expect(code(() => normalizeAttribute("ContentBasedDeduplication", "true", true, true))).toBe("ok");
    expect(code(() => normalizeAttribute("DeduplicationScope", "messageGroup", true, false))).toBe("ok");
    expect(code(() => normalizeAttribute("DeduplicationScope", "group", true, false))).toBe("InvalidAttributeValue");
    expect(code(() => normalizeAttribute("FifoThroughputLimit", "perMessageGroupId", true, false))).toBe("ok");
    // AWS: unknown to a standard queue; on a FIFO queue "true" is a no-op and "false" refused.
    expect(code(() => normalizeAttribute("FifoQueue", "true", false, false))).toBe("InvalidAttributeName");
    expect(normalizeAttribute("FifoQueue", "true", true, false)).toBe("true");
    expect(code(() => normalizeAttribute("FifoQueue", "false", true, false))).toBe("InvalidAttributeValue");
    expect(code(() => normalizeAttribute("FifoQueue", "maybe", true, false))).toBe("InvalidAttributeValue");
    expect(code(() => normalizeAttribute("FifoQueue", "false", false, true))).toBe("ok");
  });

  it("defaults: 1 MiB messages, 4 days retention, 30 s visibility", () => {
    expect(defaultAttributes(false)).toEqual({
      DelaySeconds: "0",
      MaximumMessageSize: "1048576",
      MessageRetentionPeriod: "345600",
      ReceiveMessageWaitTimeSeconds: "0",
      VisibilityTimeout: "30",
      SqsManagedSseEnabled: "true",
    });
    expect(defaultAttributes(true)).toMatchObject({ FifoQueue: "true", ContentBasedDeduplication: "false", DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" });
  });
});
