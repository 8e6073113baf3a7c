// Behaviours captured from real DynamoDB (exact messages, error shapes, orderings) that
// peers get wrong, checked through the adapter over a real embedded store.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHarness, type Harness } from "../test/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
  await h.call("CreateTable", {
    TableName: "comp",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
      { AttributeName: "lsi1sk", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    BillingMode: "PAY_PER_REQUEST",
    GlobalSecondaryIndexes: [{ IndexName: "gsi1", KeySchema: [{ AttributeName: "lsi1sk", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
    LocalSecondaryIndexes: [
      { IndexName: "lsi1", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "lsi1sk", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } },
    ],
  });
  await h.call("CreateTable", {
    TableName: "hash",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  });
});
afterAll(async () => {
  await h.close();
});

async function cancelled(body: unknown): Promise<{ codes: string[]; messages: (string | undefined)[] }> {
  const r = await h.call("TransactWriteItems", body);
  expect(r.body.__type).toBe("com.amazonaws.dynamodb.v20120810#TransactionCanceledException");
  const reasons = r.body.CancellationReasons as { Code: string; Message?: string }[];
  return { codes: reasons.map((x) => x.Code), messages: reasons.map((x) => x.Message) };
}

describe("transactions", () => {
  it("cancel mistyped keys with a ValidationError reason per action", async () => {
    const put = await cancelled({ TransactItems: [{ Put: { TableName: "hash", Item: { pk: { N: "5" } } } }] });
    expect(put).toEqual({ codes: ["ValidationError"], messages: ["One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"] });
    const upd = await cancelled({
      TransactItems: [
        { Put: { TableName: "hash", Item: { pk: { S: "fine" } } } },
        { Update: { TableName: "hash", Key: { pk: { L: [{ S: "x" }] } }, UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": { S: "x" } } } },
      ],
    });
    expect(upd).toEqual({ codes: ["None", "ValidationError"], messages: [undefined, "The provided key element does not match the schema"] });
    const idx = await cancelled({ TransactItems: [{ Put: { TableName: "comp", Item: { pk: { S: "a" }, sk: { S: "b" }, lsi1sk: { N: "5" } } } }] });
    expect(idx.messages).toEqual(["One or more parameter values were invalid: Type mismatch for Index Key lsi1sk Expected: S Actual: N IndexName: gsi1"]);
    expect((await h.call("GetItem", { TableName: "hash", Key: { pk: { S: "fine" } } })).body.Item).toBeUndefined();
  });

  it("refuse empty key values up front", async () => {
    const r = await h.call("TransactWriteItems", { TransactItems: [{ Delete: { TableName: "hash", Key: { pk: { S: "" } } } }] });
    expect(r.body.message).toBe("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk");
    const u = await h.call("TransactWriteItems", {
      TransactItems: [{ Update: { TableName: "comp", Key: { pk: { S: "a" }, sk: { S: "c" } }, UpdateExpression: "SET lsi1sk = :v", ExpressionAttributeValues: { ":v": { S: "" } } } }],
    });
    expect(u.body.message).toBe(
      "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty string value.",
    );
  });
});

describe("items and queries", () => {
  it("refuse NULL false (AWS accepted it for a while in 2026 and rejects it again)", async () => {
    const nullFalse = "One or more parameter values were invalid: Null attribute value types must have the value of true";
    const put = await h.call("PutItem", { TableName: "hash", Item: { pk: { S: "n" }, a: { L: [{ NULL: false }] } } });
    expect([put.status, put.body.message]).toEqual([400, nullFalse]);
    expect((await h.call("GetItem", { TableName: "hash", Key: { pk: { S: "n" } } })).body.Item).toBeUndefined();
    const eav = await h.call("UpdateItem", { TableName: "hash", Key: { pk: { S: "n" } }, UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": { NULL: false } } });
    expect(eav.body.message).toBe(`ExpressionAttributeValues contains invalid value: ${nullFalse} for key :v`);
  });

  it("name the first missing key element and word Limit errors as AWS does", async () => {
    const q = await h.call("Query", { TableName: "comp", KeyConditionExpression: "pk = :v AND a = :v", ExpressionAttributeValues: { ":v": { S: "1" } } });
    expect(q.body.message).toBe("Query condition missed key schema element: sk");
    const q2 = await h.call("Query", { TableName: "comp", KeyConditionExpression: "attr1 = :v", ExpressionAttributeValues: { ":v": { S: "1" } } });
    expect(q2.body.message).toBe("Query condition missed key schema element: pk");
    const l = await h.call("Query", { TableName: "comp", KeyConditionExpression: "pk = :v", ExpressionAttributeValues: { ":v": { S: "1" } }, Limit: 0 });
    expect(l.body.message).toBe("1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    const s = await h.call("Scan", { TableName: "comp", Limit: 0 });
    expect(s.body.message).toBe("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  it("refuses a parallel-scan start key from another segment", async () => {
    for (let i = 0; i < 20; i++) await h.call("PutItem", { TableName: "hash", Item: { pk: { S: `s${i}` } } });
    const first = await h.call("Scan", { TableName: "hash", Segment: 0, TotalSegments: 2, Limit: 1 });
    const esk = first.body.LastEvaluatedKey;
    const wrong = await h.call("Scan", { TableName: "hash", Segment: 1, TotalSegments: 2, ExclusiveStartKey: esk });
    expect(wrong.body.message).toBe("The provided Exclusive start key does not map to the provided Segment and TotalSegments values.");
  });

  it("checks the table name's length from 1 and the pattern only when non-empty", async () => {
    expect((await h.call("GetItem", { TableName: "", Key: { pk: { S: "a" } } })).body.message).toBe(
      "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect((await h.call("GetItem", { TableName: "ab", Key: { pk: { S: "a" } } })).body.__type).toBe("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
  });
});

describe("ConditionalOperator", () => {
  const eq = (v: string) => ({ ComparisonOperator: "EQ", AttributeValueList: [{ S: v }] });
  const without = "ConditionalOperator cannot be used without Filter or Expected";
  const single = "ConditionalOperator can only be used when Filter or Expected has two or more elements";
  const message = async (op: string, body: Record<string, unknown>) => (await h.call(op, { TableName: "hash", ConditionalOperator: "AND", ...body })).body.message;

  it("needs an Expected or Filter map with two or more conditions", async () => {
    expect(await message("PutItem", { Item: { pk: { S: "c" } } })).toBe(without);
    expect(await message("PutItem", { Item: { pk: { S: "c" } }, Expected: {} })).toBe(without);
    expect(await message("PutItem", { Item: { pk: { S: "c" } }, Expected: { a: eq("x") } })).toBe(single);
    expect(await message("DeleteItem", { Key: { pk: { S: "c" } } })).toBe(without);
    expect(await message("DeleteItem", { Key: { pk: { S: "c" } }, Expected: { a: eq("x") } })).toBe(single);
    expect(await message("UpdateItem", { Key: { pk: { S: "c" } }, AttributeUpdates: { a: { Action: "PUT", Value: { S: "v" } } } })).toBe(without);
    expect(await message("UpdateItem", { Key: { pk: { S: "c" } }, Expected: { a: eq("x") } })).toBe(single);
    expect(await message("Scan", {})).toBe(without);
    expect(await message("Scan", { ScanFilter: { a: eq("x") } })).toBe(single);
    // Before the missing key conditions, and KeyConditions are no filter.
    expect(await message("Query", {})).toBe(without);
    expect(await message("Query", { KeyConditions: { pk: eq("c") } })).toBe(without);
    expect(await message("Query", { KeyConditions: { pk: eq("c") }, QueryFilter: { a: eq("x") } })).toBe(single);
    // Checked before the table is looked up.
    expect((await h.call("Scan", { TableName: "nothere", ConditionalOperator: "OR" })).body.message).toBe(without);
    const ok = await h.call("PutItem", { TableName: "hash", Item: { pk: { S: "c" } }, Expected: { a: { Exists: false }, b: { Exists: false } }, ConditionalOperator: "OR" });
    expect(ok.status).toBe(200);
  });

  it("counts as a non-expression parameter, in DynamoDB's order", async () => {
    const mixing = (non: string, expr: string) =>
      `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${non}} Expression parameters: {${expr}}`;
    expect(await message("PutItem", { Item: { pk: { S: "c" } }, ConditionExpression: "attribute_exists(pk)" })).toBe(mixing("ConditionalOperator", "ConditionExpression"));
    expect(await message("DeleteItem", { Key: { pk: { S: "c" } }, Expected: { a: eq("x") }, ConditionExpression: "attribute_exists(pk)" })).toBe(
      mixing("Expected, ConditionalOperator", "ConditionExpression"),
    );
    expect(
      await message("UpdateItem", {
        Key: { pk: { S: "c" } },
        AttributeUpdates: { a: { Action: "PUT", Value: { S: "v" } } },
        Expected: { a: eq("x") },
        UpdateExpression: "SET a = :v",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":v": { S: "x" } },
      }),
    ).toBe(mixing("AttributeUpdates, Expected, ConditionalOperator", "UpdateExpression, ConditionExpression"));
    expect(await message("Scan", { ScanFilter: { a: eq("x") }, ProjectionExpression: "b", FilterExpression: "a = :v", ExpressionAttributeValues: { ":v": { S: "x" } } })).toBe(
      mixing("ScanFilter, ConditionalOperator", "ProjectionExpression, FilterExpression"),
    );
    expect(await message("Query", { KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "c" } } })).toBe(
      mixing("ConditionalOperator", "KeyConditionExpression"),
    );
  });
});

describe("UpdateTable", () => {
  it("refuses a throughput equal to the current one unless the request changes something else", async () => {
    const created = await h.call("CreateTable", {
      TableName: "prov",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 },
    });
    expect(created.status).toBe(200);
    const same = { ReadCapacityUnits: 3, WriteCapacityUnits: 4 };
    const noChange =
      "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 3. Requested ReadCapacityUnits: 3. Current WriteCapacityUnits provisioned for the table: 4. Requested WriteCapacityUnits: 4. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.";
    expect((await h.call("UpdateTable", { TableName: "prov", ProvisionedThroughput: same })).body.message).toBe(noChange);
    expect((await h.call("UpdateTable", { TableName: "prov", ProvisionedThroughput: same, BillingMode: "PROVISIONED" })).body.message).toBe(noChange);
    const withGsi = await h.call("UpdateTable", {
      TableName: "prov",
      ProvisionedThroughput: same,
      AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" }, ProvisionedThroughput: same } }],
    });
    expect(withGsi.status).toBe(200);
    expect((await h.call("UpdateTable", { TableName: "prov", ProvisionedThroughput: same, DeletionProtectionEnabled: false })).status).toBe(200);
    expect((await h.call("UpdateTable", { TableName: "prov", ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 5 } })).status).toBe(200);
  });
});

describe("OnDemandThroughput", () => {
  const base = {
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "g", AttributeType: "S" },
    ],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  };
  const gsi = (OnDemandThroughput?: unknown) => ({ IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" }, OnDemandThroughput });
  type Desc = { OnDemandThroughput?: unknown; GlobalSecondaryIndexes: { OnDemandThroughput?: unknown }[] };
  const described = async (TableName: string) => (await h.call("DescribeTable", { TableName })).body.Table as Desc;
  const message = async (op: string, body: unknown) => (await h.call(op, body)).body.message;

  it("CreateTable and DescribeTable echo what was set, on the table and each index, and omit it otherwise", async () => {
    const created = await h.call("CreateTable", { ...base, TableName: "odt1", OnDemandThroughput: { MaxReadRequestUnits: 100 }, GlobalSecondaryIndexes: [gsi({ MaxReadRequestUnits: 200, MaxWriteRequestUnits: 50 })] });
    const cd = created.body.TableDescription as Desc;
    expect(cd.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 100 });
    expect(cd.GlobalSecondaryIndexes[0]!.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 200, MaxWriteRequestUnits: 50 });
    const d = await described("odt1");
    expect(d.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 100 });
    expect(d.GlobalSecondaryIndexes[0]!.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 200, MaxWriteRequestUnits: 50 });
    // An empty struct sets nothing.
    expect((await h.call("CreateTable", { ...base, TableName: "odt2", OnDemandThroughput: {}, GlobalSecondaryIndexes: [gsi({})] })).status).toBe(200);
    const plain = await described("odt2");
    expect("OnDemandThroughput" in plain).toBe(false);
    expect("OnDemandThroughput" in plain.GlobalSecondaryIndexes[0]!).toBe(false);
    const del = (await h.call("DeleteTable", { TableName: "odt1" })).body.TableDescription as Desc;
    expect(del.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 100 });
  });

  it("CreateTable refuses it on a PROVISIONED table and below 1, as DynamoDB words it", async () => {
    const hashOnly = { ...base, TableName: "odtbad", AttributeDefinitions: [base.AttributeDefinitions[0]] };
    // The billing-mode refusal comes first and names the read member, even when out of range.
    const provisioned = { ...hashOnly, BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } };
    expect(await message("CreateTable", { ...provisioned, OnDemandThroughput: { MaxWriteRequestUnits: 5, MaxReadRequestUnits: 0 } })).toBe(
      "One or more parameter values were invalid: MaxReadRequestUnits for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED.",
    );
    for (const [odt, member] of [
      [{ MaxReadRequestUnits: 0, MaxWriteRequestUnits: 0 }, "MaxReadRequestUnits"],
      [{ MaxReadRequestUnits: -1, MaxWriteRequestUnits: -1 }, "MaxReadRequestUnits"],
      [{ MaxReadRequestUnits: 5, MaxWriteRequestUnits: -2 }, "MaxWriteRequestUnits"],
    ] as const)
      expect(await message("CreateTable", { ...hashOnly, OnDemandThroughput: odt })).toBe(
        `One or more parameter values were invalid: Requested ${member} for OnDemandThroughput for table is outside of valid range`,
      );
    expect(await message("CreateTable", { ...base, TableName: "odtbad", GlobalSecondaryIndexes: [gsi({ MaxReadRequestUnits: -1 })] })).toBe(
      "One or more parameter values were invalid: Requested MaxReadRequestUnits for OnDemandThroughput for index : byG is outside of valid range",
    );
  });

  it("UpdateTable merges member by member, -1 removes one, and PROVISIONED drops every ceiling for good", async () => {
    await h.call("CreateTable", { ...base, TableName: "odt3", OnDemandThroughput: { MaxReadRequestUnits: 100 }, GlobalSecondaryIndexes: [gsi({ MaxReadRequestUnits: 200 })] });
    const updated = await h.call("UpdateTable", { TableName: "odt3", OnDemandThroughput: { MaxWriteRequestUnits: 500 } });
    expect((updated.body.TableDescription as Desc).OnDemandThroughput).toEqual({ MaxReadRequestUnits: 100, MaxWriteRequestUnits: 500 });
    await h.call("UpdateTable", { TableName: "odt3", OnDemandThroughput: { MaxReadRequestUnits: -1 } });
    expect((await described("odt3")).OnDemandThroughput).toEqual({ MaxWriteRequestUnits: 500 });
    await h.call("UpdateTable", { TableName: "odt3", OnDemandThroughput: { MaxWriteRequestUnits: -1 } });
    expect("OnDemandThroughput" in (await described("odt3"))).toBe(false);
    for (const v of [0, -2])
      expect(await message("UpdateTable", { TableName: "odt3", OnDemandThroughput: { MaxWriteRequestUnits: v } })).toBe(
        "One or more parameter values were invalid: Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range",
      );

    const gsiUpdate = (Update: unknown) => ({ TableName: "odt3", GlobalSecondaryIndexUpdates: [{ Update: { IndexName: "byG", ...(Update as object) } }] });
    expect((await h.call("UpdateTable", gsiUpdate({ OnDemandThroughput: { MaxWriteRequestUnits: 70 } }))).status).toBe(200);
    expect((await described("odt3")).GlobalSecondaryIndexes[0]!.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 200, MaxWriteRequestUnits: 70 });
    const onlyOnDemand =
      "One or more parameter values were invalid: The only Updates for index: byG when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput";
    expect(await message("UpdateTable", gsiUpdate({}))).toBe(onlyOnDemand);
    expect(await message("UpdateTable", gsiUpdate({ OnDemandThroughput: {} }))).toBe(onlyOnDemand);
    expect(await message("UpdateTable", gsiUpdate({ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }))).toBe(onlyOnDemand);

    await h.call("UpdateTable", { TableName: "odt3", OnDemandThroughput: { MaxReadRequestUnits: 300 } });
    const one = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
    expect(
      await message("UpdateTable", { TableName: "odt3", BillingMode: "PROVISIONED", ProvisionedThroughput: one, OnDemandThroughput: { MaxWriteRequestUnits: 5 } }),
    ).toBe("One or more parameter values were invalid: MaxWriteRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED");
    const toProvisioned = await h.call("UpdateTable", { ...gsiUpdate({ ProvisionedThroughput: one }), BillingMode: "PROVISIONED", ProvisionedThroughput: one });
    expect(toProvisioned.status).toBe(200);
    const p = await described("odt3");
    expect("OnDemandThroughput" in p).toBe(false);
    expect("OnDemandThroughput" in p.GlobalSecondaryIndexes[0]!).toBe(false);
    expect(await message("UpdateTable", { TableName: "odt3", OnDemandThroughput: { MaxReadRequestUnits: 5 } })).toBe(
      "One or more parameter values were invalid: MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED",
    );
    await h.call("UpdateTable", { TableName: "odt3", BillingMode: "PAY_PER_REQUEST" });
    const back = await described("odt3");
    expect("OnDemandThroughput" in back).toBe(false);
    expect("OnDemandThroughput" in back.GlobalSecondaryIndexes[0]!).toBe(false);
    // Switching to PAY_PER_REQUEST may set a ceiling in the same request.
    await h.call("UpdateTable", { ...gsiUpdate({ ProvisionedThroughput: one }), BillingMode: "PROVISIONED", ProvisionedThroughput: one });
    const again = await h.call("UpdateTable", { TableName: "odt3", BillingMode: "PAY_PER_REQUEST", OnDemandThroughput: { MaxReadRequestUnits: 9 } });
    expect((again.body.TableDescription as Desc).OnDemandThroughput).toEqual({ MaxReadRequestUnits: 9 });
  });
});

describe("key sizes", () => {
  it("store 2048-byte partition keys and 1024-byte sort keys, indexed, on the embedded store", async () => {
    const pk = "p".repeat(2048);
    const sk = "s".repeat(1024);
    const ix = "i".repeat(1024);
    const put = await h.call("PutItem", { TableName: "comp", Item: { pk: { S: pk }, sk: { S: sk }, lsi1sk: { S: ix } } });
    expect(put.status).toBe(200);
    const got = await h.call("GetItem", { TableName: "comp", Key: { pk: { S: pk }, sk: { S: sk } } });
    expect((got.body.Item as Record<string, { S: string }>).lsi1sk!.S).toBe(ix);
    const q = await h.call("Query", { TableName: "comp", KeyConditionExpression: "pk = :p AND begins_with(sk, :s)", ExpressionAttributeValues: { ":p": { S: pk }, ":s": { S: "sss" } } });
    expect(q.body.Count).toBe(1);
    for (const IndexName of ["gsi1", "lsi1"]) {
      const key = IndexName === "gsi1" ? "lsi1sk" : "pk";
      const r = await h.call("Query", { TableName: "comp", IndexName, KeyConditionExpression: `${key} = :v`, ExpressionAttributeValues: { ":v": { S: IndexName === "gsi1" ? ix : pk } } });
      expect([IndexName, r.body.Count]).toEqual([IndexName, 1]);
    }
    const over = await h.call("GetItem", { TableName: "comp", Key: { pk: { S: pk + "p" }, sk: { S: sk } } });
    expect(over.body.message).toBe("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
    const del = await h.call("DeleteItem", { TableName: "comp", Key: { pk: { S: pk }, sk: { S: sk } } });
    expect(del.status).toBe(200);
  });
});

describe("table names", () => {
  it("CreateTable requires the name and holds it to 3-255 characters", async () => {
    const base = { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" };
    expect((await h.call("CreateTable", base)).body.message).toBe("The parameter 'TableName' is required but was not present in the request");
    expect((await h.call("CreateTable", { ...base, TableName: "ab" })).body.message).toBe(
      "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
    );
    expect((await h.call("DescribeTable", { TableName: "ab" })).body.message).toBe("Requested resource not found: Table: ab not found");
  });
});

describe("validation echoes", () => {
  it("render structures and maps as the service's JVM objects", async () => {
    const r = await h.call("CreateTable", {
      TableName: "echo",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
        { AttributeName: "extra", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    });
    expect(r.body.message).toBe(
      "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=extra, keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2",
    );
    const many = await h.call("BatchWriteItem", { RequestItems: { hash: Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `b${i}` } } } })) } });
    expect(many.body.message).toMatch(
      /^1 validation error detected: Value '\{hash=\[.+\]\}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 25, Member must have length greater than or equal to 1\]$/s,
    );
  });

  it("batch requests: empty maps and mistyped keys", async () => {
    expect((await h.call("BatchWriteItem", { RequestItems: {} })).body.message).toBe("The requestItems parameter is required for BatchWriteItem");
    expect((await h.call("BatchGetItem", { RequestItems: {} })).body.message).toBe("The requestItems parameter is required for BatchGetItem");
    expect((await h.call("BatchWriteItem", { RequestItems: { hash: [{ PutRequest: { Item: { pk: { N: "5" } } } }] } })).body.message).toBe(
      "The provided key element does not match the schema",
    );
    expect((await h.call("BatchWriteItem", { RequestItems: { comp: [{ PutRequest: { Item: { pk: { S: "x" }, sk: { S: "c" }, lsi1sk: { S: "" } } } }] } })).body.message).toBe(
      "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: gsi1, IndexKey: lsi1sk",
    );
  });
});

describe("index reads", () => {
  it("fetch non-projected attributes from the table for LSIs and refuse ALL_ATTRIBUTES on partial GSIs", async () => {
    await h.call("CreateTable", {
      TableName: "proj",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
        { AttributeName: "l", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      LocalSecondaryIndexes: [{ IndexName: "byL", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "l", KeyType: "RANGE" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
      GlobalSecondaryIndexes: [{ IndexName: "byLg", KeySchema: [{ AttributeName: "l", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
    });
    await h.call("PutItem", { TableName: "proj", Item: { pk: { S: "a" }, sk: { S: "1" }, l: { S: "x" }, extra: { S: "e" } } });
    const keysOnly = await h.call("Query", { TableName: "proj", IndexName: "byL", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "a" } } });
    expect(keysOnly.body.Items).toEqual([{ pk: { S: "a" }, sk: { S: "1" }, l: { S: "x" } }]);
    const all = await h.call("Query", { TableName: "proj", IndexName: "byL", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "a" } }, Select: "ALL_ATTRIBUTES" });
    expect((all.body.Items as Record<string, unknown>[])[0]!.extra).toEqual({ S: "e" });
    const gsi = await h.call("Query", { TableName: "proj", IndexName: "byLg", KeyConditionExpression: "l = :l", ExpressionAttributeValues: { ":l": { S: "x" } }, Select: "ALL_ATTRIBUTES" });
    expect(gsi.body.message).toBe(
      "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byLg because its projection type is not ALL",
    );
  });
});

describe("nulls inside attribute values", () => {
  const nullItem = "The supplied Item contains a null AttributeValue";
  const nullString = "One or more parameter values were invalid: An string set may not have a null string as a member";
  // Sent as raw JSON: the values are what a hand-written or buggy client puts on the wire.
  const cases: [string, unknown, string][] = [
    ["a list element", { L: [{ S: "a" }, null] }, nullItem],
    ["a map value", { M: { ok: { S: "a" }, a: null } }, `${nullItem}: a is null`],
    ["a string set member", { SS: ["a", null] }, nullString],
    ["a binary set member", { BS: ["AQ==", null] }, nullItem],
    ["two null set members (refused as null, not as duplicates)", { SS: [null, null] }, nullString],
    ["two null binary-set members", { BS: [null, null] }, nullItem],
    ["a number set member", { NS: ["1", null] }, "The parameter cannot be converted to a numeric value"],
    ["a nested list element", { M: { deep: { L: [null] } } }, nullItem],
  ];
  for (const [what, bad, message] of cases) {
    it(`refuse ${what} in every place that takes a value, with a 400`, async () => {
      const key = { pk: { S: "nul" } };
      const eav = `ExpressionAttributeValues contains invalid value: ${message} for key :v`;
      const requests: [string, unknown, string][] = [
        ["PutItem", { TableName: "hash", Item: { ...key, x: bad } }, message],
        ["BatchWriteItem", { RequestItems: { hash: [{ PutRequest: { Item: { ...key, x: bad } } }] } }, message],
        ["TransactWriteItems", { TransactItems: [{ Put: { TableName: "hash", Item: { ...key, x: bad } } }] }, message],
        ["UpdateItem", { TableName: "hash", Key: key, UpdateExpression: "ADD x :v", ExpressionAttributeValues: { ":v": bad } }, eav],
        ["UpdateItem", { TableName: "hash", Key: key, AttributeUpdates: { x: { Action: "PUT", Value: bad } } }, message],
        ["PutItem", { TableName: "hash", Item: key, ConditionExpression: "x = :v", ExpressionAttributeValues: { ":v": bad } }, eav],
        ["Scan", { TableName: "hash", FilterExpression: "x = :v", ExpressionAttributeValues: { ":v": bad } }, eav],
        ["Scan", { TableName: "hash", ScanFilter: { x: { ComparisonOperator: "EQ", AttributeValueList: [bad] } } }, message],
      ];
      for (const [op, body, expected] of requests) {
        const r = await h.call(op, body);
        expect([op, r.status, r.body.__type, r.body.message]).toEqual([op, 400, "com.amazon.coral.validate#ValidationException", expected]);
      }
      expect((await h.call("GetItem", { TableName: "hash", Key: key })).body.Item).toBeUndefined();
    });
  }
});

describe("nesting depth", () => {
  // Built as text: JSON.stringify itself overflows the stack on values this deep.
  const deepList = (n: number) => '{"L":['.repeat(n) + '{"S":"x"}' + "]}".repeat(n);
  const deepMap = (n: number) => '{"M":{"a":'.repeat(n) + '{"S":"x"}' + "}}".repeat(n);
  const nesting = "Nesting Levels have exceeded supported limits";

  it("accept 32 levels and refuse anything deeper, however deep, in every place that takes a value", async () => {
    expect((await h.raw("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"d32"},"x":${deepList(31)}}}`)).status).toBe(200);
    const deepest = await h.raw("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"d"},"x":${deepList(100_000)}}}`);
    expect([deepest.status, deepest.body.message]).toEqual([400, nesting]);
    for (const deep of [deepList(32), deepList(5000), deepMap(5000)]) {
      const requests: [string, string, string][] = [
        ["PutItem", `{"TableName":"hash","Item":{"pk":{"S":"d"},"x":${deep}}}`, nesting],
        ["BatchWriteItem", `{"RequestItems":{"hash":[{"PutRequest":{"Item":{"pk":{"S":"d"},"x":${deep}}}}]}}`, nesting],
        ["TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"hash","Item":{"pk":{"S":"d"},"x":${deep}}}}]}`, nesting],
        ["UpdateItem", `{"TableName":"hash","Key":{"pk":{"S":"d"}},"UpdateExpression":"SET x = :v","ExpressionAttributeValues":{":v":${deep}}}`,
          `ExpressionAttributeValues contains invalid value: ${nesting} for key :v`],
        ["GetItem", `{"TableName":"hash","Key":{"pk":${deep}}}`, nesting],
        ["Query", `{"TableName":"hash","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[${deep}]}}}`, nesting],
      ];
      for (const [op, body, expected] of requests) {
        const r = await h.raw(op, body);
        expect([op, r.status, r.body.message]).toEqual([op, 400, expected]);
      }
      // A constraint violation echoes the request: the value is cut short, not walked.
      const many = await h.raw("BatchWriteItem", `{"RequestItems":{"hash":[${Array.from({ length: 26 }, () => `{"PutRequest":{"Item":{"x":${deep}}}}`).join(",")}]}}`);
      expect(many.status).toBe(400);
      expect(many.body.message).toContain("Member must have length less than or equal to 25");
    }
  });
});

describe("UpdateTable to PROVISIONED", () => {
  it("needs a ProvisionedThroughput for every global index of an on-demand table", async () => {
    const g = (IndexName: string, attr: string) => ({ IndexName, KeySchema: [{ AttributeName: attr, KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } });
    await h.call("CreateTable", {
      TableName: "toprov",
      AttributeDefinitions: ["pk", "a", "b"].map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      GlobalSecondaryIndexes: [g("byA", "a"), g("byB", "b")],
    });
    const one = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
    const message = async (body: object) => (await h.call("UpdateTable", { TableName: "toprov", BillingMode: "PROVISIONED", ProvisionedThroughput: one, ...body })).body.message;
    const missing = "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: ";
    expect(await message({})).toBe(`${missing}byA,byB`);
    expect(await message({ GlobalSecondaryIndexUpdates: [{ Update: { IndexName: "byB", ProvisionedThroughput: one } }] })).toBe(`${missing}byA`);
    // A new index needs its own throughput once the table is to be PROVISIONED.
    expect(
      await message({
        AttributeDefinitions: [{ AttributeName: "c", AttributeType: "S" }],
        GlobalSecondaryIndexUpdates: [{ Create: g("byC", "c") }],
      }),
    ).toBe(`${missing}byC`);
    const d = (await h.call("DescribeTable", { TableName: "toprov" })).body.Table as { BillingModeSummary?: { BillingMode: string } };
    expect(d.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const both = [
      { Update: { IndexName: "byA", ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 } } },
      { Update: { IndexName: "byB", ProvisionedThroughput: one } },
    ];
    expect((await h.call("UpdateTable", { TableName: "toprov", BillingMode: "PROVISIONED", ProvisionedThroughput: one, GlobalSecondaryIndexUpdates: both })).status).toBe(200);
    const after = (await h.call("DescribeTable", { TableName: "toprov" })).body.Table as { GlobalSecondaryIndexes: { IndexName: string; ProvisionedThroughput: Record<string, number> }[] };
    expect(after.GlobalSecondaryIndexes.map((i) => [i.IndexName, i.ProvisionedThroughput.ReadCapacityUnits, i.ProvisionedThroughput.WriteCapacityUnits]).sort()).toEqual([
      ["byA", 2, 3],
      ["byB", 1, 1],
    ]);
  });
});

describe("partial global index reads", () => {
  it("refuse attributes the index does not project, naming each top-level attribute once", async () => {
    await h.call("CreateTable", {
      TableName: "partial",
      AttributeDefinitions: ["pk", "sk", "g", "l"].map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      GlobalSecondaryIndexes: [
        { IndexName: "keys", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } },
        { IndexName: "incl", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["i"] } },
      ],
      LocalSecondaryIndexes: [{ IndexName: "local", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "l", KeyType: "RANGE" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
    });
    const item = { pk: { S: "p" }, sk: { S: "s" }, g: { S: "x" }, l: { S: "y" }, i: { M: { n: { S: "in" } } }, o: { S: "out" } };
    await h.call("PutItem", { TableName: "partial", Item: item });
    const query = (IndexName: string, extra: object) =>
      h.call("Query", { TableName: "partial", IndexName, KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: "x" } }, ...extra });
    const scan = (IndexName: string, extra: object) => h.call("Scan", { TableName: "partial", IndexName, ...extra });
    const refusal = (index: string, attrs: string) => `One or more parameter values were invalid: Global secondary index ${index} does not project [${attrs}]`;

    expect((await query("keys", { ProjectionExpression: "o, i.n, pk, i.m" })).body.message).toBe(refusal("keys", "o, i"));
    expect((await query("incl", { ProjectionExpression: "#o", ExpressionAttributeNames: { "#o": "o" } })).body.message).toBe(refusal("incl", "o"));
    expect((await scan("incl", { AttributesToGet: ["i", "o"] })).body.message).toBe(refusal("incl", "o"));
    expect((await scan("keys", { Select: "SPECIFIC_ATTRIBUTES", AttributesToGet: ["o"] })).body.message).toBe(refusal("keys", "o"));
    // Keys of the table and of the index, and included attributes (also nested), are there.
    expect((await query("incl", { ProjectionExpression: "pk, sk, g, i.n" })).body.Items).toEqual([{ pk: item.pk, sk: item.sk, g: item.g, i: item.i }]);
    expect((await scan("keys", { AttributesToGet: ["g", "sk"] })).body.Items).toEqual([{ g: item.g, sk: item.sk }]);
    // A local index still fetches what it lacks from the table.
    const local = await h.call("Query", {
      TableName: "partial",
      IndexName: "local",
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": { S: "p" } },
      ProjectionExpression: "o, i.n",
    });
    expect(local.body.Items).toEqual([{ o: item.o, i: item.i }]);
  });
});
