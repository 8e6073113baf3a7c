// The wire layer end to end through handle(): targets, body parsing, type errors,
// validation messages, CRC32 headers.

import { crc32 } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHarness, type Harness } from "../test/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
});

describe("dynamodb wire", () => {
  it("answers unknown targets and malformed bodies as DynamoDB does", async () => {
    const unknown = await h.raw("NoSuchOp", "{}");
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ __type: "com.amazon.coral.service#UnknownOperationException" });
    const partiql = await h.raw("ExecuteStatement", "{}");
    expect(partiql.body.__type).toBe("com.amazon.coral.service#UnknownOperationException");
    const bad = await h.raw("ListTables", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ __type: "com.amazon.coral.service#SerializationException" });
  });

  it("reports JSON type errors as SerializationException with Message", async () => {
    const r = await h.call("GetItem", { TableName: 5, Key: {} });
    expect(r.body).toEqual({ __type: "com.amazon.coral.service#SerializationException", Message: "NUMBER_VALUE cannot be converted to String" });
    const r2 = await h.call("ListTables", { Limit: "5" });
    expect(r2.body.Message).toBe("STRING_VALUE cannot be converted to Integer");
    const r3 = await h.call("PutItem", { TableName: "abc", Item: { a: { S: ["x"] } } });
    expect(r3.body.Message).toBe("Unrecognized collection type class java.lang.String");
  });

  it("lists up to ten constraint violations in AWS's order and ignores unknown members", async () => {
    const r = await h.call("Query", { TableName: "a!", IndexName: "b", Select: "NOPE", Limit: 0, Bogus: 1 });
    expect(r.body.__type).toBe("com.amazon.coral.validate#ValidationException");
    expect(r.body.message).toBe(
      "4 validation errors detected: " +
        "Value 'NOPE' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]; " +
        "Value 'b' at 'indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value 'a!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    const ok = await h.call("ListTables", { Bogus: true });
    expect(ok.status).toBe(200);
  });

  it("signs every body with x-amz-crc32", async () => {
    const r = await h.raw("ListTables", "{}");
    expect(r.headers.get("x-amz-crc32")).toBe(String(crc32(Buffer.from(JSON.stringify(r.body)))));
    const e = await h.raw("Nope", "{}");
    expect(e.headers.get("x-amz-crc32")).toBe(String(crc32(Buffer.from(JSON.stringify(e.body)))));
  });

  it("checks expression parameters before touching the table", async () => {
    const r = await h.call("PutItem", { TableName: "nothere", Item: { a: { S: "x" } }, ConditionExpression: "a = :v", Expected: { a: { Exists: false } } });
    expect(r.body.message).toBe(
      "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
    );
    const huge = await h.call("PutItem", { TableName: "nothere", Item: { a: { S: "x" } }, ConditionExpression: "a = :v", ExpressionAttributeValues: { ":v": { S: "x" }, ":w": { S: "y" } } });
    expect(huge.body.message).toBe("Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}");
    const missing = await h.call("PutItem", { TableName: "nothere", Item: { a: { S: "x" } } });
    expect(missing.body).toEqual({ __type: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", message: "Requested resource not found" });
  });
});
