// ItemCollectionSizeLimitExceededException and ReturnItemCollectionMetrics on a table with a
// local secondary index, with the limit made tiny (DDB_ITEM_COLLECTION_MAX_BYTES=3000).
// Sizes (DynamoDB's item size: names plus values): an item {pk,sk,lsk,data(800)} is 814
// bytes and its ALL-projected local index entry 814 more; without lsk it is 811, no entry.

import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";
import { sendSigned, signForReplay } from "../harness/sign.ts";

const LIMIT = 3000;
const data = (n: number) => ({ S: "x".repeat(n) });

async function failure(p: Promise<unknown>): Promise<Error & { CancellationReasons?: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to fail");
}

describeBothBackends(
  "dynamodb item collections",
  (ctx) => {
    it("raises ItemCollectionSizeLimitExceededException past the limit, counts local index entries, frees space on delete", async () => {
      const { dynamodb: ddb, gateway } = ctx();
      const TableName = `coll-${Date.now().toString(36)}`;
      await ddb.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [
            { AttributeName: "pk", AttributeType: "S" },
            { AttributeName: "sk", AttributeType: "S" },
            { AttributeName: "lsk", AttributeType: "S" },
          ],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
          LocalSecondaryIndexes: [{ IndexName: "byL", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "lsk", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      const item = (pk: string, sk: string, extra: Record<string, AttributeValue> = {}) => ({ pk: { S: pk }, sk: { S: sk }, data: data(800), ...extra });
      const put = (it: Record<string, AttributeValue>) => ddb.send(new PutItemCommand({ TableName, Item: it, ReturnItemCollectionMetrics: "SIZE" }));

      // 1628 bytes (item + index entry), reported with the collection's key.
      const first = await put(item("p", "1", { lsk: { S: "a" } }));
      expect(first.ItemCollectionMetrics).toEqual({ ItemCollectionKey: { pk: { S: "p" } }, SizeEstimateRangeGB: [0, 1] });
      // + 811 (no index entry: the index is sparse) = 2439.
      await put(item("p", "2"));
      // + 811 = 3250 > 3000.
      const e = await failure(put(item("p", "3")));
      expect(e.name).toBe("ItemCollectionSizeLimitExceededException");
      expect(e.message).toBe("Collection size exceeded");
      expect((await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: "p" }, sk: { S: "3" } }, ConsistentRead: true }))).Item).toBeUndefined();

      // The exact wire shape.
      const raw = await signForReplay({
        service: "dynamodb",
        region: gateway.region,
        credentials: gateway.credentials,
        endpoint: gateway.endpoint,
        method: "POST",
        path: "/",
        headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.PutItem" },
        body: JSON.stringify({ TableName, Item: item("p", "3") }),
      });
      const res = await sendSigned(gateway.endpoint, raw);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ __type: "com.amazonaws.dynamodb.v20120810#ItemCollectionSizeLimitExceededException", message: "Collection size exceeded" });

      // Other collections are not affected; rewriting an item at the same size is not growth.
      await put(item("q", "1", { lsk: { S: "a" } }));
      await put(item("p", "1", { lsk: { S: "a" } }));

      // Growing by update: +200 fits (2639), then giving item 2 an index entry (+1011) does not.
      await ddb.send(new UpdateItemCommand({ TableName, Key: { pk: { S: "p" }, sk: { S: "2" } }, UpdateExpression: "SET #d = :d", ExpressionAttributeNames: { "#d": "data" }, ExpressionAttributeValues: { ":d": data(1000) } }));
      expect((await failure(ddb.send(new UpdateItemCommand({ TableName, Key: { pk: { S: "p" }, sk: { S: "2" } }, UpdateExpression: "SET lsk = :l", ExpressionAttributeValues: { ":l": { S: "b" } } })))).name).toBe(
        "ItemCollectionSizeLimitExceededException",
      );

      // A transaction that would overflow is cancelled as a whole, with the reason per action.
      const t = await failure(
        ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName, Item: item("q", "2") } }, { Put: { TableName, Item: item("p", "3") } }] })),
      );
      expect(t).toBeInstanceOf(TransactionCanceledException);
      expect(t.CancellationReasons).toEqual([{ Code: "None" }, { Code: "ItemCollectionSizeLimitExceeded", Message: "Collection size exceeded" }]);
      expect((await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: "q" }, sk: { S: "2" } }, ConsistentRead: true }))).Item).toBeUndefined();

      // BatchWriteItem answers with the exception.
      expect((await failure(ddb.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: [{ PutRequest: { Item: item("p", "3") } }] } })))).name).toBe(
        "ItemCollectionSizeLimitExceededException",
      );

      // Deleting frees space: 2639 - 1628 = 1011, and then the third item fits.
      const del = await ddb.send(new DeleteItemCommand({ TableName, Key: { pk: { S: "p" }, sk: { S: "1" } }, ReturnItemCollectionMetrics: "SIZE" }));
      expect(del.ItemCollectionMetrics).toEqual({ ItemCollectionKey: { pk: { S: "p" } }, SizeEstimateRangeGB: [0, 1] });
      const ok = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: [{ PutRequest: { Item: item("p", "3", { lsk: { S: "c" } }) } }] }, ReturnItemCollectionMetrics: "SIZE" }));
      expect(ok.ItemCollectionMetrics?.[TableName]).toEqual([{ ItemCollectionKey: { pk: { S: "p" } }, SizeEstimateRangeGB: [0, 1] }]);
      // 1011 + 1628 = 2639: one more 811-byte item (3450) does not fit.
      expect((await failure(put(item("p", "4")))).name).toBe("ItemCollectionSizeLimitExceededException");
    });
  },
  { gateway: { env: { DDB_ITEM_COLLECTION_MAX_BYTES: String(LIMIT) } } },
);
