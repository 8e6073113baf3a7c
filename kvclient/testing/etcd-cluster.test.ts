// The cluster harness itself: every e2e suite relies on it starting, failing over and,
// above all, cleaning up.

import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startEtcdCluster, ETCD_GATEWAY_FLAGS } from "./etcd-cluster.ts";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("startEtcdCluster", () => {
  it("starts a single member, restarts it on the same data, and removes everything on close", async () => {
    const c = await startEtcdCluster({ members: 1 });
    try {
      expect(c.endpoints).toHaveLength(1);
      const leader = await c.leader();
      expect(leader.memberId).not.toBe("");
      const pid = leader.pid;
      await c.restart(leader);
      expect(alive(pid)).toBe(false);
      expect((await c.waitForLeader()).memberId).toBe(leader.memberId);
    } finally {
      await c.close();
    }
    expect(existsSync(c.dir)).toBe(false);
    expect(c.members.every((m) => !m.running)).toBe(true);
  });

  it("closes a 3-member cluster with a paused leader and a dead member promptly", async () => {
    const c = await startEtcdCluster();
    const pids = c.members.map((m) => m.pid);
    const leader = await c.leader();
    const follower = c.members.find((m) => m.name !== leader.name)!;
    await c.kill(follower, "SIGKILL");
    c.pause(leader);
    expect(leader.paused).toBe(true);
    const t0 = performance.now();
    await c.close();
    // SIGTERM grace (1.5 s) then SIGKILL, never etcd's ~10 s lonely-leader shutdown.
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(pids.some(alive)).toBe(false);
    expect(existsSync(c.dir)).toBe(false);
  });

  it("exports the flags it starts members with", () => {
    expect(ETCD_GATEWAY_FLAGS).toContain("--max-txn-ops=1024");
    expect(ETCD_GATEWAY_FLAGS).toContain("--max-request-bytes=10485760");
  });
});
