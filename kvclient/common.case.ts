// The Store conformance suite: every backend's test file calls runStoreCases, so all
// backends are held to the same behaviour (Hono's common.case.test.ts pattern).
//
// Cases share nothing: each works under its own random key prefix and never assumes the
// rest of the keyspace is empty, because a backend may run every store of a suite on one
// cluster. A target may skip a case by name, stating why.

import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import {
  DeadlineExceededError,
  RetryLimitError,
  TooLargeError,
  WriteConflictError,
  errorReason,
} from "./errors.ts";
import type { KeyValue, Store, Txn, WatchEvent } from "./store.ts";

export interface CaseTarget {
  /** Open a fresh, empty store (unique temp dir / unique key prefix per call is fine). */
  open(): Promise<Store>;
  /** Open a SECOND independent client on the same data as `first` (another connection for
   *  etcd; another handle, or better another process, for lmdb). */
  openSecond(first: Store): Promise<Store>;
  /** Release everything opened. */
  cleanup(): Promise<void>;
  /** Optional: cases to skip, each with its reason. */
  skip?: Record<string, string>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A key under `prefix`: string parts are UTF-8, number arrays are raw bytes. */
function k(prefix: Uint8Array, ...parts: Array<string | number[]>): Uint8Array {
  const bytes = parts.map((p) => (typeof p === "string" ? enc.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(prefix.length + bytes.reduce((n, b) => n + b.length, 0));
  out.set(prefix);
  let at = prefix.length;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** The smallest key greater than every key starting with `prefix`. */
function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  throw new Error("prefix of only 0xff bytes has no end");
}

function span(prefix: Uint8Array): { start: Uint8Array; end: Uint8Array } {
  return { start: prefix, end: prefixEnd(prefix) };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : dec.decode(b));
const num = (b: Uint8Array | undefined) => (b === undefined ? 0 : Number(dec.decode(b)));
const val = (s: string | number) => enc.encode(String(s));

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once `n` parties have arrived. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  const all = deferred();
  return () => {
    if (++arrived >= n) all.resolve();
    return all.promise;
  };
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Shuffle in place (Fisher-Yates), so insertion order never equals key order by luck. */
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Contended cases retry a lot; give them room so only a real bug exhausts the budget. */
const CONTENDED = { maxAttempts: 10_000, timeoutMs: 90_000 } as const;
const SLOW_CASE_MS = 120_000;

async function putAll(store: Store, pairs: Array<[Uint8Array, Uint8Array]>): Promise<void> {
  await store.transact(async (txn) => {
    for (const [key, value] of pairs) txn.put(key, value);
  });
}

async function expectUnchanged(store: Store, prefix: Uint8Array, expected: Array<[Uint8Array, string]>): Promise<void> {
  const { kvs } = await store.scan(span(prefix));
  expect(kvs.map((kv) => [hex(kv.key), text(kv.value)])).toEqual(expected.map(([key, v]) => [hex(key), v]));
}

export function runStoreCases(name: string, target: () => CaseTarget | Promise<CaseTarget>): void {
  describe(`Store conformance: ${name}`, () => {
    let t: CaseTarget | undefined;
    let caseNo = 0;

    beforeAll(async () => {
      t = await target();
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    interface Env {
      store: Store;
      /** A fresh random prefix for this case. */
      p: Uint8Array;
      second(): Promise<Store>;
    }

    function storeCase(caseName: string, fn: (env: Env) => Promise<void>, timeout?: number): void {
      it(caseName, async (ctx: TestContext) => {
        const reason = t!.skip?.[caseName];
        if (reason !== undefined) ctx.skip(reason);
        const store = await t!.open();
        const rand = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString("hex");
        const p = enc.encode(`kvcase/${rand}/${++caseNo}/`);
        await fn({ store, p, second: () => t!.openSecond(store) });
      }, timeout);
    }

    storeCase("get, put and delete round trip", async ({ store, p }) => {
      const a = k(p, "a");
      expect(await store.get(a)).toBeUndefined();
      await putAll(store, [[a, val("one")]]);
      const first = await store.get(a);
      expect(text(first?.value)).toBe("one");
      expect(hex(first!.key)).toBe(hex(a));
      expect(first!.modRevision > 0n).toBe(true);

      await putAll(store, [[a, val("two")]]);
      const second = await store.get(a);
      expect(text(second?.value)).toBe("two");
      expect(second!.modRevision > first!.modRevision).toBe(true);

      await store.transact(async (txn) => txn.delete(a));
      expect(await store.get(a)).toBeUndefined();
      // Deleting what is not there is not an error.
      await store.transact(async (txn) => txn.delete(a));
      expect(await store.get(a)).toBeUndefined();
    });

    storeCase("values are bytes: empty and binary values round trip", async ({ store, p }) => {
      const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
      await putAll(store, [
        [k(p, "empty"), new Uint8Array(0)],
        [k(p, "bin"), binary],
      ]);
      const empty = await store.get(k(p, "empty"));
      expect(empty).toBeDefined();
      expect(empty!.value.length).toBe(0);
      expect(hex((await store.get(k(p, "bin")))!.value)).toBe(hex(binary));
    });

    storeCase("one commit gives all its keys the same new revision", async ({ store, p }) => {
      await putAll(store, [[k(p, "before"), val(0)]]);
      const before = (await store.get(k(p, "before")))!.modRevision;
      await putAll(store, [
        [k(p, "x"), val(1)],
        [k(p, "y"), val(2)],
      ]);
      const x = (await store.get(k(p, "x")))!.modRevision;
      const y = (await store.get(k(p, "y")))!.modRevision;
      expect(x).toBe(y);
      expect(x > before).toBe(true);
    });

    storeCase("scan returns keys in unsigned byte order, forward and reverse", async ({ store, p }) => {
      const suffixes = [[0x00], [0x00, 0x00], [0x00, 0xff], [0x01], [0x7f], [0x80], [0xc3, 0xa9], [0xfe], [0xff], [0xff, 0x00], [0xff, 0xff]];
      const keys = suffixes.map((s) => k(p, s));
      await putAll(store, shuffle(keys.map((key, i) => [key, val(i)])));
      const sorted = [...keys].sort(compareBytes).map(hex);
      expect(sorted).toEqual(keys.map(hex));

      const forward = await store.scan(span(p));
      expect(forward.kvs.map((kv) => hex(kv.key))).toEqual(sorted);
      expect(forward.kvs.map((kv) => text(kv.value))).toEqual(keys.map((_, i) => String(i)));
      expect(forward.more).toBe(false);

      const reverse = await store.scan({ ...span(p), reverse: true });
      expect(reverse.kvs.map((kv) => hex(kv.key))).toEqual([...sorted].reverse());
      expect(reverse.more).toBe(false);
    });

    storeCase("scan bounds: start inclusive, end exclusive", async ({ store, p }) => {
      const keys = ["a", "b", "c", "d", "e"].map((s) => k(p, s));
      await putAll(store, keys.map((key) => [key, val(1)]));
      const names = (kvs: KeyValue[]) => kvs.map((kv) => dec.decode(kv.key.subarray(p.length)));
      expect(names((await store.scan({ start: k(p, "b"), end: k(p, "d") })).kvs)).toEqual(["b", "c"]);
      expect(names((await store.scan({ start: k(p, "b"), end: k(p, "d"), reverse: true })).kvs)).toEqual(["c", "b"]);
      expect(names((await store.scan({ start: k(p, "b", [0]), end: k(p, "d", [0]) })).kvs)).toEqual(["c", "d"]);
      expect((await store.scan({ start: k(p, "c"), end: k(p, "c") })).kvs).toEqual([]);
      expect((await store.scan({ start: k(p, "d"), end: k(p, "b") })).kvs).toEqual([]);
    });

    storeCase("scan limit sets more, in both directions", async ({ store, p }) => {
      const keys = ["a", "b", "c", "d", "e"].map((s) => k(p, s));
      await putAll(store, keys.map((key) => [key, val(1)]));
      const names = (kvs: KeyValue[]) => kvs.map((kv) => dec.decode(kv.key.subarray(p.length)));

      const three = await store.scan({ ...span(p), limit: 3 });
      expect(names(three.kvs)).toEqual(["a", "b", "c"]);
      expect(three.more).toBe(true);

      const exact = await store.scan({ ...span(p), limit: 5 });
      expect(names(exact.kvs)).toEqual(["a", "b", "c", "d", "e"]);
      expect(exact.more).toBe(false);

      const over = await store.scan({ ...span(p), limit: 50 });
      expect(over.kvs.length).toBe(5);
      expect(over.more).toBe(false);

      const back = await store.scan({ ...span(p), limit: 2, reverse: true });
      expect(names(back.kvs)).toEqual(["e", "d"]);
      expect(back.more).toBe(true);

      // Paging by the last key returned visits every key once.
      const seen: string[] = [];
      let start = p;
      for (;;) {
        const page = await store.scan({ start, end: prefixEnd(p), limit: 2 });
        seen.push(...names(page.kvs));
        if (!page.more) break;
        start = k(page.kvs.at(-1)!.key, [0]);
      }
      expect(seen).toEqual(["a", "b", "c", "d", "e"]);
    });

    storeCase("scan keysOnly returns keys with empty values", async ({ store, p }) => {
      await putAll(store, [
        [k(p, "a"), val("alpha")],
        [k(p, "b"), val("beta")],
      ]);
      const { kvs } = await store.scan({ ...span(p), keysOnly: true });
      expect(kvs.map((kv) => dec.decode(kv.key.subarray(p.length)))).toEqual(["a", "b"]);
      for (const kv of kvs) {
        expect(kv.value.length).toBe(0);
        expect(kv.modRevision > 0n).toBe(true);
      }
    });

    storeCase("count counts the keys in a range", async ({ store, p }) => {
      expect(await store.count(span(p))).toBe(0);
      await putAll(store, ["a", "b", "c", "d"].map((s) => [k(p, s), val(s)]));
      expect(await store.count(span(p))).toBe(4);
      expect(await store.count({ start: k(p, "b"), end: k(p, "d") })).toBe(2);
      expect(await store.count({ start: k(p, "b"), end: k(p, "d") }, { consistency: "serializable" })).toBe(2);
      await store.transact(async (txn) => txn.delete(k(p, "a")));
      expect(await store.count(span(p))).toBe(3);
    });

    storeCase("linearizable and serializable reads see acknowledged commits, on both clients", async ({ store, p, second }) => {
      const other = await second();
      const a = k(p, "a");
      await putAll(store, [[a, val("from-first")]]);
      expect(text((await store.get(a, { consistency: "linearizable" }))?.value)).toBe("from-first");
      expect(text((await other.get(a, { consistency: "linearizable" }))?.value)).toBe("from-first");
      await putAll(other, [[a, val("from-second")]]);
      expect(text((await store.get(a))?.value)).toBe("from-second");
      expect(text((await store.scan({ ...span(p), consistency: "linearizable" })).kvs[0]?.value)).toBe("from-second");
      // A serializable read may lag, but only briefly; it must converge.
      const deadline = Date.now() + 5_000;
      for (;;) {
        const got = await other.get(a, { consistency: "serializable" });
        if (text(got?.value) === "from-second") break;
        if (Date.now() > deadline) throw new Error("serializable read never converged");
        await delay(20);
      }
      expect(await store.count(span(p), { consistency: "linearizable" })).toBe(1);
    });

    storeCase("a transaction reads its own writes and deletes", async ({ store, p }) => {
      await putAll(store, [
        [k(p, "a"), val("a0")],
        [k(p, "c"), val("c0")],
      ]);
      const result = await store.transact(async (txn) => {
        const before = text(await txn.get(k(p, "a")));
        txn.put(k(p, "b"), val("b1"));
        txn.put(k(p, "a"), val("a1"));
        txn.delete(k(p, "c"));
        const got = {
          a: text(await txn.get(k(p, "a"))),
          b: text(await txn.get(k(p, "b"))),
          c: text(await txn.get(k(p, "c"))),
        };
        txn.put(k(p, "b"), val("b2"));
        return { before, got, later: text(await txn.get(k(p, "b"))) };
      });
      expect(result).toEqual({ before: "a0", got: { a: "a1", b: "b1", c: undefined }, later: "b2" });
      await expectUnchanged(store, p, [
        [k(p, "a"), "a1"],
        [k(p, "b"), "b2"],
      ]);
    });

    storeCase("a transaction scan merges its own buffered writes", async ({ store, p }) => {
      await putAll(store, [
        [k(p, "a"), val("a0")],
        [k(p, "c"), val("c0")],
        [k(p, "d"), val("d0")],
      ]);
      const result = await store.transact(async (txn) => {
        txn.put(k(p, "b"), val("b1"));
        txn.put(k(p, "a"), val("a1"));
        txn.delete(k(p, "c"));
        const all = await txn.scan(span(p));
        const firstTwo = await txn.scan({ ...span(p), limit: 2 });
        const lastTwo = await txn.scan({ ...span(p), reverse: true, limit: 2 });
        const keysOnly = await txn.scan({ ...span(p), keysOnly: true });
        const names = (kvs: KeyValue[]) => kvs.map((kv) => dec.decode(kv.key.subarray(p.length)));
        return {
          all: all.kvs.map((kv) => [dec.decode(kv.key.subarray(p.length)), text(kv.value)]),
          allMore: all.more,
          firstTwo: names(firstTwo.kvs),
          firstTwoMore: firstTwo.more,
          lastTwo: names(lastTwo.kvs),
          lastTwoMore: lastTwo.more,
          keysOnly: keysOnly.kvs.map((kv) => kv.value.length),
        };
      });
      expect(result).toEqual({
        all: [
          ["a", "a1"],
          ["b", "b1"],
          ["d", "d0"],
        ],
        allMore: false,
        firstTwo: ["a", "b"],
        firstTwoMore: true,
        lastTwo: ["d", "b"],
        lastTwoMore: true,
        keysOnly: [0, 0, 0],
      });
    });

    storeCase("a body that throws writes nothing and its error reaches the caller", async ({ store, p }) => {
      class BodyError extends Error {}
      await putAll(store, [[k(p, "keep"), val("v")]]);
      await expect(
        store.transact(async (txn) => {
          txn.put(k(p, "new"), val("x"));
          txn.delete(k(p, "keep"));
          throw new BodyError("no");
        }),
      ).rejects.toBeInstanceOf(BodyError);
      await expectUnchanged(store, p, [[k(p, "keep"), "v"]]);
    });

    storeCase("lost update: concurrent increments from two clients all count", async ({ store, p, second }) => {
      const other = await second();
      const counter = k(p, "counter");
      const N = 200;
      const increment = (s: Store) =>
        s.transact(async (txn) => {
          const n = num(await txn.get(counter));
          txn.put(counter, val(n + 1));
          return n;
        }, { ...CONTENDED, family: "case.counter" });
      const seen = await Promise.all(Array.from({ length: N }, (_, i) => increment(i % 2 === 0 ? store : other)));
      expect(num((await store.get(counter))?.value)).toBe(N);
      // Each increment observed a distinct predecessor: 0..N-1, each exactly once.
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    }, SLOW_CASE_MS);

    storeCase("bank transfers keep the total, also mid-way", async ({ store, p, second }) => {
      const other = await second();
      const ACCOUNTS = 5;
      const START = 100;
      const TOTAL = ACCOUNTS * START;
      const acct = (i: number) => k(p, "acct/", String(i));
      await putAll(store, Array.from({ length: ACCOUNTS }, (_, i) => [acct(i), val(START)]));

      const transfer = (s: Store, from: number, to: number, amount: number) =>
        s.transact(async (txn) => {
          const a = num(await txn.get(acct(from)));
          if (a < amount) return false;
          const b = num(await txn.get(acct(to)));
          txn.put(acct(from), val(a - amount));
          txn.put(acct(to), val(b + amount));
          return true;
        }, { ...CONTENDED, family: "case.bank" });

      const sums: number[] = [];
      let running = true;
      const auditor = (async () => {
        while (running) {
          // Through a transaction, by gets and by a scan, and by a plain range read.
          sums.push(
            await store.transact(async (txn) => {
              let total = 0;
              for (let i = 0; i < ACCOUNTS; i++) total += num(await txn.get(acct(i)));
              return total;
            }, CONTENDED),
          );
          sums.push(
            await other.transact(async (txn) => {
              const { kvs } = await txn.scan(span(k(p, "acct/")));
              return kvs.reduce((n, kv) => n + num(kv.value), 0);
            }, CONTENDED),
          );
          const { kvs } = await other.scan(span(k(p, "acct/")));
          sums.push(kvs.reduce((n, kv) => n + num(kv.value), 0));
          await delay(2);
        }
      })();

      const transfers = Array.from({ length: 120 }, (_, i) => {
        const from = Math.floor(Math.random() * ACCOUNTS);
        const to = (from + 1 + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS;
        return transfer(i % 2 === 0 ? store : other, from, to, 1 + Math.floor(Math.random() * 40));
      });
      await Promise.all(transfers);
      running = false;
      await auditor;

      expect(sums.length).toBeGreaterThan(0);
      expect(sums.filter((s) => s !== TOTAL)).toEqual([]);
      const { kvs } = await store.scan(span(k(p, "acct/")));
      expect(kvs.length).toBe(ACCOUNTS);
      expect(kvs.reduce((n, kv) => n + num(kv.value), 0)).toBe(TOTAL);
      for (const kv of kvs) expect(num(kv.value)).toBeGreaterThanOrEqual(0);
    }, SLOW_CASE_MS);

    storeCase("absence is validated: two creators of one key, exactly one creates", async ({ store, p, second }) => {
      const other = await second();
      const key = k(p, "claim");
      const bothRead = barrier(2);
      let attempts = 0;
      const claim = (s: Store, who: string) =>
        s.transact(async (txn) => {
          attempts++;
          const existing = await txn.get(key);
          await bothRead(); // both have now seen the key absent
          if (existing !== undefined) return `saw ${text(existing)}`;
          txn.put(key, val(who));
          return "created";
        }, { maxAttempts: 10, timeoutMs: 30_000 });
      const results = await Promise.all([claim(store, "first"), claim(other, "second")]);
      expect(results.filter((r) => r === "created")).toHaveLength(1);
      const winner = text((await store.get(key))?.value);
      expect(results).toContain(`saw ${winner}`);
      expect(attempts).toBeGreaterThanOrEqual(3);
    });

    storeCase("absence is validated: write skew on two absent keys is prevented", async ({ store, p, second }) => {
      // Each transaction writes its own key only if the OTHER key is absent. Without
      // validating absence both commit (neither wrote what the other read as absent).
      const other = await second();
      const a = k(p, "a");
      const b = k(p, "b");
      const bothRead = barrier(2);
      const onlyIfAbsent = (s: Store, mine: Uint8Array, theirs: Uint8Array) =>
        s.transact(async (txn) => {
          const theirsNow = await txn.get(theirs);
          await txn.get(mine);
          await bothRead();
          if (theirsNow === undefined) txn.put(mine, val("on"));
        }, { maxAttempts: 10, timeoutMs: 30_000 });
      await Promise.all([onlyIfAbsent(store, a, b), onlyIfAbsent(other, b, a)]);
      expect(await store.count(span(p))).toBe(1);
    });

    storeCase("scan phantom: a key committed into a scanned span conflicts", async ({ store, p, second }) => {
      const other = await second();
      const items = k(p, "items/");
      await putAll(store, [
        [k(items, "a"), val(1)],
        [k(items, "c"), val(1)],
      ]);
      let attempts = 0;
      const inserted = deferred();
      const summarize = store.transact(async (txn) => {
        attempts++;
        const { kvs } = await txn.scan(span(items));
        if (attempts === 1) await inserted.promise;
        txn.put(k(p, "summary"), val(kvs.length));
        return kvs.length;
      }, { maxAttempts: 10, timeoutMs: 30_000 });
      await delay(50);
      await putAll(other, [[k(items, "b"), val(1)]]);
      inserted.resolve();
      expect(await summarize).toBe(3);
      expect(attempts).toBeGreaterThanOrEqual(2);
      expect(num((await store.get(k(p, "summary")))?.value)).toBe(3);
    });

    storeCase("scan conflicts when a scanned key is deleted or modified", async ({ store, p, second }) => {
      const other = await second();
      const items = k(p, "items/");
      await putAll(store, ["a", "b", "c"].map((s) => [k(items, s), val(1)]));
      for (const change of ["delete", "modify"] as const) {
        let attempts = 0;
        const changed = deferred();
        const summarize = store.transact(async (txn) => {
          attempts++;
          const { kvs } = await txn.scan(span(items));
          if (attempts === 1) await changed.promise;
          const total = kvs.reduce((n, kv) => n + num(kv.value), 0);
          txn.put(k(p, "summary"), val(total));
          return total;
        }, { maxAttempts: 10, timeoutMs: 30_000 });
        await delay(50);
        await other.transact(async (txn) => {
          if (change === "delete") txn.delete(k(items, "b"));
          else txn.put(k(items, "a"), val(10));
        });
        changed.resolve();
        expect(await summarize).toBe(change === "delete" ? 2 : 11);
        expect(attempts).toBeGreaterThanOrEqual(2);
      }
    });

    storeCase("abort while the body awaits: DeadlineExceededError, nothing written", async ({ store, p }) => {
      const ac = new AbortController();
      let bodyFinished = false;
      const started = Date.now();
      const pending = store.transact(async (txn) => {
        txn.put(k(p, "half"), val("written?"));
        setTimeout(() => ac.abort(), 50);
        // A body that ignores its signal: the call must still end when the signal fires.
        await delay(1_000);
        bodyFinished = true;
        txn.put(k(p, "other"), val("late"));
      }, { signal: ac.signal });
      await expect(pending).rejects.toBeInstanceOf(DeadlineExceededError);
      expect(bodyFinished).toBe(false);
      expect(Date.now() - started).toBeLessThan(900);
      await delay(1_200); // let the abandoned body run to its end
      expect(await store.count(span(p))).toBe(0);

      // The transaction's own time budget behaves the same way.
      await expect(
        store.transact(async (txn) => {
          txn.put(k(p, "budget"), val("x"));
          await delay(1_000);
        }, { timeoutMs: 100 }),
      ).rejects.toBeInstanceOf(DeadlineExceededError);
      // An already aborted signal never runs the body.
      let ran = false;
      await expect(
        store.transact(async () => {
          ran = true;
        }, { signal: AbortSignal.abort() }),
      ).rejects.toBeInstanceOf(DeadlineExceededError);
      expect(ran).toBe(false);
      await delay(1_000);
      expect(await store.count(span(p))).toBe(0);
    });

    storeCase("reads with an aborted signal fail with DeadlineExceededError", async ({ store, p }) => {
      const signal = AbortSignal.abort();
      await expect(store.get(k(p, "a"), { signal })).rejects.toBeInstanceOf(DeadlineExceededError);
      await expect(store.scan({ ...span(p), signal })).rejects.toBeInstanceOf(DeadlineExceededError);
      await expect(store.count(span(p), { signal })).rejects.toBeInstanceOf(DeadlineExceededError);
    });

    storeCase("persistent conflict ends in RetryLimitError caused by WriteConflictError", async ({ store, p, second }) => {
      const other = await second();
      const key = k(p, "hot");
      let attempts = 0;
      const err = await store
        .transact(async (txn: Txn) => {
          attempts++;
          const n = num(await txn.get(key));
          // Deliberately break the no-side-effects rule: change what we just read.
          await other.transact(async (t2) => t2.put(key, val(n + 1000)));
          txn.put(key, val(n + 1));
        }, { maxAttempts: 3, timeoutMs: 30_000, family: "case.hot" })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(RetryLimitError);
      expect((err as RetryLimitError).cause).toBeInstanceOf(WriteConflictError);
      expect((err as RetryLimitError).attempts).toBe(3);
      expect(errorReason(err)).toBe("retry_limit");
      expect(attempts).toBe(3);
    });

    storeCase("over-limit keys, values and transactions: TooLargeError, nothing written", async ({ store, p }) => {
      const { maxKeyBytes, maxValueBytes, maxTxnOps, maxRequestBytes } = store.limits;
      for (const n of [maxKeyBytes, maxValueBytes, maxTxnOps, maxRequestBytes]) {
        expect(Number.isSafeInteger(n) && n > 0).toBe(true);
      }
      const sentinel = k(p, "sentinel");
      await putAll(store, [[sentinel, val("s")]]);
      const untouched = () => expectUnchanged(store, p, [[sentinel, "s"]]);
      const tooLarge = async (body: (txn: Txn) => void) => {
        const err = await store.transact(async (txn) => {
          txn.put(sentinel, val("changed"));
          body(txn);
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(TooLargeError);
        expect(errorReason(err)).toBe("too_large");
        await untouched();
      };

      await tooLarge((txn) => txn.put(k(p, "v"), new Uint8Array(maxValueBytes + 1)));
      const longKey = new Uint8Array(maxKeyBytes + 1).fill(0x61);
      longKey.set(p);
      await tooLarge((txn) => txn.put(longKey, val(1)));
      await tooLarge((txn) => {
        for (let i = 0; i <= maxTxnOps; i++) txn.put(k(p, `op/${i}`), val(i));
      });
      // Each value within its own limit, together over the request limit.
      const chunk = new Uint8Array(Math.min(maxValueBytes, Math.ceil(maxRequestBytes / 2)));
      const needed = Math.floor(maxRequestBytes / chunk.length) + 1;
      if (needed + 1 <= maxTxnOps) {
        await tooLarge((txn) => {
          for (let i = 0; i < needed; i++) txn.put(k(p, `big/${i}`), chunk);
        });
      }
    });

    storeCase("keys and values at the limits are accepted", async ({ store, p }) => {
      const { maxKeyBytes, maxValueBytes } = store.limits;
      const longKey = new Uint8Array(maxKeyBytes).fill(0x61);
      longKey.set(p);
      await putAll(store, [[longKey, val("long key")]]);
      expect(text((await store.get(longKey))?.value)).toBe("long key");
      const big = new Uint8Array(maxValueBytes).fill(7);
      await putAll(store, [[k(p, "big"), big]]);
      const got = await store.get(k(p, "big"));
      expect(got?.value.length).toBe(maxValueBytes);
    });

    storeCase("watch delivers puts and deletes under its prefix only, and ends on abort", async ({ store, p }) => {
      const watched = k(p, "w/");
      const ac = new AbortController();
      const events: WatchEvent[] = [];
      let wake: (() => void) | undefined;
      const consumer = (async () => {
        for await (const ev of store.watch(watched, ac.signal)) {
          events.push(ev);
          wake?.();
        }
      })();
      const waitFor = async (pred: () => boolean, what: string) => {
        const deadline = Date.now() + 10_000;
        while (!pred()) {
          if (Date.now() > deadline) throw new Error(`watch: timed out waiting for ${what}`);
          await Promise.race([new Promise<void>((r) => (wake = r)), delay(100)]);
        }
      };
      // A watch may take a moment to be established remotely: write until it sees one.
      const warm = k(watched, "warm");
      let tries = 0;
      await waitFor(() => {
        if (events.length === 0 && tries++ % 3 === 0) void putAll(store, [[warm, val(tries)]]);
        return events.length > 0;
      }, "the first event");

      await putAll(store, [[k(p, "outside"), val(1)]]);
      await putAll(store, [[k(watched, "a"), val(1)]]);
      await store.transact(async (txn) => txn.delete(k(watched, "a")));
      const isA = (ev: WatchEvent) => hex(ev.key) === hex(k(watched, "a"));
      await waitFor(() => events.some((ev) => isA(ev) && ev.type === "delete"), "the delete event");

      const putAt = events.findIndex((ev) => isA(ev) && ev.type === "put");
      const deleteAt = events.findIndex((ev) => isA(ev) && ev.type === "delete");
      expect(putAt).toBeGreaterThanOrEqual(0);
      expect(deleteAt).toBeGreaterThan(putAt);
      expect(events[deleteAt]!.modRevision > events[putAt]!.modRevision).toBe(true);
      for (const ev of events) expect(hex(ev.key).startsWith(hex(watched))).toBe(true);

      ac.abort();
      const ended = await Promise.race([consumer.then(() => true), delay(5_000).then(() => false)]);
      expect(ended).toBe(true);
    });

    storeCase("verifyLeader resolves with leader info and honours an aborted signal", async ({ store }) => {
      const info = await store.verifyLeader(AbortSignal.timeout(5_000));
      expect(info.backend).toBe(store.backend);
      expect(typeof info.leaderId).toBe("string");
      expect(info.leaderId.length).toBeGreaterThan(0);
      expect(typeof info.term).toBe("bigint");
      expect(typeof info.localIsLeader).toBe("boolean");
      expect(info.latencyMs).toBeGreaterThanOrEqual(0);
      const both = await Promise.all([store.verifyLeader(), store.verifyLeader()]);
      for (const again of both) expect(again.leaderId).toBe(info.leaderId);
      await expect(store.verifyLeader(AbortSignal.abort())).rejects.toBeInstanceOf(DeadlineExceededError);
    });
  });
}
