// Scans against a reference model: plain scans, counts and transaction scans (merged with
// the transaction's own buffered writes) must equal filtering a sorted list, for any
// bounds, including bounds longer than lmdb's key limit next to keys at that limit.

import fc from "fast-check";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Store } from "../store.ts";
import { compareBytes } from "./range.ts";
import { openEmbeddedStore } from "./store.ts";

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kv-embedded-prop-"));
  store = await openEmbeddedStore({ path: dir });
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const ALPHABET = [0x00, 0x01, 0x61, 0x7f, 0x80, 0xfe, 0xff];

/** Short keys over a small alphabet (so they collide and nest), or long ones near the limit. */
function keyArb(max: number, allowOverLimit: boolean): fc.Arbitrary<Uint8Array> {
  const short = fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 4 }).map((xs) => Uint8Array.from(xs));
  const lengths = allowOverLimit ? [max - 1, max, max + 1, max + 7] : [max - 1, max];
  const long = fc.tuple(short, fc.constantFrom(...lengths), fc.constantFrom(0x00, 0x61, 0xff)).map(([head, n, fill]) => {
    const out = new Uint8Array(n).fill(0x61);
    out.set(head);
    out[n - 1] = fill;
    return out;
  });
  return fc.oneof({ arbitrary: short, weight: 3 }, { arbitrary: long, weight: 1 });
}

/** A bound near the stored keys: one of them, extended past it (maybe past the limit), or cut short. */
function boundArb(max: number, stored: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const random = keyArb(max, true);
  if (stored.length === 0) return random;
  const near = fc.tuple(
    fc.constantFrom(...stored),
    fc.constantFrom("same", "extend", "cut"),
    fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 8 }),
  ).map(([key, how, extra]) => {
    if (how === "same") return key;
    if (how === "cut") return key.length > 1 ? key.subarray(0, key.length - 1) : key;
    const out = new Uint8Array(key.length + extra.length);
    out.set(key);
    out.set(extra, key.length);
    return out;
  });
  return fc.oneof(random, near);
}

function reference(
  model: Map<string, { key: Uint8Array; value: string }>,
  start: Uint8Array,
  end: Uint8Array,
  reverse: boolean,
  limit: number | undefined,
) {
  const inRange = [...model.values()]
    .filter((e) => compareBytes(e.key, start) >= 0 && compareBytes(e.key, end) < 0)
    .sort((a, b) => compareBytes(a.key, b.key));
  if (reverse) inRange.reverse();
  const take = limit && limit > 0 ? inRange.slice(0, limit) : inRange;
  return { kvs: take.map((e) => [hex(e.key), e.value]), more: take.length < inRange.length, count: inRange.length };
}

it("scan, count and transaction scan match a reference model", async () => {
  const max = store.limits.maxKeyBytes;
  const dec = new TextDecoder();
  const enc = new TextEncoder();
  await fc.assert(
    fc.asyncProperty(
      fc
        .uniqueArray(keyArb(max, false), { minLength: 0, maxLength: 25, selector: hex })
        .chain((stored) => fc.tuple(fc.constant(stored), boundArb(max, stored), boundArb(max, stored))),
      fc.array(fc.tuple(keyArb(max, false), fc.boolean()), { maxLength: 8 }),
      fc.boolean(),
      fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
      async ([stored, a, b], writes, reverse, limit) => {
        const [start, end] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
        const model = new Map(stored.map((key, i) => [hex(key), { key, value: `s${i}` }]));
        await store.transact(async (txn) => {
          for (const e of model.values()) txn.put(e.key, enc.encode(e.value));
        });
        try {
          const want = reference(model, start, end, reverse, limit);
          const got = await store.scan({ start, end, reverse, limit });
          expect({ kvs: got.kvs.map((kv) => [hex(kv.key), dec.decode(kv.value)]), more: got.more }).toEqual({
            kvs: want.kvs,
            more: want.more,
          });
          expect(await store.count({ start, end })).toBe(want.count);

          // The same scan inside a transaction, after buffered puts and deletes.
          const merged = new Map(model);
          writes.forEach(([key, isPut], i) => {
            if (isPut) merged.set(hex(key), { key, value: `w${i}` });
            else merged.delete(hex(key));
          });
          const wantTxn = reference(merged, start, end, reverse, limit);
          const gotTxn = await store.transact(async (txn) => {
            writes.forEach(([key, isPut], i) => (isPut ? txn.put(key, enc.encode(`w${i}`)) : txn.delete(key)));
            const r = await txn.scan({ start, end, reverse, limit });
            // Never commit: the model must stay as stored for the next run.
            throw new Rollback(r.kvs.map((kv) => [hex(kv.key), dec.decode(kv.value)]), r.more);
          }).catch((e: unknown) => {
            if (e instanceof Rollback) return { kvs: e.kvs, more: e.more };
            throw e;
          });
          expect(gotTxn).toEqual({ kvs: wantTxn.kvs, more: wantTxn.more });
        } finally {
          await store.transact(async (txn) => {
            for (const e of model.values()) txn.delete(e.key);
          });
        }
      },
    ),
    { numRuns: 300 },
  );
}, 120_000);

class Rollback extends Error {
  constructor(
    readonly kvs: string[][],
    readonly more: boolean,
  ) {
    super("rollback");
  }
}
