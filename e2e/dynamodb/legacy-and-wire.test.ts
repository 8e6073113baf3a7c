// Legacy (pre-expression) parameters that older code still sends, and raw wire-level bad
// input through the real gateway with a valid signature.

import {
  CreateTableCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { crc32 } from "node:zlib";
import { expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";
import { signForReplay } from "../harness/sign.ts";

async function table(ddb: DynamoDBClient, name: string): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
}

describeBothBackends("dynamodb legacy parameters and wire", (ctx) => {
  const ddb = () => ctx().dynamodb;

  it("Expected, AttributeUpdates, AttributesToGet, KeyConditions, QueryFilter, ScanFilter, ConditionalOperator", async () => {
    const name = `legacy-${Date.now().toString(36)}`;
    await table(ddb(), name);
    const key = { pk: { S: "a" }, sk: { N: "1" } };
    await ddb().send(new PutItemCommand({ TableName: name, Item: { ...key, n: { N: "5" }, s: { SS: ["x"] } }, Expected: { pk: { Exists: false } } }));
    const dup = await ddb().send(new PutItemCommand({ TableName: name, Item: key, Expected: { pk: { Exists: false } } })).catch((e: Error) => e.name);
    expect(dup).toBe("ConditionalCheckFailedException");
    const upd = await ddb().send(
      new UpdateItemCommand({
        TableName: name,
        Key: key,
        AttributeUpdates: { n: { Action: "ADD", Value: { N: "2" } }, s: { Action: "ADD", Value: { SS: ["y"] } }, t: { Action: "PUT", Value: { S: "new" } } },
        Expected: { n: { ComparisonOperator: "GE", AttributeValueList: [{ N: "5" }] }, gone: { ComparisonOperator: "NULL" } },
        ConditionalOperator: "AND",
        ReturnValues: "UPDATED_NEW",
      }),
    );
    expect(upd.Attributes?.n).toEqual({ N: "7" });
    expect(upd.Attributes?.t).toEqual({ S: "new" });
    const got = await ddb().send(new GetItemCommand({ TableName: name, Key: key, AttributesToGet: ["n", "t"] }));
    expect(got.Item).toEqual({ n: { N: "7" }, t: { S: "new" } });
    for (let i = 2; i <= 6; i++) await ddb().send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" }, sk: { N: String(i) }, tag: { S: i % 2 ? "odd" : "even" } } }));
    const q = await ddb().send(
      new QueryCommand({
        TableName: name,
        KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "a" }] }, sk: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "2" }, { N: "5" }] } },
        QueryFilter: { tag: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "odd" }] } },
      }),
    );
    expect(q.Items!.map((i) => i.sk!.N)).toEqual(["3", "5"]);
    const s = await ddb().send(
      new ScanCommand({
        TableName: name,
        ScanFilter: { tag: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "even" }] }, n: { ComparisonOperator: "NOT_NULL" } },
        ConditionalOperator: "OR",
      }),
    );
    expect(s.Items!.map((i) => i.sk!.N).sort()).toEqual(["1", "2", "4", "6"]);
    const mixed = await ddb()
      .send(new DeleteItemCommand({ TableName: name, Key: key, Expected: { n: { Exists: true, Value: { N: "7" } } }, ConditionExpression: "attribute_exists(pk)" }))
      .catch((e: Error) => e.message);
    expect(mixed).toBe(
      "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
    );
    await ddb().send(new DeleteItemCommand({ TableName: name, Key: key, Expected: { n: { Exists: true, Value: { N: "7" } } } }));
  });

  it("refuses ConditionalOperator without two legacy conditions, and mixed with expressions", async () => {
    const name = `condop-${Date.now().toString(36)}`;
    await table(ddb(), name);
    const key = { pk: { S: "a" }, sk: { N: "1" } };
    const eq = { ComparisonOperator: "EQ" as const, AttributeValueList: [{ S: "x" }] };
    const fail = (p: Promise<unknown>) => p.then(() => "accepted", (e: Error) => `${e.name}: ${e.message}`);
    expect(await fail(ddb().send(new PutItemCommand({ TableName: name, Item: key, ConditionalOperator: "AND" })))).toBe(
      "ValidationException: ConditionalOperator cannot be used without Filter or Expected",
    );
    expect(await fail(ddb().send(new ScanCommand({ TableName: name, ScanFilter: { a: eq }, ConditionalOperator: "OR" })))).toBe(
      "ValidationException: ConditionalOperator can only be used when Filter or Expected has two or more elements",
    );
    expect(
      await fail(
        ddb().send(
          new UpdateItemCommand({
            TableName: name,
            Key: key,
            AttributeUpdates: { a: { Action: "PUT", Value: { S: "v" } } },
            Expected: { a: eq },
            ConditionalOperator: "AND",
            UpdateExpression: "SET a = :v",
            ExpressionAttributeValues: { ":v": { S: "v" } },
          }),
        ),
      ),
    ).toBe(
      "ValidationException: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates, Expected, ConditionalOperator} Expression parameters: {UpdateExpression}",
    );
    const values = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`:v${i}`, { S: String(i) }]));
    expect(await fail(ddb().send(new ScanCommand({ TableName: name, FilterExpression: `a IN (${Object.keys(values).join(", ")})`, ExpressionAttributeValues: values })))).toBe(
      "ValidationException: Invalid FilterExpression: The IN operator is provided with too many operands; number of operands: 101",
    );
    expect(await fail(ddb().send(new GetItemCommand({ TableName: name, Key: key, ProjectionExpression: "a" + ".b".repeat(32) })))).toBe(
      "ValidationException: Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33",
    );
  });

  it("answers malformed JSON, wrong types and unknown targets as DynamoDB does", async () => {
    const g = ctx().gateway;
    const send = async (target: string, body: string) => {
      const signed = await signForReplay({
        service: "dynamodb",
        region: g.region,
        credentials: g.credentials,
        endpoint: g.endpoint,
        method: "POST",
        path: "/",
        headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": target },
        body,
      });
      const res = await fetch(g.endpoint + "/", { method: "POST", headers: signed.headers, body });
      const text = await res.text();
      expect(res.headers.get("x-amz-crc32")).toBe(String(crc32(Buffer.from(text))));
      return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
    };
    expect(await send("DynamoDB_20120810.ListTables", "{oops")).toEqual({ status: 400, body: { __type: "com.amazon.coral.service#SerializationException" } });
    expect(await send("DynamoDB_20120810.GetItem", JSON.stringify({ TableName: true }))).toEqual({
      status: 400,
      body: { __type: "com.amazon.coral.service#SerializationException", Message: "TRUE_VALUE cannot be converted to String" },
    });
    expect((await send("DynamoDB_20120810.Frobnicate", "{}")).body).toEqual({ __type: "com.amazon.coral.service#UnknownOperationException" });
    // Nulls inside values, {"NULL": false} and any nesting depth: 400s, before the table is looked up.
    const put = (item: string) => send("DynamoDB_20120810.PutItem", `{"TableName":"whatever","Item":{"pk":{"S":"a"},"x":${item}}}`);
    expect((await put('{"L":[null]}')).body).toEqual({ __type: "com.amazon.coral.validate#ValidationException", message: "The supplied Item contains a null AttributeValue" });
    expect((await put('{"M":{"a":null}}')).body.message).toBe("The supplied Item contains a null AttributeValue: a is null");
    expect((await put('{"NULL":false}')).body.message).toBe("One or more parameter values were invalid: Null attribute value types must have the value of true");
    expect(await put('{"L":['.repeat(5000) + "{}" + "]}".repeat(5000))).toEqual({
      status: 400,
      body: { __type: "com.amazon.coral.validate#ValidationException", message: "Nesting Levels have exceeded supported limits" },
    });
    const add = await send(
      "DynamoDB_20120810.UpdateItem",
      JSON.stringify({ TableName: "whatever", Key: { pk: { S: "a" } }, UpdateExpression: "ADD x :v", ExpressionAttributeValues: { ":v": { SS: [null] } } }),
    );
    expect(add.body.message).toBe(
      "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set may not have a null string as a member for key :v",
    );
    const huge = "a = :v AND " + Array.from({ length: 600 }, (_, i) => `b${i} = :v`).join(" AND ");
    const r = await send("DynamoDB_20120810.Scan", JSON.stringify({ TableName: "whatever", FilterExpression: huge, ExpressionAttributeValues: { ":v": { S: "x" } } }));
    expect(r.body.message).toBe(`Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: ${huge.length}`);
  });
});
