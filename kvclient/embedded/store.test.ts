import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "lmdb";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { runStoreCases } from "../common.case.ts";
import { UnavailableError } from "../errors.ts";
import type { Store, WatchEvent } from "../store.ts";
import { EmptyKeyError } from "./limits.ts";
import { openEmbeddedStore } from "./store.ts";

const registry = new Registry();
const dirs: string[] = [];
const opened: Store[] = [];
const pathOf = new Map<Store, string>();

async function freshStore(): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), "kv-embedded-"));
  dirs.push(dir);
  const store = await openEmbeddedStore({ path: dir, registry });
  opened.push(store);
  pathOf.set(store, dir);
  return store;
}

async function closeAll(): Promise<void> {
  await Promise.allSettled(opened.splice(0).map((s) => s.close()));
  await Promise.allSettled(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

// The second client is a second handle on the same directory in this process; two
// processes on one directory are exercised in multiprocess.test.ts (a transaction body
// cannot be handed to another process through the Store interface).
runStoreCases("embedded", () => ({
  open: freshStore,
  async openSecond(first) {
    const store = await openEmbeddedStore({ path: pathOf.get(first)!, registry });
    opened.push(store);
    return store;
  },
  cleanup: closeAll,
}));

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string) => enc.encode(s);

describe("embedded store specifics", () => {
  afterAll(closeAll);

  it("batches 64 concurrent transactions; each commit gets its own revision", async () => {
    const store = await freshStore();
    const revs = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        store.transact(async (txn) => {
          txn.put(b(`batch/${i}`), b(String(i)));
        }),
      ),
    );
    expect(revs).toHaveLength(64);
    const { kvs } = await store.scan({ start: b("batch/"), end: b("batch0") });
    expect(kvs).toHaveLength(64);
    expect(new Set(kvs.map((kv) => kv.modRevision)).size).toBe(64);
  });

  it("64 concurrent conflicting transactions on one key all commit", async () => {
    const store = await freshStore();
    await Promise.all(
      Array.from({ length: 64 }, () =>
        store.transact(async (txn) => {
          const n = Number(dec.decode((await txn.get(b("n"))) ?? b("0")));
          txn.put(b("n"), b(String(n + 1)));
        }, { maxAttempts: 10_000, timeoutMs: 60_000 }),
      ),
    );
    expect(dec.decode((await store.get(b("n")))!.value)).toBe("64");
  });

  it("keeps its revision across reopen", async () => {
    const store = await freshStore();
    const dir = pathOf.get(store)!;
    for (let i = 0; i < 3; i++) await store.transact(async (txn) => txn.put(b("k"), b(String(i))));
    const before = (await store.get(b("k")))!.modRevision;
    await store.close();
    const again = await openEmbeddedStore({ path: dir, registry });
    opened.push(again);
    expect((await again.get(b("k")))!.modRevision).toBe(before);
    await again.transact(async (txn) => txn.put(b("j"), b("x")));
    expect((await again.get(b("j")))!.modRevision).toBe(before + 1n);
  });

  it("serves range bounds longer than lmdb's key limit", async () => {
    const store = await freshStore();
    const max = store.limits.maxKeyBytes;
    const long = (fill: number, n = max + 50) => new Uint8Array(n).fill(fill);
    const atMax = long(0x62, max); // "bbb…" of exactly max bytes
    await store.transact(async (txn) => {
      txn.put(b("a"), b("1"));
      txn.put(atMax, b("2"));
      txn.put(b("c"), b("3"));
    });
    const names = (kvs: { value: Uint8Array }[]) => kvs.map((kv) => dec.decode(kv.value));
    // start longer than max and greater than atMax: atMax is excluded.
    expect(names((await store.scan({ start: long(0x62), end: b("d") })).kvs)).toEqual(["3"]);
    // end longer than max and greater than atMax: atMax is included.
    expect(names((await store.scan({ start: b("a"), end: long(0x62) })).kvs)).toEqual(["1", "2"]);
    expect(names((await store.scan({ start: b("a"), end: long(0x62), reverse: true })).kvs)).toEqual(["2", "1"]);
    expect(names((await store.scan({ start: long(0x62), end: b("d"), reverse: true })).kvs)).toEqual(["3"]);
    expect(await store.count({ start: b("a"), end: long(0x62) })).toBe(2);
    expect(await store.get(long(0x62))).toBeUndefined();
    const inTxn = await store.transact(async (txn) => (await txn.scan({ start: b("a"), end: long(0x62) })).kvs.length);
    expect(inTxn).toBe(2);
  });

  it("rejects empty keys before writing anything", async () => {
    const store = await freshStore();
    expect(await store.get(new Uint8Array(0))).toBeUndefined();
    await expect(store.transact(async (txn) => txn.put(new Uint8Array(0), b("x")))).rejects.toBeInstanceOf(EmptyKeyError);
    expect(await store.count({ start: new Uint8Array([0]), end: new Uint8Array([0xff, 0xff]) })).toBe(0);
  });

  it("a closed store refuses calls and ends its watches", async () => {
    const store = await freshStore();
    const events: WatchEvent[] = [];
    const watching = (async () => {
      for await (const ev of store.watch(b("w/"), new AbortController().signal)) events.push(ev);
    })();
    await store.close();
    await watching;
    await expect(store.get(b("x"))).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.transact(async () => 1)).rejects.toBeInstanceOf(UnavailableError);
    await expect(store.verifyLeader()).rejects.toBeInstanceOf(UnavailableError);
  });

  it("a transaction still running when the store closes fails with UnavailableError", async () => {
    const store = await freshStore();
    const bodyWaits = new Promise<void>((r) => setTimeout(r, 100));
    const pending = store.transact(async (txn) => {
      txn.put(b("x"), b("1"));
      await bodyWaits;
      await txn.get(b("y"));
    });
    await store.close();
    await expect(pending).rejects.toBeInstanceOf(UnavailableError);
    const again = await openEmbeddedStore({ path: pathOf.get(store)!, registry });
    opened.push(again);
    expect(await again.get(b("x"))).toBeUndefined();
  });

  it("keeps its data in a directory even when the path has an extension", async () => {
    const parent = await mkdtemp(join(tmpdir(), "kv-embedded-"));
    dirs.push(parent);
    const path = join(parent, "kv.lmdb");
    const store = await openEmbeddedStore({ path, registry });
    opened.push(store);
    await store.transact(async (txn) => txn.put(b("k"), b("v")));
    expect((await stat(path)).isDirectory()).toBe(true);
    expect((await stat(join(path, "data.mdb"))).isFile()).toBe(true);
  });

  it("creates 8 KiB pages in a new directory, and keeps serving a 4 KiB-page one", async () => {
    const pageSizeOf = async (path: string) => {
      const env = open({ path });
      try {
        return (env.getStats() as { pageSize: number }).pageSize;
      } finally {
        await env.close();
      }
    };
    const fresh = await freshStore();
    await fresh.close();
    expect(await pageSizeOf(pathOf.get(fresh)!)).toBe(8192);

    // A directory made before the change: lmdb keeps the page size it was created with.
    const oldDir = await mkdtemp(join(tmpdir(), "kv-embedded-"));
    dirs.push(oldDir);
    await open({ path: oldDir, pageSize: 4096 }).close();
    const store = await openEmbeddedStore({ path: oldDir, registry });
    opened.push(store);
    const big = new Uint8Array(12_000).fill(7);
    const longKey = new Uint8Array(1978).fill(0x61);
    await store.transact(async (txn) => {
      txn.put(b("big"), big);
      txn.put(longKey, b("v"));
    });
    expect(Buffer.from((await store.get(b("big")))!.value).equals(big)).toBe(true);
    expect(Buffer.from((await store.get(longKey))!.value).toString()).toBe("v");
    await store.close();
    expect(await pageSizeOf(oldDir)).toBe(4096);
  });

  it("reports embedded leader info", async () => {
    const store = await freshStore();
    const info = await store.verifyLeader();
    expect(info).toMatchObject({ backend: "embedded", leaderId: "self", term: 0n, localIsLeader: true });
  });

  it("counts conflicts and outcomes in its metrics registry", async () => {
    const reg = new Registry();
    const dir = await mkdtemp(join(tmpdir(), "kv-embedded-"));
    dirs.push(dir);
    const store = await openEmbeddedStore({ path: dir, registry: reg });
    opened.push(store);
    let first = true;
    await store.transact(async (txn) => {
      await txn.get(b("m"));
      if (first) {
        first = false;
        await store.transact(async (t2) => t2.put(b("m"), b("1")));
      }
      txn.put(b("m"), b("2"));
    }, { family: "test.metrics" });
    const text = await reg.metrics();
    expect(text).toMatch(/kv_write_conflicts_total\{backend="embedded",family="test.metrics"\} 1/);
    expect(text).toMatch(/kv_transactions_total\{backend="embedded",outcome="committed"\} 2/);
    expect(text).toMatch(/kv_transaction_retries_total\{backend="embedded"\} 1/);
  });
});
