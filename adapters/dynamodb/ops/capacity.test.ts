// ReturnConsumedCapacity as DynamoDB reports it. Every figure below was measured against AWS
// by nubo-db/dynamodb-conformance (tests/tier1/putItem/indexConsumedCapacity.test.ts,
// tests/tier1/getItem/consumedCapacity.test.ts, tests/tier2/transactions/transactGet.test.ts):
// an index is charged only when what it stores changes, twice when its key moves, and only
// TransactGetItems names its units ReadCapacityUnits.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callOk, openHarness, type Harness } from "../test/harness.ts";

let h: Harness;
const T = "idxwcu";
let n = 0;
const fresh = () => `item-${n++}`;
const S = (v: string) => ({ S: v });

beforeAll(async () => {
  h = await openHarness();
  await callOk(h, "CreateTable", {
    TableName: T,
    AttributeDefinitions: ["pk", "sk", "gsiPk", "lsiSk"].map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    BillingMode: "PAY_PER_REQUEST",
    GlobalSecondaryIndexes: [
      { IndexName: "gsi-inc", KeySchema: [{ AttributeName: "gsiPk", KeyType: "HASH" }], Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["proj"] } },
    ],
    LocalSecondaryIndexes: [
      { IndexName: "lsi1", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "lsiSk", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } },
    ],
  });
});
afterAll(async () => {
  await h.close();
});

type Arms = { total: number; table: number; gsi?: number; lsi?: number };
function arms(cc: unknown): Arms {
  const c = cc as { CapacityUnits: number; Table: { CapacityUnits: number }; GlobalSecondaryIndexes?: Record<string, { CapacityUnits: number }>; LocalSecondaryIndexes?: Record<string, { CapacityUnits: number }> };
  const out: Arms = { total: c.CapacityUnits, table: c.Table.CapacityUnits };
  if (c.GlobalSecondaryIndexes) out.gsi = c.GlobalSecondaryIndexes["gsi-inc"]!.CapacityUnits;
  if (c.LocalSecondaryIndexes) out.lsi = c.LocalSecondaryIndexes.lsi1!.CapacityUnits;
  return out;
}
const put = async (item: Record<string, string>) =>
  arms(
    (await callOk(h, "PutItem", { TableName: T, Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, S(v)])), ReturnConsumedCapacity: "INDEXES" }))
      .ConsumedCapacity,
  );

describe("index write capacity", () => {
  it("charges an identical overwrite the table write alone", async () => {
    const item = { pk: fresh(), sk: "1", gsiPk: "g4", lsiSk: "L1", proj: "p" };
    expect(await put(item)).toEqual({ total: 3, table: 1, gsi: 1, lsi: 1 });
    expect(await put(item)).toEqual({ total: 1, table: 1 });
  });

  it.each([
    ["a non-projected attribute: no GSI write", "SET #o = :v", { ":v": S("o2") }, { total: 2, table: 1, lsi: 1 }],
    ["a projected attribute: one GSI write", "SET proj = :v", { ":v": S("p2") }, { total: 3, table: 1, gsi: 1, lsi: 1 }],
    ["the GSI key: delete plus put", "SET gsiPk = :v", { ":v": S("g-moved") }, { total: 4, table: 1, gsi: 2, lsi: 1 }],
    ["removing the GSI key: delete only", "REMOVE gsiPk", undefined, { total: 3, table: 1, gsi: 1, lsi: 1 }],
    ["the LSI key: two LSI writes, none on the GSI", "SET lsiSk = :v", { ":v": S("L2") }, { total: 3, table: 1, lsi: 2 }],
  ])("UpdateItem of %s", async (_, UpdateExpression, ExpressionAttributeValues, expected) => {
    const pk = fresh();
    await put({ pk, sk: "1", gsiPk: "g-ladder", lsiSk: "L1", proj: "p", other: "o" });
    const res = await callOk(h, "UpdateItem", {
      TableName: T,
      Key: { pk: S(pk), sk: S("1") },
      UpdateExpression,
      ExpressionAttributeValues,
      ExpressionAttributeNames: UpdateExpression.includes("#o") ? { "#o": "other" } : undefined,
      ReturnConsumedCapacity: "INDEXES",
    });
    expect(arms(res.ConsumedCapacity)).toEqual(expected);
  });

  it("BatchWriteItem reports only the arms the batch touched", async () => {
    const res = await callOk(h, "BatchWriteItem", {
      RequestItems: {
        [T]: [
          { PutRequest: { Item: { pk: S(fresh()), sk: S("1"), gsiPk: S("g-batch"), proj: S("p") } } },
          { PutRequest: { Item: { pk: S(fresh()), sk: S("1"), other: S("o") } } },
        ],
      },
      ReturnConsumedCapacity: "INDEXES",
    });
    expect(arms((res.ConsumedCapacity as unknown[])[0])).toEqual({ total: 3, table: 2, gsi: 1 });
  });
});

describe("read/write split", () => {
  it("is absent from single-item operations", async () => {
    const pk = fresh();
    const p = await callOk(h, "PutItem", { TableName: T, Item: { pk: S(pk), sk: S("1") }, ReturnConsumedCapacity: "INDEXES" });
    expect(p.ConsumedCapacity).toEqual({ TableName: T, CapacityUnits: 1, Table: { CapacityUnits: 1 } });
    const g = await callOk(h, "GetItem", { TableName: T, Key: { pk: S(pk), sk: S("1") }, ReturnConsumedCapacity: "TOTAL" });
    expect(g.ConsumedCapacity).toEqual({ TableName: T, CapacityUnits: 0.5 });
  });

  it("TransactGetItems names ReadCapacityUnits, 2 per item found or not", async () => {
    const pk = fresh();
    await put({ pk, sk: "1" });
    const Get = (k: string) => ({ Get: { TableName: T, Key: { pk: S(k), sk: S("1") } } });
    const total = await callOk(h, "TransactGetItems", { TransactItems: [Get(pk), Get("missing")], ReturnConsumedCapacity: "TOTAL" });
    expect(total.ConsumedCapacity).toEqual([{ TableName: T, CapacityUnits: 4, ReadCapacityUnits: 4 }]);
    const indexes = await callOk(h, "TransactGetItems", { TransactItems: [Get(pk)], ReturnConsumedCapacity: "INDEXES" });
    expect(indexes.ConsumedCapacity).toEqual([{ TableName: T, CapacityUnits: 2, ReadCapacityUnits: 2, Table: { CapacityUnits: 2, ReadCapacityUnits: 2 } }]);
  });
});
