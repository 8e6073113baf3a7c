import { describe, expect, it } from "vitest";
import { RequestMetrics } from "./metrics.ts";

async function sample(m: RequestMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const want = Object.entries(labels);
  const hit = (metric?.values ?? []).find((v) => want.every(([k, val]) => String((v.labels as Record<string, unknown>)[k]) === val));
  return hit?.value;
}

describe("RequestMetrics", () => {
  it("counts requests by service, declared operation and status, across scrapes without double counting", async () => {
    const m = new RequestMetrics();
    m.declare("sqs", ["SendMessage"]);
    for (let i = 0; i < 3; i++) {
      m.begin("sqs");
      m.end("sqs", "SendMessage", 200, 0.001);
    }
    m.begin("sqs");
    m.end("sqs", "Bogus", 400, 0.001);
    expect(await sample(m, "gateway_requests_total", { service: "sqs", operation: "SendMessage", status: "200" })).toBe(3);
    expect(await sample(m, "gateway_requests_total", { service: "sqs", operation: "unknown", status: "400" })).toBe(1);
    m.begin("sqs");
    m.end("sqs", "SendMessage", 200, 0.001);
    expect(await sample(m, "gateway_requests_total", { service: "sqs", operation: "SendMessage", status: "200" })).toBe(4);
    expect(await sample(m, "gateway_request_duration_seconds", { service: "sqs", operation: "SendMessage", le: "0.001" })).toBe(4);
  });

  it("reports requests in flight as they begin and end", async () => {
    const m = new RequestMetrics();
    m.begin("s3");
    m.begin("s3");
    m.begin("dynamodb");
    expect(await sample(m, "gateway_requests_in_flight", { service: "s3" })).toBe(2);
    m.end("s3", undefined, 200, 0.01);
    m.end("s3", undefined, 200, 0.01);
    m.end("dynamodb", undefined, 200, 0.01);
    expect(await sample(m, "gateway_requests_in_flight", { service: "s3" })).toBe(0);
    expect(await sample(m, "gateway_requests_in_flight", { service: "dynamodb" })).toBe(0);
  });
});
