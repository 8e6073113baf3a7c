import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeReceiptHandle, encodeReceiptHandle, messageIdTime, newMessageId, newNonce, partitionOf } from "./ids.ts";

describe("ids", () => {
  it("receipt handles round-trip", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{16}$/), fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 2 ** 47 }), (qid, partition, t) => {
        const h = { qid, partition, messageId: newMessageId(t), nonce: newNonce() };
        expect(decodeReceiptHandle(encodeReceiptHandle(h))).toEqual(h);
      }),
    );
  });

  it("arbitrary strings are not receipt handles", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(decodeReceiptHandle(s)).toBeUndefined();
      }),
    );
  });

  it("message ids are UUIDv7 whose order follows their time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 47 }), fc.integer({ min: 1, max: 2 ** 20 }), (t, dt) => {
        const a = newMessageId(t);
        const b = newMessageId(t + dt);
        expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(messageIdTime(a)).toBe(t);
        expect(a < b).toBe(true);
      }),
    );
  });

  it("a message group maps to a stable partition in range", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.integer({ min: 1, max: 64 }), (g, n) => {
        const p = partitionOf(g, n);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(n);
        expect(partitionOf(g, n)).toBe(p);
      }),
    );
    // Fixed values: the mapping must never change across releases (it places stored data).
    expect([partitionOf("g0", 8), partitionOf("g1", 8), partitionOf("orders", 8)]).toEqual([2, 5, 4]);
  });
});
