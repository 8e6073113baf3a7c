// DynamoDB beside dynalite (in memory, no signature checks) and moto, in one run:
// PutItem and GetItem of 1 KB items, a Query returning 10 items, a conditional UpdateItem,
// and a 4-item TransactWriteItems. Target on the embedded store: ≥ 1.2 × dynalite's ops/s
// on PutItem and GetItem, with durable writes and full SigV4 checks.

import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, type WriteRequest } from "@aws-sdk/client-dynamodb";
import type { BenchOptions } from "./options.ts";
import type { Workload } from "./lib/compare.ts";
import { runSection } from "./lib/section.ts";
import type { ReplayRequest } from "./lib/load.ts";
import type { Section } from "./lib/report.ts";
import { clientConfig, inParallel, signedJson } from "./lib/requests.ts";
import { startAll, startDynalite, startGatewayEmbedded, startGatewayOnEtcd, startMoto, stopAll, prepareAll, MOTO_NOTE, type SystemUnderTest } from "./lib/systems.ts";

const TABLE = "bench";
const KEYS = 500;
const PAYLOAD = "x".repeat(1000);
const T = (op: string) => `DynamoDB_20120810.${op}`;

async function setup(s: SystemUnderTest): Promise<void> {
  const ddb = new DynamoDBClient(clientConfig(s));
  await ddb.send(new CreateTableCommand({
    TableName: TABLE,
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    BillingMode: "PAY_PER_REQUEST",
  }));
  // Items for GetItem and UpdateItem (g0..g499), and one partition of 10 for Query.
  const items = [
    ...Array.from({ length: KEYS }, (_, i) => ({ pk: { S: `g${i}` }, sk: { N: "0" }, n: { N: "0" }, data: { S: PAYLOAD } })),
    ...Array.from({ length: 10 }, (_, i) => ({ pk: { S: "q" }, sk: { N: String(i) }, data: { S: PAYLOAD } })),
  ];
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })));
  await inParallel(batches.length, 8, (i) => ddb.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: batches[i]! } })));
  ddb.destroy();
}

function workload(name: string, connections: number, opts: BenchOptions, build: (s: SystemUnderTest, i: number) => Promise<ReplayRequest>, count = KEYS): Workload {
  return {
    name,
    connections,
    durationSeconds: opts.seconds,
    maxRequests: 2_000_000,
    requests: (s) => Promise.all(Array.from({ length: count }, (_, i) => build(s, i))),
  };
}

export async function benchDynamoDb(opts: BenchOptions): Promise<Section[]> {
  const systems = await startAll([startGatewayEmbedded, startDynalite, startMoto, () => startGatewayOnEtcd()]);
  try {
    const { ready, failed } = await prepareAll(systems, setup);
    const c = 32;
    const workloads = [
      workload(`PutItem 1 KB, ${c} conn`, c, opts, (s, i) => signedJson(s, "dynamodb", T("PutItem"), { TableName: TABLE, Item: { pk: { S: `p${i}` }, sk: { N: "0" }, data: { S: PAYLOAD } } })),
      workload(`GetItem 1 KB, ${c} conn`, c, opts, (s, i) => signedJson(s, "dynamodb", T("GetItem"), { TableName: TABLE, Key: { pk: { S: `g${i}` }, sk: { N: "0" } } })),
      workload(`Query 10 items, ${c} conn`, c, opts, (s) => signedJson(s, "dynamodb", T("Query"), { TableName: TABLE, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "q" } } }), 1),
      workload(`conditional UpdateItem, ${c} conn`, c, opts, (s, i) =>
        signedJson(s, "dynamodb", T("UpdateItem"), {
          TableName: TABLE,
          Key: { pk: { S: `g${i}` }, sk: { N: "0" } },
          UpdateExpression: "SET n = n + :one",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":one": { N: "1" } },
        })),
      workload(`TransactWriteItems ×4, ${c} conn`, c, opts, (s, i) =>
        signedJson(s, "dynamodb", T("TransactWriteItems"), {
          TransactItems: Array.from({ length: 4 }, (_, j) => ({ Put: { TableName: TABLE, Item: { pk: { S: `t${i * 4 + j}` }, sk: { N: "0" }, data: { S: "y".repeat(100) } } } })),
        })),
    ];
    const section = await runSection(
      {
        title: "DynamoDB: gateway vs dynalite and moto",
        baseline: "dynalite",
        notes: [
          MOTO_NOTE,
          "Target: gateway (embedded) ≥ 1.20 × dynalite on PutItem and GetItem; dynalite keeps data in memory and checks no signatures.",
          "gateway (etcd ×3): the same gateway on a 3-member etcd cluster sharing the machine's 2 cores; CPU column is the gateway process only.",
        ],
      },
      workloads,
      ready,
      failed,
      opts,
    );
    return [section];
  } finally {
    await stopAll(systems);
  }
}
