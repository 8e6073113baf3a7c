import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Store } from "../../../kvclient/store.ts";
import { openHarness } from "../test/harness.ts";
import { KeyedLocks } from "./locks.ts";

describe("KeyedLocks", () => {
  it("never lets two holders of a key overlap, and never deadlocks on key sets", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uniqueArray(fc.constantFrom("a", "b", "c", "d"), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 30 }), async (sets) => {
        const locks = new KeyedLocks();
        const held = new Set<string>();
        await Promise.all(
          sets.map((keys) =>
            locks.run(keys, async () => {
              for (const k of keys) {
                expect(held.has(k)).toBe(false);
                held.add(k);
              }
              await new Promise((r) => setTimeout(r, Math.random() * 2));
              for (const k of keys) held.delete(k);
            }),
          ),
        );
        expect(locks.size).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  it("releases after a failure", async () => {
    const locks = new KeyedLocks();
    await expect(locks.run(["a"], async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await locks.run(["a"], async () => 1)).toBe(1);
  });

  it("turns a hot-item write burst into commits without conflicts", async () => {
    let calls = 0;
    let attempts = 0;
    const counting = (s: Store): Store =>
      new Proxy(s, {
        get(target, prop, receiver) {
          if (prop === "transact")
            return (body: Parameters<Store["transact"]>[0], opts: Parameters<Store["transact"]>[1]) => {
              calls++;
              return target.transact(async (txn) => {
                attempts++;
                return body(txn);
              }, opts);
            };
          const v = Reflect.get(target, prop, receiver);
          return typeof v === "function" ? v.bind(target) : v;
        },
      });
    const h = await openHarness(counting);
    try {
      await h.call("CreateTable", { TableName: "hot", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" });
      await h.call("PutItem", { TableName: "hot", Item: { pk: { S: "k" }, n: { N: "0" } } });
      calls = 0;
      attempts = 0;
      const results = await Promise.all(
        Array.from({ length: 32 }, () => h.call("UpdateItem", { TableName: "hot", Key: { pk: { S: "k" } }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } } })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect((await h.call("GetItem", { TableName: "hot", Key: { pk: { S: "k" } } })).body.Item).toEqual({ pk: { S: "k" }, n: { N: "32" } });
      expect(attempts).toBe(calls);
    } finally {
      await h.close();
    }
  });
});
