// The gateway's own overhead: a signed no-op operation (STS GetCallerIdentity: routing,
// full SigV4 verification, metrics, a request log line, no store call) beside a bare Hono
// no-op handler, in the same run. Target: at least 60% of the bare handler at 64 connections.

import type { Section } from "./lib/report.ts";
import { compare, type Workload } from "./lib/compare.ts";
import { signForReplay } from "../e2e/harness/sign.ts";
import { startBareHono, startGatewaySystem, type SystemUnderTest } from "./lib/systems.ts";
import { LOCAL_CREDENTIALS, TEST_REGION } from "../e2e/harness/gateway.ts";
import type { BenchOptions } from "./options.ts";

export async function benchGateway(opts: BenchOptions): Promise<Section[]> {
  const systems: SystemUnderTest[] = [];
  try {
    systems.push(await startBareHono());
    systems.push(await startGatewaySystem("gateway (signed no-op)", { backend: "embedded" }));
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const workload: Workload = {
      name: "signed no-op, 64 connections",
      connections: 64,
      durationSeconds: opts.seconds,
      maxRequests: 5_000_000,
      requests: async (s) => [
        await signForReplay({
          service: "sts",
          region: TEST_REGION,
          credentials: LOCAL_CREDENTIALS,
          endpoint: s.url,
          method: "POST",
          path: "/",
          headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
          body,
        }),
      ],
    };
    const rows = await compare(workload, systems, opts.rounds);
    return [
      {
        title: "Gateway edge path vs bare Hono",
        baseline: "bare Hono no-op",
        rounds: opts.rounds,
        rows,
        notes: ["Target: gateway ≥ 0.60 × bare Hono ops/s at 64 connections.", "The gateway logs one JSON line per request at info level, as it does for users."],
      },
    ];
  } finally {
    for (const s of systems) await s.stop();
  }
}
