// Arbitrary JSON for every operation's members: the adapter must answer a 4xx (or 200),
// never crash into a 500.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHarness, type Harness } from "../test/harness.ts";
import { SHAPES } from "../validation/shapes.ts";

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
  await h.call("CreateTable", {
    TableName: "fuzz",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "N" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    BillingMode: "PAY_PER_REQUEST",
  });
});
afterAll(async () => {
  await h.close();
});

const attr = fc.oneof(
  fc.record({ S: fc.string({ maxLength: 3 }) }),
  fc.record({ N: fc.constantFrom("1", "-2.5", "x", "") }),
  fc.record({ SS: fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }) }),
  fc.record({ L: fc.constant([]) }),
  fc.constantFrom({ L: [null] }, { M: { a: null } }, { SS: [null] }, { BS: [null] }, { NS: [null] }, { NULL: false }),
  fc.constant({}),
  fc.constant(null),
);
const leaf = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom("fuzz", "pk", "#a", ":v", "a = :v", "SET a = :v"));
const json = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: "small" }, leaf, attr, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("pk", "sk", "a", "#a", ":v", "S", "N", "Put", "Key", "Item", "fuzz"), tie("v"), { maxKeys: 3 })),
})).v;

const KEY = { pk: { S: "a" }, sk: { N: "1" } };
const BASES: Record<string, Record<string, unknown>> = {
  PutItem: { TableName: "fuzz", Item: { ...KEY, a: { S: "x" } }, ConditionExpression: "a = :v", ExpressionAttributeValues: { ":v": { S: "x" } } },
  GetItem: { TableName: "fuzz", Key: KEY, ProjectionExpression: "a, #a", ExpressionAttributeNames: { "#a": "b" } },
  UpdateItem: { TableName: "fuzz", Key: KEY, UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": { N: "1" } }, ReturnValues: "ALL_NEW" },
  DeleteItem: { TableName: "fuzz", Key: KEY, ReturnValues: "ALL_OLD" },
  Query: { TableName: "fuzz", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "a" } }, Limit: 2 },
  Scan: { TableName: "fuzz", Segment: 0, TotalSegments: 2, FilterExpression: "a = :v", ExpressionAttributeValues: { ":v": { S: "x" } } },
  BatchGetItem: { RequestItems: { fuzz: { Keys: [KEY] } } },
  BatchWriteItem: { RequestItems: { fuzz: [{ PutRequest: { Item: KEY } }] } },
  TransactWriteItems: { TransactItems: [{ Put: { TableName: "fuzz", Item: KEY } }, { Update: { TableName: "fuzz", Key: { ...KEY, sk: { N: "2" } }, UpdateExpression: "ADD c :one", ExpressionAttributeValues: { ":one": { N: "1" } } } }] },
  TransactGetItems: { TransactItems: [{ Get: { TableName: "fuzz", Key: KEY } }] },
  CreateTable: {
    TableName: "fuzz2",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "N" },
      { AttributeName: "g", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    BillingMode: "PAY_PER_REQUEST",
    GlobalSecondaryIndexes: [{ IndexName: "gix", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["x"] } }],
    LocalSecondaryIndexes: [{ IndexName: "lix", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "g", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }],
  },
  UpdateTable: {
    TableName: "fuzz",
    AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
    GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "gix", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
  },
};

/** Replace one member somewhere inside `base` (depth-first by path) with `value`. */
function mutate(base: unknown, path: number[], value: unknown): unknown {
  if (!path.length || base === null || typeof base !== "object") return value;
  const entries = Array.isArray(base) ? base.map((v, i) => [i, v] as const) : Object.entries(base);
  if (!entries.length) return value;
  const [k, v] = entries[path[0]! % entries.length]!;
  const copy = (Array.isArray(base) ? [...base] : { ...base }) as Record<string | number, unknown>;
  copy[k] = mutate(v, path.slice(1), value);
  return copy;
}

describe("mutated valid requests", () => {
  for (const [op, base] of Object.entries(BASES)) {
    it(`${op} never answers 500`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), json, async (path, value) => {
          const body = mutate(base, path, value);
          const r = await h.call(op, body);
          if (r.status >= 500) throw new Error(`${op} ${JSON.stringify(body)} -> ${JSON.stringify(r.body)}`);
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe("fuzzed requests", () => {
  for (const op of Object.keys(SHAPES)) {
    it(`${op} never answers 500`, async () => {
      const fields = Object.keys(SHAPES[op]!);
      await fc.assert(
        fc.asyncProperty(fc.dictionary(fc.constantFrom(...(fields.length ? fields : ["X"])), json, { maxKeys: 4 }), async (body) => {
          const r = await h.call(op, body);
          if (r.status >= 500) throw new Error(`${op} ${JSON.stringify(body)} -> ${JSON.stringify(r.body)}`);
          expect(r.status).toBeLessThan(500);
        }),
        { numRuns: 60 },
      );
    });
  }
});
