// Core DynamoDB scenarios through @aws-sdk/client-dynamodb and @aws-sdk/lib-dynamodb
// against the real gateway process, on the embedded store and on a 3-member etcd cluster.

import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  TagResourceCommand,
  TransactionCanceledException,
  IdempotentParameterMismatchException,
  UntagResourceCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  DeleteItemCommand,
  BatchWriteItemCommand,
  BatchGetItemCommand,
  TransactWriteItemsCommand,
  TransactGetItemsCommand,
  DescribeLimitsCommand,
  DescribeEndpointsCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand as DocQuery,
  UpdateCommand,
  TransactWriteCommand,
  paginateQuery,
  paginateScan,
} from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";

let seq = 0;
const tableName = (base: string) => `${base}-${Date.now().toString(36)}-${++seq}`;

async function createKeyed(ddb: DynamoDBClient, name: string, opts: { range?: "S" | "N"; gsi?: boolean; lsi?: boolean } = {}) {
  const defs = [{ AttributeName: "pk", AttributeType: "S" as const }];
  const schema = [{ AttributeName: "pk", KeyType: "HASH" as const }];
  if (opts.range) {
    defs.push({ AttributeName: "sk", AttributeType: opts.range as "S" });
    schema.push({ AttributeName: "sk", KeyType: "RANGE" as never });
  }
  if (opts.gsi) defs.push({ AttributeName: "gpk", AttributeType: "S" }, { AttributeName: "gsk", AttributeType: "N" as "S" });
  if (opts.lsi) defs.push({ AttributeName: "lsk", AttributeType: "S" });
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: defs,
      KeySchema: schema,
      BillingMode: "PAY_PER_REQUEST",
      GlobalSecondaryIndexes: opts.gsi
        ? [
            {
              IndexName: "byG",
              KeySchema: [
                { AttributeName: "gpk", KeyType: "HASH" },
                { AttributeName: "gsk", KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["note"] },
            },
          ]
        : undefined,
      LocalSecondaryIndexes: opts.lsi
        ? [{ IndexName: "byL", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "lsk", KeyType: "RANGE" }], Projection: { ProjectionType: "KEYS_ONLY" } }]
        : undefined,
    }),
  );
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeBothBackends(
  "dynamodb core",
  (ctx) => {
    const ddb = () => ctx().dynamodb;
    const doc = () => DynamoDBDocumentClient.from(ctx().dynamodb, { marshallOptions: { removeUndefinedValues: true } });

    describe("tables", () => {
      it("create, describe, list, tag, delete", async () => {
        const name = tableName("life");
        const created = await ddb().send(
          new CreateTableCommand({
            TableName: name,
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
            Tags: [{ Key: "team", Value: "a" }],
            StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
            SSESpecification: { Enabled: true },
          }),
        );
        expect(created.TableDescription?.TableStatus).toBe("CREATING");
        const d = (await ddb().send(new DescribeTableCommand({ TableName: name }))).Table!;
        expect(d.TableStatus).toBe("ACTIVE");
        expect(d.TableArn).toBe(`arn:aws:dynamodb:us-east-1:000000000000:table/${name}`);
        expect(d.ItemCount).toBe(0);
        expect(d.ProvisionedThroughput?.ReadCapacityUnits).toBe(5);
        expect(d.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
        expect(d.SSEDescription?.Status).toBe("ENABLED");
        expect(d.CreationDateTime).toBeInstanceOf(Date);
        await expect(
          ddb().send(
            new CreateTableCommand({
              TableName: name,
              AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
              KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
              BillingMode: "PAY_PER_REQUEST",
            }),
          ),
        ).rejects.toBeInstanceOf(ResourceInUseException);
        const names = (await ddb().send(new ListTablesCommand({}))).TableNames!;
        expect(names).toContain(name);
        await ddb().send(new TagResourceCommand({ ResourceArn: d.TableArn, Tags: [{ Key: "env", Value: "t" }] }));
        await ddb().send(new UntagResourceCommand({ ResourceArn: d.TableArn, TagKeys: ["team"] }));
        expect((await ddb().send(new ListTagsOfResourceCommand({ ResourceArn: d.TableArn }))).Tags).toEqual([{ Key: "env", Value: "t" }]);
        const del = await ddb().send(new DeleteTableCommand({ TableName: name }));
        expect(del.TableDescription?.TableStatus).toBe("DELETING");
        await expect(ddb().send(new DescribeTableCommand({ TableName: name }))).rejects.toBeInstanceOf(ResourceNotFoundException);
        expect((await ddb().send(new ListTablesCommand({}))).TableNames).not.toContain(name);
        const limits = await ddb().send(new DescribeLimitsCommand({}));
        expect(limits.TableMaxReadCapacityUnits).toBeGreaterThan(0);
      });

      it("UpdateTable changes billing mode and throughput; DescribeEndpoints answers", async () => {
        const name = tableName("billing");
        await createKeyed(ddb(), name);
        const toProvisioned = await ddb().send(new UpdateTableCommand({ TableName: name, BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 } }));
        expect(toProvisioned.TableDescription?.BillingModeSummary?.BillingMode).toBe("PROVISIONED");
        await ddb().send(new UpdateTableCommand({ TableName: name, ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 4 } }));
        const d = (await ddb().send(new DescribeTableCommand({ TableName: name }))).Table!;
        expect(d.TableStatus).toBe("ACTIVE");
        expect(d.ProvisionedThroughput?.ReadCapacityUnits).toBe(2);
        expect(d.ProvisionedThroughput?.NumberOfDecreasesToday).toBe(1);
        const same = await ddb().send(new UpdateTableCommand({ TableName: name, ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 4 } })).catch((e: Error) => e.message);
        expect(same).toBe(
          "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 2. Requested ReadCapacityUnits: 2. Current WriteCapacityUnits provisioned for the table: 4. Requested WriteCapacityUnits: 4. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
        );
        const none = await ddb().send(new UpdateTableCommand({ TableName: name })).catch((e: Error) => e.message);
        expect(none).toBe(
          "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required",
        );
        // WarmThroughput alone is an update (what Terraform's warm_throughput block sends); a
        // provisioned table's baseline is its capacity.
        expect(d.WarmThroughput).toEqual({ ReadUnitsPerSecond: 2, WriteUnitsPerSecond: 4, Status: "ACTIVE" });
        const warmed = await ddb().send(new UpdateTableCommand({ TableName: name, WarmThroughput: { ReadUnitsPerSecond: 13000 } }));
        expect(warmed.TableDescription?.WarmThroughput).toEqual({ ReadUnitsPerSecond: 13000, WriteUnitsPerSecond: 4, Status: "ACTIVE" });
        const ep = await ddb().send(new DescribeEndpointsCommand({}));
        expect(ep.Endpoints?.[0]?.CachePeriodInMinutes).toBe(1440);
      });

      it("OnDemandThroughput is echoed on the table and its indexes until the table turns PROVISIONED", async () => {
        const name = tableName("ondemand");
        const created = await ddb().send(
          new CreateTableCommand({
            TableName: name,
            AttributeDefinitions: [
              { AttributeName: "pk", AttributeType: "S" },
              { AttributeName: "g", AttributeType: "S" },
            ],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            BillingMode: "PAY_PER_REQUEST",
            OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 },
            GlobalSecondaryIndexes: [
              { IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" }, OnDemandThroughput: { MaxReadRequestUnits: 200 } },
            ],
          }),
        );
        expect(created.TableDescription?.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 });
        await ddb().send(
          new UpdateTableCommand({
            TableName: name,
            OnDemandThroughput: { MaxWriteRequestUnits: -1 },
            GlobalSecondaryIndexUpdates: [{ Update: { IndexName: "byG", OnDemandThroughput: { MaxWriteRequestUnits: 20 } } }],
          }),
        );
        const d = (await ddb().send(new DescribeTableCommand({ TableName: name }))).Table!;
        expect(d.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 100 });
        expect(d.GlobalSecondaryIndexes?.[0]?.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 200, MaxWriteRequestUnits: 20 });
        const one = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
        const indexForgotten = await ddb().send(new UpdateTableCommand({ TableName: name, BillingMode: "PROVISIONED", ProvisionedThroughput: one })).catch((e: Error) => e.message);
        expect(indexForgotten).toBe("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: byG");
        await ddb().send(
          new UpdateTableCommand({ TableName: name, BillingMode: "PROVISIONED", ProvisionedThroughput: one, GlobalSecondaryIndexUpdates: [{ Update: { IndexName: "byG", ProvisionedThroughput: one } }] }),
        );
        const refused = await ddb().send(new UpdateTableCommand({ TableName: name, OnDemandThroughput: { MaxReadRequestUnits: 5 } })).catch((e: Error) => e.message);
        expect(refused).toBe("One or more parameter values were invalid: MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED");
        await ddb().send(new UpdateTableCommand({ TableName: name, BillingMode: "PAY_PER_REQUEST" }));
        const back = (await ddb().send(new DescribeTableCommand({ TableName: name }))).Table!;
        expect(back.OnDemandThroughput).toBeUndefined();
        expect(back.GlobalSecondaryIndexes?.[0]?.OnDemandThroughput).toBeUndefined();
      });

      it("lists tables in pages", async () => {
        const base = tableName("page");
        for (const s of ["a", "b", "c"]) await createKeyed(ddb(), `${base}-${s}`);
        const seen: string[] = [];
        let start: string | undefined;
        do {
          const r = await ddb().send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: start }));
          seen.push(...r.TableNames!);
          start = r.LastEvaluatedTableName;
        } while (start);
        expect(seen.filter((n) => n.startsWith(base))).toEqual([`${base}-a`, `${base}-b`, `${base}-c`]);
        expect([...seen].sort()).toEqual(seen);
      });
    });

    describe("items", () => {
      it("put, get, update with every ReturnValues, delete, conditions", async () => {
        const name = tableName("items");
        await createKeyed(ddb(), name);
        await ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" }, n: { N: "1.50" }, s: { SS: ["x", "y"] }, m: { M: { l: { L: [{ S: "e0" }, { NULL: true }] } } } } }));
        const got = await ddb().send(new GetItemCommand({ TableName: name, Key: { pk: { S: "a" } }, ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
        expect(got.Item?.n).toEqual({ N: "1.5" });
        expect(got.ConsumedCapacity).toEqual({ TableName: name, CapacityUnits: 1 });
        const proj = await ddb().send(new GetItemCommand({ TableName: name, Key: { pk: { S: "a" } }, ProjectionExpression: "m.l[1], #n", ExpressionAttributeNames: { "#n": "n" } }));
        expect(proj.Item).toEqual({ m: { M: { l: { L: [{ NULL: true }] } } }, n: { N: "1.5" } });

        const upd = (rv: string, expr: string, values?: Record<string, unknown>) =>
          ddb().send(
            new UpdateItemCommand({
              TableName: name,
              Key: { pk: { S: "a" } },
              UpdateExpression: expr,
              ExpressionAttributeValues: values as never,
              ReturnValues: rv as never,
            }),
          );
        expect((await upd("UPDATED_OLD", "SET n = n + :d", { ":d": { N: "-0.5" } })).Attributes).toEqual({ n: { N: "1.5" } });
        expect((await upd("UPDATED_NEW", "ADD s :v", { ":v": { SS: ["z"] } })).Attributes?.s?.SS?.sort()).toEqual(["x", "y", "z"]);
        expect((await upd("ALL_OLD", "REMOVE m.l[0]")).Attributes?.m).toEqual({ M: { l: { L: [{ S: "e0" }, { NULL: true }] } } });
        const all = (await upd("ALL_NEW", "DELETE s :v SET c = list_append(if_not_exists(c, :e), :one)", { ":v": { SS: ["x"] }, ":e": { L: [] }, ":one": { L: [{ N: "1" }] } })).Attributes!;
        expect(all.n).toEqual({ N: "1" });
        expect(all.s?.SS?.sort()).toEqual(["y", "z"]);
        expect(all.c).toEqual({ L: [{ N: "1" }] });
        expect(all.m).toEqual({ M: { l: { L: [{ NULL: true }] } } });

        const failed = await ddb()
          .send(
            new PutItemCommand({
              TableName: name,
              Item: { pk: { S: "a" } },
              ConditionExpression: "attribute_not_exists(pk)",
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            }),
          )
          .catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(ConditionalCheckFailedException);
        expect((failed as ConditionalCheckFailedException).message).toBe("The conditional request failed");
        expect((failed as ConditionalCheckFailedException).Item?.n).toEqual({ N: "1" });

        const old = await ddb().send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: "a" } }, ReturnValues: "ALL_OLD", ConditionExpression: "n = :one", ExpressionAttributeValues: { ":one": { N: "1.0" } } }));
        expect(old.Attributes?.pk).toEqual({ S: "a" });
        expect((await ddb().send(new GetItemCommand({ TableName: name, Key: { pk: { S: "a" } } }))).Item).toBeUndefined();
      });

      it("DocumentClient round trip and conditional counter", async () => {
        const name = tableName("doc");
        await createKeyed(ddb(), name, { range: "N" });
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "u1", sk: 1, tags: new Set(["a"]), nested: { list: [1, "two", null, true] }, bin: new Uint8Array([1, 2, 3]) } }));
        const g = await doc().send(new GetCommand({ TableName: name, Key: { pk: "u1", sk: 1 } }));
        expect(g.Item?.nested).toEqual({ list: [1, "two", null, true] });
        expect(g.Item?.tags).toEqual(new Set(["a"]));
        expect(Buffer.from(g.Item?.bin as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
        for (let i = 0; i < 3; i++)
          await doc().send(
            new UpdateCommand({
              TableName: name,
              Key: { pk: "u1", sk: 1 },
              UpdateExpression: "SET #c = if_not_exists(#c, :zero) + :one",
              ConditionExpression: "attribute_exists(pk)",
              ExpressionAttributeNames: { "#c": "count" },
              ExpressionAttributeValues: { ":zero": 0, ":one": 1 },
            }),
          );
        expect((await doc().send(new GetCommand({ TableName: name, Key: { pk: "u1", sk: 1 } }))).Item?.count).toBe(3);
      });

      it("rejects what DynamoDB rejects, with its messages", async () => {
        const name = tableName("bad");
        await createKeyed(ddb(), name, { range: "S" });
        const err = async (p: Promise<unknown>) => {
          const e = (await p.catch((x: unknown) => x)) as { name: string; message: string };
          return `${e.name}: ${e.message}`;
        };
        expect(await err(ddb().send(new GetItemCommand({ TableName: name, Key: { pk: { S: "a" } } })))).toBe(
          "ValidationException: The provided key element does not match the schema",
        );
        expect(await err(ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" } } })))).toBe(
          "ValidationException: One or more parameter values were invalid: Missing the key sk in the item",
        );
        expect(await err(ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" }, sk: { N: "1" } } })))).toBe(
          "ValidationException: One or more parameter values were invalid: Type mismatch for key sk expected: S actual: N",
        );
        expect(await err(ddb().send(new PutItemCommand({ TableName: "", Item: { pk: { S: "a" } } })))).toBe(
          "ValidationException: 1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
        expect(await err(ddb().send(new PutItemCommand({ TableName: "x", Item: { pk: { S: "a" } } })))).toBe("ResourceNotFoundException: Requested resource not found");
        expect(await err(ddb().send(new GetItemCommand({ TableName: "missing-table", Key: { pk: { S: "a" } } })))).toBe(
          "ResourceNotFoundException: Requested resource not found",
        );
        expect(
          await err(ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" }, sk: { S: "b" }, big: { S: "x".repeat(400 * 1024) } } }))),
        ).toBe("ValidationException: Item size has exceeded the maximum allowed size");
        expect(
          await err(
            ddb().send(
              new UpdateItemCommand({ TableName: name, Key: { pk: { S: "a" }, sk: { S: "b" } }, UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": { S: "1" }, ":w": { S: "2" } } }),
            ),
          ),
        ).toBe("ValidationException: Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}");
        expect(await err(ddb().send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: "a" }, sk: { S: "b" } }, UpdateExpression: "SET size = :v", ExpressionAttributeValues: { ":v": { S: "1" } } })))).toBe(
          "ValidationException: Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: size",
        );
        expect(await err(ddb().send(new UpdateItemCommand({ TableName: name, Key: { pk: { S: "a" }, sk: { S: "b" } }, UpdateExpression: "SET pk = :v", ExpressionAttributeValues: { ":v": { S: "1" } } })))).toBe(
          "ValidationException: One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
        );
        expect(await err(ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" }, sk: { S: "b" }, n: { N: "1e126" } } })))).toBe(
          "ValidationException: Number overflow. Attempting to store a number with magnitude larger than supported range",
        );
        expect(await err(ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" }, sk: { S: "b" }, s: { SS: ["a", "a"] } } })))).toBe(
          "ValidationException: One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
        );
        let deep: Record<string, unknown> = { S: "leaf" };
        for (let i = 0; i < 33; i++) deep = { L: [deep] };
        expect(await err(ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" }, sk: { S: "b" }, d: deep as never } })))).toBe(
          "ValidationException: Nesting Levels have exceeded supported limits",
        );
      });
    });

    describe("reads", () => {
      it("Query orders numbers exactly, pages with Limit, filters, counts, runs backwards", async () => {
        const name = tableName("query");
        await createKeyed(ddb(), name, { range: "N" });
        const nums = ["-1000", "-2.5", "-2.25", "-0.001", "0", "0.001", "1", "1.5", "10", "99999999999999999999999999999999999999"];
        for (const [i, n] of [...nums].reverse().entries())
          await ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "p" }, sk: { N: n }, odd: { BOOL: i % 2 === 1 } } }));
        await ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "other" }, sk: { N: "0" } } }));
        const all = await ddb().send(new QueryCommand({ TableName: name, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "p" } } }));
        expect(all.Items!.map((i) => i.sk!.N)).toEqual(nums);
        const back = await ddb().send(new QueryCommand({ TableName: name, KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b", ExpressionAttributeValues: { ":p": { S: "p" }, ":a": { N: "-2.5" }, ":b": { N: "1" } }, ScanIndexForward: false }));
        expect(back.Items!.map((i) => i.sk!.N)).toEqual(["1", "0.001", "0", "-0.001", "-2.25", "-2.5"]);
        const pages: string[][] = [];
        for await (const page of paginateQuery({ client: doc(), pageSize: 3 }, { TableName: name, KeyConditionExpression: "pk = :p AND sk < :z", ExpressionAttributeValues: { ":p": "p", ":z": 1 } }))
          pages.push((page.Items ?? []).map((i) => String(i.sk)));
        expect(pages.flat()).toEqual(["-1000", "-2.5", "-2.25", "-0.001", "0", "0.001"]);
        expect(pages[0]).toHaveLength(3);
        const filtered = await ddb().send(new QueryCommand({ TableName: name, KeyConditionExpression: "pk = :p", FilterExpression: "odd = :t", ExpressionAttributeValues: { ":p": { S: "p" }, ":t": { BOOL: true } }, Select: "COUNT" }));
        expect(filtered.Count).toBe(5);
        expect(filtered.ScannedCount).toBe(10);
        expect(filtered.Items).toBeUndefined();
        const legacy = await ddb().send(new QueryCommand({ TableName: name, KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "p" }] }, sk: { ComparisonOperator: "GE", AttributeValueList: [{ N: "10" }] } } }));
        expect(legacy.Items!.map((i) => i.sk!.N)).toEqual(["10", "99999999999999999999999999999999999999"]);
      });

      it("Query begins_with on strings and the 1 MB page", async () => {
        const name = tableName("big");
        await createKeyed(ddb(), name, { range: "S" });
        const blob = "x".repeat(100 * 1024);
        for (let i = 0; i < 14; i++) await ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "p" }, sk: { S: `item#${String(i).padStart(2, "0")}` }, blob: { S: blob } } }));
        await ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "p" }, sk: { S: "other" } } }));
        const first = await ddb().send(new QueryCommand({ TableName: name, KeyConditionExpression: "pk = :p AND begins_with(sk, :b)", ExpressionAttributeValues: { ":p": { S: "p" }, ":b": { S: "item#" } } }));
        expect(first.Count).toBeLessThan(14);
        expect(first.LastEvaluatedKey).toBeDefined();
        const rest = await ddb().send(new QueryCommand({ TableName: name, KeyConditionExpression: "pk = :p AND begins_with(sk, :b)", ExpressionAttributeValues: { ":p": { S: "p" }, ":b": { S: "item#" } }, ExclusiveStartKey: first.LastEvaluatedKey }));
        expect(first.Count! + rest.Count!).toBe(14);
        expect(rest.LastEvaluatedKey).toBeUndefined();
      });

      it("parallel Scan segments are disjoint, cover the table, and are roughly even", async () => {
        const name = tableName("scan");
        await createKeyed(ddb(), name);
        const puts = Array.from({ length: 200 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `k${i}` } } } }));
        for (let i = 0; i < puts.length; i += 25) {
          const r = await ddb().send(new BatchWriteItemCommand({ RequestItems: { [name]: puts.slice(i, i + 25) } }));
          expect(r.UnprocessedItems).toEqual({});
        }
        const segs = await Promise.all(
          [0, 1, 2, 3].map(async (Segment) => {
            const keys: string[] = [];
            for await (const page of paginateScan({ client: doc(), pageSize: 30 }, { TableName: name, Segment, TotalSegments: 4 })) keys.push(...(page.Items ?? []).map((i) => i.pk as string));
            return keys;
          }),
        );
        const allKeys = segs.flat();
        expect(new Set(allKeys).size).toBe(200);
        expect(allKeys).toHaveLength(200);
        for (const s of segs) expect(s.length).toBeGreaterThan(20);
        const count = await ddb().send(new ScanCommand({ TableName: name, Select: "COUNT", ScanFilter: { pk: { ComparisonOperator: "BEGINS_WITH", AttributeValueList: [{ S: "k1" }] } } }));
        expect(count.Count).toBe(111);
      });
    });

    describe("batches and transactions", () => {
      it("BatchGetItem and BatchWriteItem", async () => {
        const name = tableName("batch");
        await createKeyed(ddb(), name);
        await ddb().send(new BatchWriteItemCommand({ RequestItems: { [name]: [1, 2, 3].map((i) => ({ PutRequest: { Item: { pk: { S: `b${i}` }, v: { N: String(i) } } } })) } }));
        await ddb().send(new BatchWriteItemCommand({ RequestItems: { [name]: [{ DeleteRequest: { Key: { pk: { S: "b2" } } } }] } }));
        const got = await ddb().send(new BatchGetItemCommand({ RequestItems: { [name]: { Keys: [1, 2, 3].map((i) => ({ pk: { S: `b${i}` } })), ProjectionExpression: "v" } } }));
        expect(got.Responses![name]!.map((i) => i.v!.N).sort()).toEqual(["1", "3"]);
        expect(got.UnprocessedKeys).toEqual({});
        const tooMany = await ddb()
          .send(new BatchWriteItemCommand({ RequestItems: { [name]: Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `x${i}` } } } })) } }))
          .catch((e: Error) => e);
        expect((tooMany as Error).message).toContain("Member must have length less than or equal to 25");
      });

      it("TransactWriteItems takes 100 actions and up to 4 MB in one commit", async () => {
        const name = tableName("txnbig");
        await createKeyed(ddb(), name, { gsi: true });
        await ddb().send(
          new TransactWriteItemsCommand({
            TransactItems: Array.from({ length: 100 }, (_, i) => ({ Put: { TableName: name, Item: { pk: { S: `t${i}` }, gpk: { S: "g" }, gsk: { N: String(i) } } } })),
          }),
        );
        const big = "x".repeat(350_000);
        await ddb().send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 10 }, (_, i) => ({ Put: { TableName: name, Item: { pk: { S: `b${i}` }, big: { S: big } } } })) }));
        const over = await ddb()
          .send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 12 }, (_, i) => ({ Put: { TableName: name, Item: { pk: { S: `o${i}` }, big: { S: big } } } })) }))
          .catch((e: Error) => e.name);
        expect(over).toBe("ValidationException");
        let total = 0;
        let start: Record<string, never> | undefined;
        do {
          // 3.5 MB of items: Scan pages at 1 MB even when only counting.
          const page = await ddb().send(new ScanCommand({ TableName: name, Select: "COUNT", ExclusiveStartKey: start }));
          total += page.Count!;
          start = page.LastEvaluatedKey as never;
        } while (start);
        expect(total).toBe(110);
        const idx = await ddb().send(new QueryCommand({ TableName: name, IndexName: "byG", KeyConditionExpression: "gpk = :g", ExpressionAttributeValues: { ":g": { S: "g" } }, Select: "COUNT" }));
        expect(idx.Count).toBe(100);
      });

      it("TransactWriteItems is all or nothing, reports reasons, and honours ClientRequestToken", async () => {
        const name = tableName("txn");
        await createKeyed(ddb(), name);
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "acct1", balance: 100 } }));
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "acct2", balance: 0 } }));
        const transfer = (amount: number, token?: string) =>
          doc().send(
            new TransactWriteCommand({
              ClientRequestToken: token,
              TransactItems: [
                { Update: { TableName: name, Key: { pk: "acct1" }, UpdateExpression: "SET balance = balance - :a", ConditionExpression: "balance >= :a", ExpressionAttributeValues: { ":a": amount }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
                { Update: { TableName: name, Key: { pk: "acct2" }, UpdateExpression: "SET balance = balance + :a", ExpressionAttributeValues: { ":a": amount } } },
              ],
            }),
          );
        await transfer(60, "tok-1");
        await transfer(60, "tok-1"); // replay: applied once
        const e = (await transfer(60).catch((x: unknown) => x)) as TransactionCanceledException;
        expect(e).toBeInstanceOf(TransactionCanceledException);
        expect(e.CancellationReasons?.map((r) => r.Code)).toEqual(["ConditionalCheckFailed", "None"]);
        expect(e.message).toBe("Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]");
        expect(e.CancellationReasons?.[0]?.Item?.balance).toEqual({ N: "40" });
        const mismatch = await transfer(1, "tok-1").catch((x: unknown) => x);
        expect(mismatch).toBeInstanceOf(IdempotentParameterMismatchException);
        const got = await ddb().send(
          new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: name, Key: { pk: { S: "acct1" } } } }, { Get: { TableName: name, Key: { pk: { S: "acct2" } } } }, { Get: { TableName: name, Key: { pk: { S: "none" } } } }] }),
        );
        expect(got.Responses?.map((r) => r.Item?.balance?.N)).toEqual(["40", "60", undefined]);
        const dup = await ddb()
          .send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: name, Item: { pk: { S: "d" } } } }, { Delete: { TableName: name, Key: { pk: { S: "d" } } } }] }))
          .catch((x: Error) => x);
        expect((dup as Error).message).toBe("Transaction request cannot include multiple operations on one item");
      });
    });

    describe("indexes and TTL", () => {
      it("GSI and LSI are maintained, sparse, and queryable", async () => {
        const name = tableName("idx");
        await createKeyed(ddb(), name, { range: "S", gsi: true, lsi: true });
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "a", sk: "1", gpk: "g", gsk: -5, note: "n1", extra: "e", lsk: "z" } }));
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "a", sk: "2", gpk: "g", gsk: 2.5, lsk: "y" } }));
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "b", sk: "1", gpk: "g", gsk: -7.25 } }));
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "c", sk: "1" } })); // sparse: not in byG
        const g = await doc().send(new DocQuery({ TableName: name, IndexName: "byG", KeyConditionExpression: "gpk = :g", ExpressionAttributeValues: { ":g": "g" } }));
        expect(g.Items!.map((i) => i.gsk)).toEqual([-7.25, -5, 2.5]);
        expect(g.Items![1]).toEqual({ pk: "a", sk: "1", gpk: "g", gsk: -5, note: "n1" });
        const moved = await doc().send(new UpdateCommand({ TableName: name, Key: { pk: "a", sk: "1" }, UpdateExpression: "SET gsk = :v", ExpressionAttributeValues: { ":v": 100 }, ReturnValues: "UPDATED_NEW" }));
        expect(moved.Attributes).toEqual({ gsk: 100 });
        const g2 = await doc().send(new DocQuery({ TableName: name, IndexName: "byG", KeyConditionExpression: "gpk = :g AND gsk > :z", ExpressionAttributeValues: { ":g": "g", ":z": 0 } }));
        expect(g2.Items!.map((i) => i.gsk)).toEqual([2.5, 100]);
        const l = await doc().send(new DocQuery({ TableName: name, IndexName: "byL", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "a" } }));
        expect(l.Items!.map((i) => i.lsk)).toEqual(["y", "z"]);
        const unprojected = await doc()
          .send(new DocQuery({ TableName: name, IndexName: "byG", KeyConditionExpression: "gpk = :g", ExpressionAttributeValues: { ":g": "g" }, ProjectionExpression: "note, extra" }))
          .catch((e: Error) => e);
        expect((unprojected as Error).message).toBe("One or more parameter values were invalid: Global secondary index byG does not project [extra]");
        const fromTable = await doc().send(
          new DocQuery({ TableName: name, IndexName: "byL", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "a" }, ProjectionExpression: "extra" }),
        );
        expect(fromTable.Items).toEqual([{}, { extra: "e" }]);
        const metrics = await ddb().send(
          new PutItemCommand({ TableName: name, Item: { pk: { S: "a" }, sk: { S: "3" }, gpk: { S: "g" }, gsk: { N: "1" } }, ReturnItemCollectionMetrics: "SIZE", ReturnConsumedCapacity: "INDEXES" }),
        );
        expect(metrics.ItemCollectionMetrics?.ItemCollectionKey).toEqual({ pk: { S: "a" } });
        expect(metrics.ConsumedCapacity?.Table?.CapacityUnits).toBe(1);
        expect(metrics.ConsumedCapacity?.GlobalSecondaryIndexes?.byG?.CapacityUnits).toBe(1);
        expect(metrics.ConsumedCapacity?.CapacityUnits).toBe(2);
        const consistent = await doc()
          .send(new DocQuery({ TableName: name, IndexName: "byG", ConsistentRead: true, KeyConditionExpression: "gpk = :g", ExpressionAttributeValues: { ":g": "g" } }))
          .catch((e: Error) => e);
        expect((consistent as Error).message).toBe("Consistent reads are not supported on global secondary indexes");
      });

      it("UpdateTable backfills a new GSI while writes continue, then deletes it", async () => {
        const name = tableName("backfill");
        await createKeyed(ddb(), name);
        for (let i = 0; i < 60; i++) await doc().send(new PutCommand({ TableName: name, Item: { pk: `k${i}`, color: i % 3 === 0 ? "red" : "blue" } }));
        const r = await ddb().send(
          new UpdateTableCommand({
            TableName: name,
            AttributeDefinitions: [{ AttributeName: "color", AttributeType: "S" }],
            GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byColor", KeySchema: [{ AttributeName: "color", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } } }],
          }),
        );
        expect(r.TableDescription?.GlobalSecondaryIndexes?.[0]?.IndexStatus).toBe("CREATING");
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "late", color: "red" } }));
        const d = await until(
          () => ddb().send(new DescribeTableCommand({ TableName: name })),
          (x) => x.Table?.GlobalSecondaryIndexes?.[0]?.IndexStatus === "ACTIVE",
        );
        expect(d.Table?.GlobalSecondaryIndexes?.[0]?.IndexStatus).toBe("ACTIVE");
        const reds = await doc().send(new DocQuery({ TableName: name, IndexName: "byColor", KeyConditionExpression: "color = :c", ExpressionAttributeValues: { ":c": "red" } }));
        expect(reds.Count).toBe(21);
        await ddb().send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byColor" } }] }));
        const after = await ddb().send(new DescribeTableCommand({ TableName: name }));
        expect(after.Table?.GlobalSecondaryIndexes).toBeUndefined();
        // Re-create at once under the same name: the dropped entries, still being removed in
        // the background, must not leak into the new index.
        await ddb().send(
          new UpdateTableCommand({
            TableName: name,
            AttributeDefinitions: [{ AttributeName: "color", AttributeType: "S" }],
            GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byColor", KeySchema: [{ AttributeName: "color", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
          }),
        );
        await doc().send(new UpdateCommand({ TableName: name, Key: { pk: "k0" }, UpdateExpression: "SET color = :b", ExpressionAttributeValues: { ":b": "blue" } }));
        await until(
          () => ddb().send(new DescribeTableCommand({ TableName: name })),
          (x) => x.Table?.GlobalSecondaryIndexes?.[0]?.IndexStatus === "ACTIVE",
        );
        const reds2 = await doc().send(new DocQuery({ TableName: name, IndexName: "byColor", KeyConditionExpression: "color = :c", ExpressionAttributeValues: { ":c": "red" } }));
        expect(reds2.Count).toBe(20);
        expect(reds2.Items!.every((i) => i.color === "red")).toBe(true);
      });

      it("TTL expires items and their index entries; reads see them until then", async () => {
        const name = tableName("ttl");
        await createKeyed(ddb(), name, { range: "S", gsi: true });
        await ddb().send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: "exp", Enabled: true } }));
        expect((await ddb().send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "exp" });
        const now = Math.floor(Date.now() / 1000);
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "old", sk: "1", exp: now - 10, gpk: "g", gsk: 1 } }));
        await doc().send(new PutCommand({ TableName: name, Item: { pk: "new", sk: "1", exp: now + 3600, gpk: "g", gsk: 2 } }));
        const gone = await until(
          () => doc().send(new GetCommand({ TableName: name, Key: { pk: "old", sk: "1" }, ConsistentRead: true })),
          (r) => r.Item === undefined,
          15_000,
        );
        expect(gone.Item).toBeUndefined();
        const idx = await doc().send(new DocQuery({ TableName: name, IndexName: "byG", KeyConditionExpression: "gpk = :g", ExpressionAttributeValues: { ":g": "g" } }));
        expect(idx.Items!.map((i) => i.pk)).toEqual(["new"]);
      });
    });
  },
  { gateway: { env: { DDB_TTL_SWEEP_MS: "300" } } },
);
