// Runs one autocannon load in its own process, so the load generator never shares an
// event loop with the system under test, and prints the result as one JSON line.
// Input (argv[2]): JSON LoadSpec.

import autocannon from "autocannon";
import type { LoadSpec, LoadResult } from "./load.ts";

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSeconds,
  amount: spec.maxRequests,
  pipelining: 1,
  timeout: 30,
  requests: spec.requests.map((r) => ({ method: r.method as "GET", path: r.path, headers: r.headers, body: r.body === undefined ? undefined : Buffer.from(r.body, "base64") })),
}, (err: Error | null, r: autocannon.Result) => {
  if (err) throw err;
  const result: LoadResult = {
    requests: r.requests.total,
    seconds: r.duration,
    opsPerSecond: r.requests.total / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    bytesPerSecond: r.throughput.total / r.duration,
  };
  process.stdout.write(JSON.stringify(result) + "\n");
});
