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
