// Store failures map to DynamoDB's retryable errors: a write that keeps conflicting is a
// TransactionConflictException for transactions and an InternalServerError (500) elsewhere;
// deadlines and lost quorum are 500s. Faults are injected around a real embedded store.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeadlineExceededError, RetryLimitError, WriteConflictError } from "../../../kvclient/errors.ts";
import type { Store } from "../../../kvclient/store.ts";
import { openHarness, type Harness } from "../test/harness.ts";

let fault: Error | undefined;
let h: Harness;

function faulty(s: Store): Store {
  return new Proxy(s, {
    get(target, prop, receiver) {
      if (prop === "transact")
        return (body: never, opts: never) => (fault ? Promise.reject(fault) : target.transact(body, opts));
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

beforeAll(async () => {
  h = await openHarness(faulty);
  await h.call("CreateTable", {
    TableName: "faults",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  });
});
afterAll(async () => {
  fault = undefined;
  await h.close();
});

describe("store errors", () => {
  it("persistent conflicts", async () => {
    fault = new RetryLimitError("gave up", 8, new WriteConflictError());
    const t = await h.call("TransactWriteItems", { TransactItems: [{ Put: { TableName: "faults", Item: { pk: { S: "a" } } } }] });
    expect(t.status).toBe(400);
    expect(t.body).toEqual({ __type: "com.amazonaws.dynamodb.v20120810#TransactionConflictException", message: "Transaction is ongoing for the item" });
    const p = await h.call("PutItem", { TableName: "faults", Item: { pk: { S: "a" } } });
    expect(p.status).toBe(500);
    expect(p.body.__type).toBe("com.amazonaws.dynamodb.v20120810#InternalServerError");
    fault = undefined;
  });

  it("deadlines", async () => {
    fault = new DeadlineExceededError("too slow");
    const p = await h.call("UpdateItem", { TableName: "faults", Key: { pk: { S: "a" } }, UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": { S: "x" } } });
    expect(p.status).toBe(500);
    fault = undefined;
    const ok = await h.call("PutItem", { TableName: "faults", Item: { pk: { S: "a" } } });
    expect(ok.status).toBe(200);
  });

  it("batch writes hand back what could not be written", async () => {
    fault = new RetryLimitError("gave up", 8, new WriteConflictError());
    const r = await h.call("BatchWriteItem", { RequestItems: { faults: [{ PutRequest: { Item: { pk: { S: "b" } } } }] } });
    // Every write failed: the error itself, as DynamoDB would throttle the whole call.
    expect(r.status).toBe(500);
    fault = undefined;
  });
});
