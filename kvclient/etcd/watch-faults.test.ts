// Watches on etcd when the member a stream is on dies or is cut off from its cluster. The
// writer is another store (another gateway process, say), so the watching store learns
// nothing from its own calls: only the watch itself can notice that its stream is gone or
// left behind. Each case restores the cluster before it ends.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEtcdCluster, type EtcdCluster } from "../testing/etcd-cluster.ts";
import { openEtcdStore } from "./store.ts";
import type { Store } from "../store.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * A stream left behind is replaced within two checks (6 s each, plus bounded reads); the
 * rest is scheduling slack on a shared, loaded 2-core machine.
 */
const RECOVERY_MS = 45_000;

let cluster: EtcdCluster;
const prefix = enc(`wf-${randomUUID()}/`);
const stores: Store[] = [];
const open = async (endpoints = cluster.endpoints) => {
  const s = await openEtcdStore({ endpoints, prefix });
  stores.push(s);
  return s;
};

beforeAll(async () => {
  cluster = await startEtcdCluster({ peerProxies: true });
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await cluster?.close();
});

/** Watch `wk/` on `store` and collect the keys seen; the stream is live once this returns. */
async function watching(store: Store, writer: Store) {
  const ac = new AbortController();
  const seen = new Set<string>();
  const consumer = (async () => {
    for await (const e of store.watch(enc("wk/"), ac.signal)) seen.add(dec(e.key));
  })();
  // The watch starts at the head it reads first: write until it has seen one write.
  const t0 = performance.now();
  let warmed = false;
  for (let i = 0; !warmed && performance.now() - t0 < 20_000; i++) {
    const warm = `wk/warm-${i}`;
    await put(writer, warm);
    const t1 = performance.now();
    while (!seen.has(warm) && performance.now() - t1 < 500) await sleep(20);
    warmed = seen.has(warm);
  }
  expect(warmed, "the watch sees a write before any fault").toBe(true);
  return {
    async sees(key: string) {
      const t1 = performance.now();
      while (!seen.has(key) && performance.now() - t1 < RECOVERY_MS) await sleep(50);
      return seen.has(key);
    },
    async stop() {
      ac.abort();
      await consumer;
    },
  };
}

/** Put `key` through `store`, retrying while the cluster elects a leader (a put is idempotent). */
async function put(store: Store, key: string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await store.transact(async (t) => t.put(enc(key), enc("1")));
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(200);
    }
  }
}

describe("etcd watch under member faults", () => {
  it("moves off a killed leader even when the watching store makes no calls of its own", async () => {
    const watcher = await open();
    const writer = await open();
    const w = await watching(watcher, writer);
    // The stream starts on the leader; kill it.
    const leader = await cluster.leader();
    await cluster.kill(leader, "SIGKILL");
    try {
      await put(writer, "wk/after-kill");
      expect(await w.sees("wk/after-kill"), "event after the leader was killed").toBe(true);
    } finally {
      await w.stop();
      await cluster.restart(leader);
      await cluster.waitForLeader(20_000);
    }
  }, 120_000);

  it("moves off a member cut off from its peers, which keeps reporting an old revision", async () => {
    const watcher = await open();
    const leader = await cluster.leader();
    // The writer talks to the rest of the cluster, as a gateway next to another member would.
    const writer = await open(cluster.members.filter((m) => m.name !== leader.name).map((m) => m.clientUrl));
    const w = await watching(watcher, writer);
    // The stream starts on the leader; cut it off. It keeps serving its clients, but it no
    // longer hears of anything the others commit.
    cluster.isolate(leader);
    try {
      await put(writer, "wk/after-isolation");
      expect(await w.sees("wk/after-isolation"), "event after the leader was cut off").toBe(true);
    } finally {
      await w.stop();
      cluster.heal(leader);
      await cluster.waitForLeader(30_000);
    }
  }, 150_000);
});
