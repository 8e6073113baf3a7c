// The etcd backend against a real 3-member cluster: what only etcd does (revision-pinned
// transactions, range compares, limits from the cluster flags, leader identity).

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Etcd3 } from "etcd3";
import { startEtcdCluster, type EtcdCluster } from "../testing/etcd-cluster.ts";
import { openEtcdStore, type EtcdStoreOptions } from "./store.ts";
import { NotLeaderError, RetryLimitError, TooLargeError, WriteConflictError } from "../errors.ts";
import type { Store } from "../store.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

let cluster: EtcdCluster;
const opened: Store[] = [];

beforeAll(async () => {
  cluster = await startEtcdCluster();
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await cluster?.close();
});

async function open(extra: Partial<EtcdStoreOptions> = {}): Promise<Store> {
  const s = await openEtcdStore({ endpoints: cluster.endpoints, prefix: enc(`t-${randomUUID()}/`), ...extra });
  opened.push(s);
  return s;
}

async function putAll(s: Store, pairs: Record<string, string>): Promise<void> {
  await s.transact(async (t) => {
    for (const [k, v] of Object.entries(pairs)) t.put(enc(k), enc(v));
  });
}

describe("etcd store", () => {
  it("reads what a transaction wrote, with revisions, in both consistencies", async () => {
    const s = await open();
    expect(await s.get(enc("a"))).toBeUndefined();
    await putAll(s, { a: "1", b: "2", c: "3" });
    const a = await s.get(enc("a"));
    expect(a?.key).toEqual(enc("a"));
    expect(dec(a?.value)).toBe("1");
    expect(a?.modRevision).toBeGreaterThan(0n);
    expect(dec((await s.get(enc("b"), { consistency: "serializable" }))?.value)).toBe("2");
  });

  it("scans forward, reverse, limited and keys-only, and counts", async () => {
    const s = await open();
    await putAll(s, { a: "1", b: "2", c: "3", d: "4" });
    const all = await s.scan({ start: enc("a"), end: enc("d") });
    expect(all.kvs.map((kv) => dec(kv.key))).toEqual(["a", "b", "c"]);
    expect(all.more).toBe(false);
    const rev = await s.scan({ start: enc("a"), end: enc("e"), reverse: true, limit: 2 });
    expect(rev.kvs.map((kv) => dec(kv.key))).toEqual(["d", "c"]);
    expect(rev.more).toBe(true);
    const keys = await s.scan({ start: enc("a"), end: enc("e"), keysOnly: true, limit: 1 });
    expect(keys.kvs[0]?.value.length).toBe(0);
    expect(keys.more).toBe(true);
    expect(await s.count({ start: enc("b"), end: enc("z") })).toBe(3);
    expect(await s.count({ start: enc("z"), end: enc("a") })).toBe(0);
  });

  it("scans and counts from an empty start key without a prefix", async () => {
    const s = await open({ prefix: new Uint8Array(0) });
    const k = Uint8Array.from([0, ...enc(randomUUID())]);
    await s.transact(async (t) => t.put(k, enc("low")));
    const end = Uint8Array.from([0, 0xff]);
    const r = await s.scan({ start: new Uint8Array(0), end });
    expect(r.kvs.some((kv) => Buffer.from(kv.key).equals(Buffer.from(k)))).toBe(true);
    expect(await s.count({ start: new Uint8Array(0), end })).toBeGreaterThanOrEqual(1);
    const inTxn = await s.transact(async (t) => (await t.scan({ start: new Uint8Array(0), end })).kvs.length);
    expect(inTxn).toBeGreaterThanOrEqual(1);
    await s.transact(async (t) => t.delete(k));
  });

  it("keeps prefixes apart", async () => {
    const s1 = await open();
    const s2 = await open();
    await putAll(s1, { k: "one" });
    expect(await s2.get(enc("k"))).toBeUndefined();
    expect(await s2.count({ start: enc(""), end: enc("\xff") })).toBe(0);
  });

  it("serializes concurrent read-modify-write transactions", async () => {
    const s = await open();
    const incr = () =>
      s.transact(
        async (t) => {
          const n = Number(dec(await t.get(enc("n"))) ?? "0");
          t.put(enc("n"), enc(String(n + 1)));
        },
        { maxAttempts: 50, family: "test.counter" },
      );
    await Promise.all(Array.from({ length: 20 }, incr));
    expect(dec((await s.get(enc("n")))?.value)).toBe("20");
  });

  it("sees its own buffered writes in get and scan", async () => {
    const s = await open();
    await putAll(s, { a: "1", b: "2", c: "3" });
    const seen = await s.transact(async (t) => {
      t.put(enc("bb"), enc("new"));
      t.delete(enc("a"));
      t.put(enc("c"), enc("changed"));
      const r = await t.scan({ start: enc("a"), end: enc("z") });
      return { got: dec(await t.get(enc("bb"))), gone: await t.get(enc("a")), scan: r.kvs.map((kv) => `${dec(kv.key)}=${dec(kv.value)}`) };
    });
    expect(seen).toEqual({ got: "new", gone: undefined, scan: ["b=2", "bb=new", "c=changed"] });
  });

  it("conflicts when a key appears inside a span a transaction scanned (phantom)", async () => {
    const s = await open();
    await putAll(s, { "q/1": "x" });
    const err = await s
      .transact(
        async (t) => {
          const r = await t.scan({ start: enc("q/"), end: enc("q0") });
          await putAll(s, { "q/2": "phantom" });
          t.put(enc("summary"), enc(String(r.kvs.length)));
        },
        { maxAttempts: 1 },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLimitError);
    expect((err as RetryLimitError).cause).toBeInstanceOf(WriteConflictError);
    expect(await s.get(enc("summary"))).toBeUndefined();
  });

  it("conflicts when a key a transaction scanned is deleted", async () => {
    const s = await open();
    await putAll(s, { "q/1": "x", "q/2": "y" });
    const err = await s
      .transact(
        async (t) => {
          await t.scan({ start: enc("q/"), end: enc("q0") });
          await s.transact(async (o) => o.delete(enc("q/1")));
          t.put(enc("summary"), enc("2"));
        },
        { maxAttempts: 1 },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLimitError);
  });

  it("does not conflict on changes outside the span a limited scan covered", async () => {
    const s = await open();
    await putAll(s, { "q/1": "x", "q/2": "y", "q/3": "z" });
    let attempts = 0;
    await s.transact(
      async (t) => {
        attempts++;
        const r = await t.scan({ start: enc("q/"), end: enc("q0"), limit: 1 });
        expect(r.more).toBe(true);
        if (attempts === 1) await putAll(s, { "q/25": "after the covered span" });
        t.put(enc("first"), r.kvs[0]!.value);
      },
      { maxAttempts: 1 },
    );
    expect(dec((await s.get(enc("first")))?.value)).toBe("x");
  });

  it("reads one snapshot within an attempt", async () => {
    const s = await open();
    await putAll(s, { a: "1", b: "1" });
    const err = await s
      .transact(
        async (t) => {
          const a = dec(await t.get(enc("a")));
          await putAll(s, { a: "2", b: "2" });
          const b = dec(await t.get(enc("b")));
          expect([a, b]).toEqual(["1", "1"]);
          t.put(enc("c"), enc("x"));
        },
        { maxAttempts: 1 },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryLimitError);
  });

  describe("limits", () => {
    it("rejects a transaction over max-txn-ops before sending, writing nothing", async () => {
      const s = await open();
      expect(s.limits.maxTxnOps).toBe(1024);
      const err = await s
        .transact(async (t) => {
          for (let i = 0; i < 1025; i++) t.put(enc(`k${i}`), enc("v"));
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TooLargeError);
      expect(await s.count({ start: enc(""), end: enc("\xff") })).toBe(0);
    });

    it("counts read-set compares against max-txn-ops", async () => {
      const s = await open();
      const err = await s
        .transact(async (t) => {
          for (let i = 0; i < 600; i++) await t.get(enc(`r${i}`));
          for (let i = 0; i < 500; i++) t.put(enc(`w${i}`), enc("v"));
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TooLargeError);
      expect(await s.count({ start: enc(""), end: enc("\xff") })).toBe(0);
    });

    it("maps etcd's own too-many-ops rejection to TooLargeError", async () => {
      // A client configured above the cluster's --max-txn-ops lets etcd do the refusing.
      const s = await open({ maxTxnOps: 5_000 });
      const err = await s
        .transact(async (t) => {
          for (let i = 0; i < 1025; i++) t.put(enc(`k${i}`), enc("v"));
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TooLargeError);
      // Mapped from etcd's answer (it keeps the etcd3 error as cause), not our pre-check.
      expect((err as TooLargeError).cause).toBeDefined();
      expect(await s.count({ start: enc(""), end: enc("\xff") })).toBe(0);
    });

    it("rejects an oversized request before sending, and maps etcd's own refusal", async () => {
      const s = await open();
      const big = new Uint8Array(6 * 1024 * 1024);
      const err = await s
        .transact(async (t) => {
          t.put(enc("x"), big);
          t.put(enc("y"), big);
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TooLargeError);
      await expect(s.transact(async (t) => t.put(enc("z"), new Uint8Array(s.limits.maxValueBytes + 1)))).rejects.toBeInstanceOf(TooLargeError);

      const loose = await open({ maxRequestBytes: 64 * 1024 * 1024 });
      const err2 = await loose
        .transact(async (t) => t.put(enc("x"), new Uint8Array(11 * 1024 * 1024)))
        .catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(TooLargeError);
      expect((err2 as TooLargeError).cause).toBeDefined();
      expect(await loose.get(enc("x"))).toBeUndefined();
      expect(await s.get(enc("x"))).toBeUndefined();
    });

    it("accepts a value at maxValueBytes", async () => {
      const s = await open();
      const v = new Uint8Array(s.limits.maxValueBytes).fill(7);
      await s.transact(async (t) => t.put(enc("max"), v));
      expect((await s.get(enc("max")))?.value.length).toBe(v.length);
    });
  });

  describe("verifyLeader", () => {
    it("names the cluster's leader and term", async () => {
      const s = await open();
      const leader = await cluster.leader();
      const info = await s.verifyLeader();
      expect(info.backend).toBe("etcd");
      expect(info.leaderId).toBe(leader.memberId);
      expect(info.term).toBeGreaterThan(0n);
      expect(info.localIsLeader).toBe(cluster.endpoints[0] === leader.clientUrl);
    });

    it('in "local" mode succeeds only when the first endpoint leads', async () => {
      const leader = await cluster.leader();
      const others = cluster.endpoints.filter((e) => e !== leader.clientUrl);
      const onLeader = await open({ endpoints: [leader.clientUrl, ...others], leaderCheck: "local" });
      expect((await onLeader.verifyLeader()).localIsLeader).toBe(true);
      const onFollower = await open({ endpoints: [...others, leader.clientUrl], leaderCheck: "local" });
      await expect(onFollower.verifyLeader()).rejects.toBeInstanceOf(NotLeaderError);
    });
  });

  describe("watch", () => {
    it("delivers puts and deletes under a prefix and ends on abort", async () => {
      const s = await open();
      const ac = new AbortController();
      const events: string[] = [];
      const done = (async () => {
        for await (const e of s.watch(enc("w/"), ac.signal)) {
          events.push(`${e.type} ${dec(e.key)}`);
          if (events.length === 2) ac.abort();
        }
      })();
      await new Promise((r) => setTimeout(r, 300));
      await putAll(s, { "w/1": "a", other: "b" });
      await s.transact(async (t) => t.delete(enc("w/1")));
      await done;
      expect(events).toEqual(["put w/1", "delete w/1"]);
    });

    it("ends at once when the signal is already aborted", async () => {
      const s = await open();
      const it = s.watch(enc(""), AbortSignal.abort())[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(true);
    });
  });

  it("returns the same bytes the raw etcd3 client stored", async () => {
    const prefix = `t-${randomUUID()}/`;
    const s = await open({ prefix: enc(prefix) });
    const raw = new Etcd3({ hosts: cluster.endpoints });
    try {
      await raw.put(`${prefix}raw`).value(Buffer.from([0, 255, 1]));
      expect((await s.get(enc("raw")))?.value).toEqual(new Uint8Array([0, 255, 1]));
    } finally {
      raw.close();
    }
  });
});
