// Storage invariants through the adapter over a real embedded store:
//  - Query returns items in key order for every key type (numbers negative and fractional,
//    strings by UTF-8 bytes, binaries unsigned);
//  - after any sequence of writes, every index holds exactly one entry per indexed item.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJson, indexRange, itemsRange, tableKey } from "../keyspace.ts";
import type { TableRecord } from "../storage/table.ts";
import { indexEntry, indexStorageId } from "../storage/table.ts";
import { compareScalar, type AttributeValue, type Item } from "../types/attribute-value.ts";
import { callOk, openHarness, type Harness } from "../test/harness.ts";
import { compareBytes } from "../../../kvclient/tuple.ts";

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
});

const ok = (op: string, body: unknown) => callOk(h, op, body);

const numText = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: -8, max: 8 }))
  .map(([neg, c, e]) => `${neg ? "-" : ""}${c}e${e}`);
const strText = fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom("a", "b", "\u0000", "é", "\u{1F600}", "Z", "~") });
const binText = fc.uint8Array({ minLength: 1, maxLength: 5 }).map((b) => Buffer.from(b).toString("base64"));

describe("Query order", () => {
  for (const [type, arb] of [
    ["N", numText],
    ["S", strText],
    ["B", binText],
  ] as const) {
    it(`is the key order for ${type} sort keys`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(arb, { minLength: 1, maxLength: 25 }), fc.boolean(), async (keys, forward) => {
          const name = `order-${type}-${++n}`;
          await ok("CreateTable", {
            TableName: name,
            AttributeDefinitions: [
              { AttributeName: "pk", AttributeType: "S" },
              { AttributeName: "sk", AttributeType: type },
            ],
            KeySchema: [
              { AttributeName: "pk", KeyType: "HASH" },
              { AttributeName: "sk", KeyType: "RANGE" },
            ],
            BillingMode: "PAY_PER_REQUEST",
          });
          const values = keys.map((k) => ({ [type]: k }) as AttributeValue);
          for (const v of values) await ok("PutItem", { TableName: name, Item: { pk: { S: "p" }, sk: v } });
          const res = await ok("Query", {
            TableName: name,
            KeyConditionExpression: "pk = :p",
            ExpressionAttributeValues: { ":p": { S: "p" } },
            ScanIndexForward: forward,
          });
          const got = (res.Items as Item[]).map((i) => i.sk!);
          const distinct: AttributeValue[] = [];
          for (const v of values) if (!distinct.some((d) => compareScalar(d, v) === 0)) distinct.push(v);
          const want = [...distinct].sort((a, b) => compareScalar(a, b)!);
          if (!forward) want.reverse();
          expect(got).toHaveLength(want.length);
          got.forEach((g, i) => expect(compareScalar(g, want[i]!)).toBe(0));
        }),
        { numRuns: 8 },
      );
    });
  }
});

describe("index consistency", () => {
  it("keeps exactly one entry per indexed item through puts, updates and deletes", async () => {
    const name = `idx-inv-${++n}`;
    await ok("CreateTable", {
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
        { AttributeName: "g", AttributeType: "S" },
        { AttributeName: "l", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      GlobalSecondaryIndexes: [
        { IndexName: "gidx", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } },
        // A multi-attribute key: two partition and two sort attributes.
        {
          IndexName: "multi",
          KeySchema: [
            { AttributeName: "g", KeyType: "HASH" },
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "l", KeyType: "RANGE" },
            { AttributeName: "sk", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
      LocalSecondaryIndexes: [
        { IndexName: "lidx", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "l", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } },
      ],
    });
    const key = fc.record({ pk: fc.constantFrom("a", "b"), sk: fc.integer({ min: -2, max: 2 }) });
    const op = fc.oneof(
      fc.record({ k: fc.constant("put" as const), key, g: fc.option(fc.constantFrom("x", "y")), l: fc.option(fc.integer({ min: -3, max: 3 })) }),
      fc.record({ k: fc.constant("update" as const), key, g: fc.option(fc.constantFrom("x", "y")), l: fc.option(fc.integer({ min: -3, max: 3 })) }),
      fc.record({ k: fc.constant("delete" as const), key }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 20 }), async (ops) => {
        for (const o of ops) {
          const Key = { pk: { S: o.key.pk }, sk: { N: String(o.key.sk) } };
          if (o.k === "delete") await ok("DeleteItem", { TableName: name, Key });
          else if (o.k === "put") {
            const Item: Item = { ...Key };
            if (o.g !== null) Item.g = { S: o.g };
            if (o.l !== null) Item.l = { N: String(o.l) };
            await ok("PutItem", { TableName: name, Item });
          } else {
            const sets: string[] = [];
            const removes: string[] = [];
            const values: Record<string, AttributeValue> = {};
            if (o.g !== null) (sets.push("g = :g"), (values[":g"] = { S: o.g }));
            else removes.push("g");
            if (o.l !== null) (sets.push("l = :l"), (values[":l"] = { N: String(o.l) }));
            else removes.push("l");
            const expr = [sets.length ? `SET ${sets.join(", ")}` : "", removes.length ? `REMOVE ${removes.join(", ")}` : ""].join(" ").trim();
            await ok("UpdateItem", { TableName: name, Key, UpdateExpression: expr, ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}) });
          }
        }
        const tkv = await h.store.get(tableKey(name));
        const table = decodeJson<TableRecord>(tkv!.value);
        const items = (await h.store.scan({ ...itemsRange(table.id) })).kvs.map((kv) => decodeJson<Item>(kv.value));
        for (const index of table.indexes) {
          const entries = (await h.store.scan({ ...indexRange(table.id, indexStorageId(index)), keysOnly: true })).kvs.map((kv) => kv.key);
          const expected = items.map((i) => indexEntry(table, index, i)).filter((k): k is Uint8Array => !!k);
          expected.sort(compareBytes);
          expect(entries.map((e) => Buffer.from(e).toString("hex"))).toEqual(expected.map((e) => Buffer.from(e).toString("hex")));
        }
      }),
      { numRuns: 15 },
    );
  });
});
