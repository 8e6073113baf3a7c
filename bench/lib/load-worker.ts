// Runs one autocannon load in its own process, so the load generator never shares an
// event loop with the system under test, and prints the result as one JSON line.
// Input (argv[2]): a file holding the JSON LoadSpec.

import { readFileSync } from "node:fs";
import autocannon from "autocannon";
// @ts-expect-error: an internal module without typings (see the addBody note below).
import PipelinedRequestsQueue from "autocannon/lib/pipelinedRequestsQueue.js";
import aws4 from "aws4";
import type { LoadSpec, LoadResult, SqsReceiveDelete } from "./load.ts";

// autocannon writes Host and Content-Length itself; a second copy of either stalls the
// request. The values it writes are the ones that were signed.
function withoutFraming(headers: Record<string, string>): Record<string, string> {
  const { host: _host, "content-length": _length, ...rest } = headers;
  return rest;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as LoadSpec;
let items = 0;

type Request = autocannon.Request;

/**
 * ReceiveMessage(10) then DeleteMessageBatch of what it returned, per connection. Receipt
 * handles are only known at run time, so these are signed as they go (aws4 signs
 * synchronously, which autocannon's setupRequest requires).
 */
function receiveDelete(d: SqsReceiveDelete): Request[] {
  const url = new URL(spec.url);
  const sign = (target: string, body: string) =>
    aws4.sign(
      { host: url.host, path: "/", method: "POST", service: "sqs", region: d.region, body, headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${target}` } },
      d.credentials,
    ).headers as Record<string, string>;
  return [
    {
      method: "POST",
      path: "/",
      setupRequest: (req: Request) => {
        const body = JSON.stringify({ QueueUrl: d.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 });
        return { ...req, body, headers: withoutFraming(sign("ReceiveMessage", body)) };
      },
      onResponse: (status: number, body: string, ctx: object) => {
        const context = ctx as Record<string, unknown>;
        const messages = status === 200 ? ((JSON.parse(body) as { Messages?: { ReceiptHandle: string }[] }).Messages ?? []) : [];
        context.handles = messages.map((m) => m.ReceiptHandle);
      },
    },
    {
      method: "POST",
      path: "/",
      setupRequest: (req: Request, ctx: object) => {
        const handles = ((ctx as Record<string, unknown>).handles as string[] | undefined) ?? [];
        // Nothing received: restart from the receive (autocannon resets on a falsy return).
        if (handles.length === 0) return undefined as unknown as Request;
        const body = JSON.stringify({ QueueUrl: d.queueUrl, Entries: handles.map((h, i) => ({ Id: String(i), ReceiptHandle: h })) });
        return { ...req, body, headers: withoutFraming(sign("DeleteMessageBatch", body)) };
      },
      onResponse: (status: number, body: string) => {
        if (status === 200) items += ((JSON.parse(body) as { Successful?: unknown[] }).Successful ?? []).length;
      },
    },
  ];
}

/**
 * Replayed requests handed out round-robin across ALL connections. autocannon would
 * otherwise walk the list from the start on every connection, so with N connections the
 * same key is hit N times at once and a per-key workload measures contention instead.
 */
function roundRobin(): Request[] {
  const prepared = spec.requests.map((r) => ({ method: r.method as "GET", path: r.path, headers: withoutFraming(r.headers), body: r.body === undefined ? undefined : Buffer.from(r.body, "base64") }));
  if (prepared.length <= 1) return prepared;
  let next = 0;
  return [{ setupRequest: (req: Request) => ({ ...req, ...prepared[next++ % prepared.length]! }) }];
}

const requests: Request[] = spec.sqsReceiveDelete ? receiveDelete(spec.sqsReceiveDelete) : roundRobin();

// autocannon's throughput counts response bytes only; an upload's MB/s is in its request
// bodies. Requests go out round-robin, so each carries the mean body size.
const meanRequestBodyBytes = spec.sqsReceiveDelete || spec.requests.length === 0 ? 0 : spec.requests.reduce((n, r) => n + (r.body === undefined ? 0 : Buffer.byteLength(r.body, "base64")), 0) / spec.requests.length;

// autocannon appends every response body to a JS string (decoding it as it goes) in case an
// onResponse handler wants it. Only the SQS cycle reads bodies; for everything else that
// work made the load generator the bottleneck: 8 MiB GETs stalled at ~60 MB/s for every
// system while curl fetched the same object at 600+ MB/s. Byte counts are kept separately.
if (!spec.sqsReceiveDelete) PipelinedRequestsQueue.prototype.addBody = () => {};

autocannon(
  { url: spec.url, connections: spec.connections, duration: spec.durationSeconds, maxOverallRequests: spec.maxRequests, pipelining: 1, timeout: 30, requests },
  (err: Error | null, r: autocannon.Result) => {
    if (err) throw err;
    const result: LoadResult = {
      requests: r.requests.total,
      seconds: r.duration,
      opsPerSecond: r.requests.total / r.duration,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      bytesPerSecond: (r.throughput.total + r.requests.total * meanRequestBodyBytes) / r.duration,
      items: spec.sqsReceiveDelete ? items : undefined,
    };
    // Exit at once: a peer that keeps connections open (moto) would otherwise hold the
    // process until the harness kills it.
    process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0));
  },
);
