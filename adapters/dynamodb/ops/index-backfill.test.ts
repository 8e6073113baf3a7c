// A global index UpdateTable added, while it is still being backfilled: reads are refused
// rather than answered from the part already filled, and no other index may be created or
// deleted until it is done; the index itself may be deleted. The background work is stopped
// so the index stays CREATING. Sources are cited in ops/read.ts and ops/tables.ts.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callOk, openHarness, type Harness } from "../test/harness.ts";

let h: Harness;
const T = "backfill";
const defs = ["pk", "g"].map((AttributeName) => ({ AttributeName, AttributeType: "S" }));
const create = (IndexName: string) => ({
  TableName: T,
  AttributeDefinitions: defs,
  GlobalSecondaryIndexUpdates: [{ Create: { IndexName, KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
});
const refused = async (op: string, body: unknown) => {
  const r = await h.call(op, body);
  return { status: r.status, type: r.body.__type, message: r.body.message };
};
const ONE_ONLINE = {
  status: 400,
  type: "com.amazonaws.dynamodb.v20120810#LimitExceededException",
  message: "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
};

beforeAll(async () => {
  h = await openHarness();
  await h.adapter.stop?.();
  await callOk(h, "CreateTable", {
    TableName: T,
    AttributeDefinitions: defs,
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
    GlobalSecondaryIndexes: [{ IndexName: "ready", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
  });
  for (let i = 0; i < 5; i++) await callOk(h, "PutItem", { TableName: T, Item: { pk: { S: `p${i}` }, g: { S: "x" } } });
  await callOk(h, "UpdateTable", create("building"));
});
afterAll(async () => {
  await h.close();
});

describe("an index being backfilled", () => {
  it("is described CREATING and Backfilling", async () => {
    const d = (await callOk(h, "DescribeTable", { TableName: T })).Table as { GlobalSecondaryIndexes: { IndexName: string; IndexStatus: string; Backfilling?: boolean }[] };
    expect(d.GlobalSecondaryIndexes.find((i) => i.IndexName === "building")).toMatchObject({ IndexStatus: "CREATING", Backfilling: true });
  });

  it("refuses Query and Scan", async () => {
    const cannot = { status: 400, type: "com.amazon.coral.validate#ValidationException", message: "Cannot read from backfilling global secondary index: building" };
    const q = { TableName: T, IndexName: "building", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: "x" } } };
    expect(await refused("Query", q)).toEqual(cannot);
    expect(await refused("Scan", { TableName: T, IndexName: "building" })).toEqual(cannot);
    // The active index still answers.
    expect((await callOk(h, "Query", { ...q, IndexName: "ready" })).Count).toBe(5);
  });

  it("blocks creating or deleting another index", async () => {
    expect(await refused("UpdateTable", create("another"))).toEqual(ONE_ONLINE);
    expect(await refused("UpdateTable", { TableName: T, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "ready" } }] })).toEqual(ONE_ONLINE);
  });

  it("may itself be deleted, which frees the table for the next one", async () => {
    await callOk(h, "UpdateTable", { TableName: T, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "building" } }] });
    await callOk(h, "UpdateTable", create("next"));
    const d = (await callOk(h, "DescribeTable", { TableName: T })).Table as { GlobalSecondaryIndexes: { IndexName: string }[] };
    expect(d.GlobalSecondaryIndexes.map((i) => i.IndexName).sort()).toEqual(["next", "ready"]);
  });
});
