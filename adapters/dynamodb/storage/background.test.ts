// Background work against a real embedded store: idempotency tokens expire oldest first.

import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeJson, tokenExpiryKey, tokenKey } from "../keyspace.ts";
import { openHarness, type Harness } from "../test/harness.ts";
import { Background } from "./background.ts";

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
});

describe("token expiry", () => {
  it("removes expired idempotency tokens and keeps live ones", async () => {
    const now = Date.now();
    await h.store.transact(async (txn) => {
      for (let i = 0; i < 300; i++) {
        txn.put(tokenKey(`old-${i}`), encodeJson({ hash: "h", expires: now - 1000, response: {} }));
        txn.put(tokenExpiryKey(now - 1000, `old-${i}`), new Uint8Array(0));
      }
      txn.put(tokenKey("live"), encodeJson({ hash: "h", expires: now + 600_000, response: {} }));
      txn.put(tokenExpiryKey(now + 600_000, "live"), new Uint8Array(0));
    });
    const bg = new Background({ store: h.store, logger: pino({ level: "silent" }) });
    await bg.pass();
    expect(await h.store.get(tokenKey("old-0"))).toBeUndefined();
    expect(await h.store.get(tokenKey("old-299"))).toBeUndefined();
    expect(await h.store.get(tokenKey("live"))).toBeDefined();
    expect(await h.store.get(tokenExpiryKey(now + 600_000, "live"))).toBeDefined();
    await bg.stop();
  });

  it("writes an expiry entry with every transaction token", async () => {
    await h.call("CreateTable", { TableName: "tok", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" });
    const r = await h.call("TransactWriteItems", { ClientRequestToken: "abc", TransactItems: [{ Put: { TableName: "tok", Item: { pk: { S: "a" } } } }] });
    expect(r.status).toBe(200);
    expect(await h.store.get(tokenKey("abc"))).toBeDefined();
  });
});

describe("time to live", () => {
  it("indexes items that existed before TTL was enabled, then expires them with their index entries", async () => {
    await h.call("CreateTable", {
      TableName: "ttl",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "g", AttributeType: "S" },
      ],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      GlobalSecondaryIndexes: [
        { IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } },
        // A multi-attribute key: its entries go with the items too.
        {
          IndexName: "byGPk",
          KeySchema: [
            { AttributeName: "g", KeyType: "HASH" },
            { AttributeName: "pk", KeyType: "HASH" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      ],
    });
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 30; i++)
      await h.call("PutItem", { TableName: "ttl", Item: { pk: { S: `k${i}` }, g: { S: "g" }, exp: { N: String(i % 2 ? now - 60 : now + 3600) } } });
    await h.call("PutItem", { TableName: "ttl", Item: { pk: { S: "ancient" }, exp: { N: String(now - 6 * 365 * 24 * 3600) } } });
    await h.call("UpdateTimeToLive", { TableName: "ttl", TimeToLiveSpecification: { AttributeName: "exp", Enabled: true } });
    // Rewriting an expired item into the future keeps it.
    await h.call("PutItem", { TableName: "ttl", Item: { pk: { S: "k1" }, g: { S: "g" }, exp: { N: String(now + 3600) } } });
    const bg = new Background({ store: h.store, logger: pino({ level: "silent" }), ttlIntervalMs: 0 });
    await bg.pass();
    await bg.pass();
    await bg.stop();
    const left = await h.call("Scan", { TableName: "ttl", ConsistentRead: true });
    const keys = (left.body.Items as { pk: { S: string } }[]).map((i) => i.pk.S).sort();
    expect(keys).toContain("k1");
    expect(keys).toContain("ancient"); // more than five years past: DynamoDB leaves it
    expect(keys.filter((k) => k !== "ancient")).toHaveLength(16);
    const idx = await h.call("Query", { TableName: "ttl", IndexName: "byG", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: "g" } }, Select: "COUNT" });
    expect(idx.body.Count).toBe(16);
    const multi = await h.call("Scan", { TableName: "ttl", IndexName: "byGPk", Select: "COUNT" });
    expect(multi.body.Count).toBe(16);
  });
});
