import { describe, expect, it } from "vitest";
import { routeRequest } from "./routing.ts";

const auth = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00` });

function route(path: string, headers: Record<string, string> = {}) {
  return routeRequest(new URL(`http://127.0.0.1:4566${path}`), new Headers(headers));
}

describe("edge routing", () => {
  it("routes by credential scope first", () => {
    expect(route("/", { ...auth("dynamodb"), "x-amz-target": "AmazonSQS.ListQueues" }).service).toBe("dynamodb");
    expect(route("/bucket/key", auth("s3"))).toEqual({ service: "s3", protocol: "rest-xml" });
    expect(route("/", auth("sts")).service).toBe("sts");
    expect(route("/", auth("kinesis"))).toMatchObject({ service: "unsupported", scopeService: "kinesis" });
  });

  it("picks the SQS protocol from X-Amz-Target", () => {
    expect(route("/", { ...auth("sqs"), "x-amz-target": "AmazonSQS.SendMessage" }).protocol).toBe("json");
    expect(route("/000000000000/q", auth("sqs")).protocol).toBe("query");
  });

  it("routes presigned requests by their X-Amz-Credential scope", () => {
    const q = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00&X-Amz-SignedHeaders=host&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60";
    expect(route(`/bucket/key${q}`).service).toBe("s3");
  });

  it("falls back to X-Amz-Target, then Action, then S3 for unsigned requests", () => {
    expect(route("/", { "x-amz-target": "DynamoDB_20120810.ListTables" }).service).toBe("dynamodb");
    expect(route("/", { "x-amz-target": "AmazonSQS.ListQueues" }).service).toBe("sqs");
    expect(route("/?Action=ListQueues").service).toBe("sqs");
    expect(route("/?Action=GetCallerIdentity").service).toBe("sts");
    expect(route("/", { "content-type": "application/x-www-form-urlencoded" }).service).toBe("sqs");
    expect(route("/bucket").service).toBe("s3");
  });

  it("pins a per-service listener to its service", () => {
    expect(routeRequest(new URL("http://h/"), new Headers(auth("dynamodb")), "s3").service).toBe("s3");
  });
});
