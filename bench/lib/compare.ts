// A/B/A/B comparison: systems take turns under the same load within one run, so drift on
// a shared, noisy machine hits all of them alike; medians summarize the rounds.

import { treeCpuSeconds } from "./cpu.ts";
import { runLoad, type LoadSpec, type ReplayRequest, type SqsReceiveDelete } from "./load.ts";
import type { SystemUnderTest } from "./systems.ts";

export interface Workload {
  name: string;
  connections: number;
  durationSeconds: number;
  maxRequests: number;
  /** Requests for this system (signed for its endpoint). */
  requests(system: SystemUnderTest): Promise<ReplayRequest[]>;
  /** Dynamic SQS receive+delete cycles instead of replayed requests. */
  sqsReceiveDelete?(system: SystemUnderTest): Promise<SqsReceiveDelete>;
  /** Items per request, e.g. 10 for a batch of 10 messages (ops/s is then items/s). */
  itemsPerRequest?: number;
  /** Build the requests anew for every round (each message may be sent only once). */
  freshPerRound?: boolean;
}

export interface Sample {
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPer1000: number;
  mbPerSecond: number;
  failures: number;
}

export interface Row {
  workload: string;
  system: string;
  samples: Sample[];
  median: Sample;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function medianSample(samples: Sample[]): Sample {
  const pick = (k: keyof Sample) => median(samples.map((s) => s[k]));
  return { opsPerSecond: pick("opsPerSecond"), p50Ms: pick("p50Ms"), p99Ms: pick("p99Ms"), cpuMsPer1000: pick("cpuMsPer1000"), mbPerSecond: pick("mbPerSecond"), failures: pick("failures") };
}

export async function compare(workload: Workload, systems: SystemUnderTest[], rounds: number, log: (s: string) => void = console.log): Promise<Row[]> {
  const requests = new Map<SystemUnderTest, ReplayRequest[]>();
  const dynamic = new Map<SystemUnderTest, SqsReceiveDelete>();
  for (const s of systems) {
    requests.set(s, await workload.requests(s));
    if (workload.sqsReceiveDelete) dynamic.set(s, await workload.sqsReceiveDelete(s));
  }
  const samples = new Map<SystemUnderTest, Sample[]>(systems.map((s) => [s, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const s of systems) {
      if (workload.freshPerRound && round > 1) requests.set(s, await workload.requests(s));
      const spec: LoadSpec = { url: s.url, connections: workload.connections, durationSeconds: workload.durationSeconds, maxRequests: workload.maxRequests, requests: requests.get(s)!, sqsReceiveDelete: dynamic.get(s) };
      const cpu0 = treeCpuSeconds(s.pid);
      const r = await runLoad(spec);
      const cpu = treeCpuSeconds(s.pid) - cpu0;
      // Items per request: fixed (a batch of 10), or counted by the worker (messages deleted).
      const items = r.items !== undefined ? r.items / Math.max(1, r.requests) : (workload.itemsPerRequest ?? 1);
      const sample: Sample = {
        opsPerSecond: r.opsPerSecond * items,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        cpuMsPer1000: r.requests > 0 ? (cpu * 1000 * 1000) / (r.requests * items) : NaN,
        mbPerSecond: r.bytesPerSecond / 1e6,
        failures: r.non2xx + r.errors,
      };
      samples.get(s)!.push(sample);
      log(`  ${workload.name} | ${s.name} | round ${round}: ${sample.opsPerSecond.toFixed(0)} ops/s, p50 ${sample.p50Ms} ms, p99 ${sample.p99Ms} ms, CPU ${sample.cpuMsPer1000.toFixed(1)} ms/1k ops${sample.failures ? `, ${sample.failures} FAILED` : ""}`);
    }
  }
  return systems.map((s) => ({ workload: workload.name, system: s.name, samples: samples.get(s)!, median: medianSample(samples.get(s)!) }));
}
