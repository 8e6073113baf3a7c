// Eventually consistent reads take table records from a cache kept fresh by a store watch.
// A schema change must reach every gateway: the one that made it at once, the others (on
// etcd, a second process on the same cluster) as soon as the watch delivers the change.

import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, expect, it } from "vitest";
import { clientConfigFor, describeBothBackends } from "../harness/both-backends.ts";
import { startGateway, type GatewayProcess } from "../harness/gateway.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retry `fn` until it passes, for at most `ms` (well under the cache's 2 s entry lifetime). */
async function within<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(25);
    }
  }
}

/** The error's name (or message), "none" when the call succeeds. */
async function errorName(p: Promise<unknown>, field: "name" | "message" = "name"): Promise<string> {
  try {
    await p;
    return "none";
  } catch (e) {
    return (e as Error)[field];
  }
}
const errorMessage = (p: Promise<unknown>) => errorName(p, "message");

describeBothBackends("dynamodb table cache", (ctx) => {
  let second: GatewayProcess | undefined;
  let other: DynamoDBClient | undefined;
  afterAll(async () => {
    other?.destroy();
    await second?.stop();
  });
  const clients = async (): Promise<DynamoDBClient[]> => {
    const { backend, cluster, dynamodb } = ctx();
    if (backend !== "etcd") return [dynamodb];
    if (!second) {
      second = await startGateway({ backend: "etcd", etcdEndpoints: cluster!.endpoints });
      other = new DynamoDBClient(clientConfigFor(second));
    }
    return [dynamodb, other!];
  };

  it("DeleteTable, re-creation with another schema and UpdateTable reach every gateway's eventually consistent reads", async () => {
    const [a, ...rest] = await clients();
    const all = [a!, ...rest];
    // Let each gateway's watch settle, so that its cache is in use.
    await sleep(1_300);
    const name = `cache-${Date.now().toString(36)}`;
    await a!.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
    await a!.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "k" }, v: { S: "one" } } }));
    const get = (c: DynamoDBClient) => c.send(new GetItemCommand({ TableName: name, Key: { pk: { S: "k" } } }));
    for (const c of all) await within(1_000, async () => expect((await get(c)).Item?.v?.S).toBe("one"));
    // Warm every cache right before the change.
    for (const c of all) for (let i = 0; i < 3; i++) await get(c);

    await a!.send(new DeleteTableCommand({ TableName: name }));
    // The gateway that deleted the table knows at once.
    expect(await errorName(get(a!))).toBe(ResourceNotFoundException.name);
    for (const c of rest) await within(1_000, async () => expect(await errorName(get(c))).toBe(ResourceNotFoundException.name));

    // Same name, numeric key: the old schema must not be used to read it.
    await a!.send(new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "N" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    await a!.send(new PutItemCommand({ TableName: name, Item: { pk: { N: "7" }, g: { S: "x" } } }));
    for (const c of all) {
      await within(1_000, async () => expect(await errorName(get(c))).toBe("ValidationException"));
      await within(1_000, async () => expect((await c.send(new GetItemCommand({ TableName: name, Key: { pk: { N: "7" } } }))).Item?.g?.S).toBe("x"));
    }

    // A new index becomes queryable through every gateway without waiting for cache expiry.
    const query = (c: DynamoDBClient) =>
      c.send(new QueryCommand({ TableName: name, IndexName: "byG", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: "x" } } }));
    const unknown = "The table does not have the specified index: byG";
    for (const c of all) for (let i = 0; i < 3; i++) expect(await errorMessage(query(c))).toBe(unknown);
    await a!.send(new UpdateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
    }));
    // Known at once everywhere: refused as backfilling (as DynamoDB does) until it is built.
    const known = ["none", "Cannot read from backfilling global secondary index: byG"];
    expect(known).toContain(await errorMessage(query(a!)));
    for (const c of rest) await within(1_000, async () => expect(known).toContain(await errorMessage(query(c))));
    for (const c of all) await within(10_000, async () => expect(await errorMessage(query(c))).toBe("none"));
  });
});
