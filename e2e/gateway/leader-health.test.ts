// /healthz/leader as a load balancer sees it, against a real 3-member etcd cluster:
// a stalled store answers 503 in time and abandoned probes leave no work behind; the
// leader's death is ridden out within the bound; losing quorum answers 503.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEtcdCluster, type EtcdCluster } from "../../kvclient/testing/etcd-cluster.ts";
import { startGateway, type GatewayProcess } from "../harness/gateway.ts";

async function probe(endpoint: string, timeoutMs?: number): Promise<{ status: number | "aborted"; ms: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${endpoint}/healthz/leader`, { signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t0 };
  } catch {
    return { status: "aborted", ms: performance.now() - t0 };
  }
}

async function leaderChecksInFlight(endpoint: string): Promise<number> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  const m = /^kv_leader_checks_in_flight\{backend="etcd"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

async function until(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe("/healthz/leader on etcd", () => {
  let cluster: EtcdCluster;
  let gw: GatewayProcess;
  beforeAll(async () => {
    cluster = await startEtcdCluster();
    gw = await startGateway({ backend: "etcd", etcdEndpoints: cluster.endpoints });
  });
  afterAll(async () => {
    await gw?.stop();
    await cluster?.close();
  });

  it("stalled store: 200 probes with 1 s timeouts end at ~1 s, an unbounded probe gets 503 within 5.5 s, nothing stays in flight", async () => {
    expect((await probe(gw.endpoint)).status).toBe(200);
    for (const m of cluster.members) cluster.pause(m);
    try {
      const probes = await Promise.all(Array.from({ length: 200 }, () => probe(gw.endpoint, 1_000)));
      for (const p of probes) {
        expect(p.status).toBe("aborted");
        expect(p.ms).toBeGreaterThan(900);
        expect(p.ms).toBeLessThan(2_500);
      }
      const unbounded = await probe(gw.endpoint);
      expect(unbounded.status).toBe(503);
      expect(unbounded.ms).toBeLessThan(5_500);
      // The shared check ends by its own 5 s bound: nothing piles up behind abandoned probes.
      expect(await until(async () => (await leaderChecksInFlight(gw.endpoint)) === 0, 6_000)).toBe(true);
    } finally {
      for (const m of cluster.members) cluster.resume(m);
    }
    await cluster.waitForLeader(15_000);
    expect(await until(async () => (await probe(gw.endpoint, 5_500)).status === 200, 15_000)).toBe(true);
  });

  it("leader killed: answers within the bound throughout, then 200 again", async () => {
    const leader = await cluster.leader();
    await cluster.kill(leader, "SIGKILL");
    const deadline = Date.now() + 20_000;
    let recovered = false;
    while (Date.now() < deadline) {
      const p = await probe(gw.endpoint);
      expect(p.ms).toBeLessThan(5_500);
      if (p.status === 200) {
        recovered = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).toBe(true);
    await cluster.restart(leader);
    await cluster.waitForLeader(15_000);
  });

  it("2 of 3 members stopped: 503 within 5.5 s", async () => {
    expect(await until(async () => (await probe(gw.endpoint, 5_500)).status === 200, 15_000)).toBe(true);
    const [a, b] = cluster.members;
    await cluster.stop(a!);
    await cluster.stop(b!);
    try {
      const p = await probe(gw.endpoint);
      expect(p.status).toBe(503);
      expect(p.ms).toBeLessThan(5_500);
    } finally {
      await cluster.restart(a!);
      await cluster.restart(b!);
    }
  });
});
