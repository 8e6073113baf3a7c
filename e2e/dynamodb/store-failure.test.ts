// Store trouble becomes DynamoDB's retryable 500 within a bound, never a hang or a silent
// drop; service resumes when the cluster does.

import { DynamoDBClient, CreateTableCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";

describeBothBackends(
  "dynamodb store failure",
  (ctx) => {
    it("answers InternalServerError when quorum is lost, and works again after", async () => {
      const { cluster, clientConfig } = ctx();
      const ddb = new DynamoDBClient({ ...clientConfig, maxAttempts: 1 });
      const name = `quorum-${Date.now().toString(36)}`;
      await ddb.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
      await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "before" } } }));
      const leader = await cluster!.leader();
      const others = cluster!.members.filter((m) => m.name !== leader.name);
      for (const m of others) cluster!.pause(m);
      try {
        const started = Date.now();
        const err = (await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "during" } } })).catch((e: unknown) => e)) as {
          name: string;
          $metadata: { httpStatusCode: number };
          $retryable?: unknown;
        };
        expect(err.name).toBe("InternalServerError");
        expect(err.$metadata.httpStatusCode).toBe(500);
        expect(Date.now() - started).toBeLessThan(40_000);
      } finally {
        for (const m of others) cluster!.resume(m);
      }
      await cluster!.waitForLeader();
      const retrying = new DynamoDBClient({ ...clientConfig, maxAttempts: 8 });
      await retrying.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "after" } } }));
      const got = await retrying.send(new GetItemCommand({ TableName: name, Key: { pk: { S: "after" } }, ConsistentRead: true }));
      expect(got.Item?.pk).toEqual({ S: "after" });
      ddb.destroy();
      retrying.destroy();
    }, 90_000);
  },
  // Quorum loss needs a cluster; the embedded store has no equivalent failure.
  { only: ["etcd"] },
);
