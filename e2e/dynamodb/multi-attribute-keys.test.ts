// Global secondary indexes with multi-attribute keys through @aws-sdk/client-dynamodb against
// the real gateway process, on the embedded store and on a 3-member etcd cluster: a
// 2-attribute partition and 2-attribute sort key, sparse items, prefix and range conditions
// both ways with pagination, a second such index added by UpdateTable and backfilled, and
// DynamoDB's refusals.

import {
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateTableCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";
import { expect, it } from "vitest";
import { describeBothBackends } from "../harness/both-backends.ts";

type Row = Record<string, AttributeValue>;

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { name: string; message: string };
  }
  throw new Error("expected the call to fail");
}

/** Every page of a Query, following LastEvaluatedKey; each page's key is checked too. */
async function queryAll(ddb: DynamoDBClient, input: QueryCommandInput, lekKeys: string[]): Promise<Row[]> {
  const out: Row[] = [];
  let ExclusiveStartKey: Row | undefined;
  for (let page = 0; page < 100; page++) {
    const r = await ddb.send(new QueryCommand({ ...input, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }));
    out.push(...(r.Items ?? []));
    ExclusiveStartKey = r.LastEvaluatedKey;
    if (!ExclusiveStartKey) return out;
    expect(Object.keys(ExclusiveStartKey).sort()).toEqual(lekKeys);
  }
  throw new Error("too many pages");
}

describeBothBackends("dynamodb multi-attribute index keys", (ctx) => {
  it("indexes, queries, pages, backfills and refuses as DynamoDB does", async () => {
    const { dynamodb: ddb } = ctx();
    const TableName = `mak-${Date.now().toString(36)}`;
    const created = await ddb.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [
          { AttributeName: "id", AttributeType: "S" },
          { AttributeName: "tournament", AttributeType: "S" },
          { AttributeName: "league", AttributeType: "S" },
          { AttributeName: "round", AttributeType: "N" },
          { AttributeName: "bracket", AttributeType: "S" },
        ],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
        GlobalSecondaryIndexes: [
          {
            IndexName: "byTournamentLeague",
            KeySchema: [
              { AttributeName: "tournament", KeyType: "HASH" },
              { AttributeName: "league", KeyType: "HASH" },
              { AttributeName: "round", KeyType: "RANGE" },
              { AttributeName: "bracket", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      }),
    );
    expect(created.TableDescription?.GlobalSecondaryIndexes?.[0]?.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`)).toEqual([
      "tournament:HASH",
      "league:HASH",
      "round:RANGE",
      "bracket:RANGE",
    ]);

    // 12 matches of WINTER/EU over rounds 1..3 and brackets a..d, in a scrambled write order,
    // plus other partitions and sparse items (a key attribute missing).
    const matches: { id: string; round: number; bracket: string }[] = [];
    for (const round of [3, 1, 2]) for (const bracket of ["d", "a", "c", "b"]) matches.push({ id: `m-${round}${bracket}`, round, bracket });
    const put = (item: Row) => ddb.send(new PutItemCommand({ TableName, Item: item }));
    for (const m of matches)
      await put({ id: { S: m.id }, tournament: { S: "WINTER" }, league: { S: "EU" }, round: { N: String(m.round) }, bracket: { S: m.bracket }, player: { S: `p-${m.id}` } });
    await put({ id: { S: "other-league" }, tournament: { S: "WINTER" }, league: { S: "US" }, round: { N: "1" }, bracket: { S: "a" } });
    await put({ id: { S: "no-league" }, tournament: { S: "WINTER" }, round: { N: "1" }, bracket: { S: "a" } });
    await put({ id: { S: "no-bracket" }, tournament: { S: "WINTER" }, league: { S: "EU" }, round: { N: "1" } });

    const index = { TableName, IndexName: "byTournamentLeague" };
    const lekKeys = ["bracket", "id", "league", "round", "tournament"];
    const ids = (rows: Row[]) => rows.map((r) => r.id!.S);
    const ordered = [...matches].sort((a, b) => a.round - b.round || (a.bracket < b.bracket ? -1 : 1)).map((m) => m.id);
    const partition = { ":t": { S: "WINTER" }, ":r": { S: "EU" } };

    // The whole partition, in (round, bracket) order, both ways, three items a page.
    for (const forward of [true, false]) {
      const rows = await queryAll(
        ddb,
        { ...index, KeyConditionExpression: "tournament = :t AND league = :r", ExpressionAttributeValues: partition, ScanIndexForward: forward, Limit: 3 },
        lekKeys,
      );
      expect(ids(rows)).toEqual(forward ? ordered : [...ordered].reverse());
    }
    // An equality prefix with a range condition on the next attribute, both ways, paged.
    for (const forward of [true, false]) {
      const rows = await queryAll(
        ddb,
        {
          ...index,
          KeyConditionExpression: "#reg = :r AND tournament = :t AND round = :round AND bracket BETWEEN :lo AND :hi",
          ExpressionAttributeNames: { "#reg": "league" },
          ExpressionAttributeValues: { ...partition, ":round": { N: "2" }, ":lo": { S: "b" }, ":hi": { S: "c" } },
          ScanIndexForward: forward,
          Limit: 1,
        },
        lekKeys,
      );
      expect(ids(rows)).toEqual(forward ? ["m-2b", "m-2c"] : ["m-2c", "m-2b"]);
    }
    // A range condition on the first sort attribute, with a filter and a count.
    const late = await ddb.send(
      new QueryCommand({ ...index, KeyConditionExpression: "tournament = :t AND league = :r AND round >= :round", ExpressionAttributeValues: { ...partition, ":round": { N: "2" } } }),
    );
    expect(ids(late.Items ?? [])).toEqual(ordered.slice(4));
    const counted = await ddb.send(
      new QueryCommand({
        ...index,
        KeyConditionExpression: "tournament = :t AND league = :r AND round < :round",
        FilterExpression: "player = :p",
        ExpressionAttributeValues: { ...partition, ":round": { N: "3" }, ":p": { S: "p-m-1c" } },
        Select: "COUNT",
      }),
    );
    expect([counted.Count, counted.ScannedCount]).toEqual([1, 8]);
    // Sparse: only the items with every key attribute are in the index.
    const scanned = await ddb.send(new ScanCommand({ ...index }));
    expect(scanned.Count).toBe(13);

    // The rules, with DynamoDB's messages.
    const refuse = async (KeyConditionExpression: string, values: Row) =>
      (await failure(ddb.send(new QueryCommand({ ...index, KeyConditionExpression, ExpressionAttributeValues: values })))).message;
    expect(await refuse("tournament = :t", { ":t": { S: "WINTER" } })).toBe("HASH key attributes league must have equality conditions specified in the query");
    expect(await refuse("tournament = :t AND league = :r AND bracket = :b", { ...partition, ":b": { S: "a" } })).toBe(
      "RANGE key attributes round must have equality conditions specified in the query because a condition is present on key attribute bracket",
    );
    expect(await refuse("tournament = :t AND league = :r AND round > :n AND bracket = :b", { ...partition, ":n": { N: "1" }, ":b": { S: "a" } })).toBe(
      "RANGE key attributes round must have equality conditions specified in the query because a condition is present on key attribute bracket",
    );
    const wrongType = await failure(put({ id: { S: "bad" }, tournament: { S: "WINTER" }, league: { N: "1" } }));
    expect([wrongType.name, wrongType.message]).toEqual([
      "ValidationException",
      "One or more parameter values were invalid: Type mismatch for Index Key league Expected: S Actual: N IndexName: byTournamentLeague",
    ]);

    // A second multi-attribute index, added to the populated table, is backfilled.
    const tooMany = await failure(
      ddb.send(
        new UpdateTableCommand({
          TableName,
          AttributeDefinitions: ["a", "b", "c", "d", "e", "f"].map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                IndexName: "tooWide",
                KeySchema: [{ AttributeName: "a", KeyType: "HASH" }, ...["b", "c", "d", "e", "f"].map((AttributeName) => ({ AttributeName, KeyType: "RANGE" as const }))],
                Projection: { ProjectionType: "ALL" },
              },
            },
          ],
        }),
      ),
    );
    expect(tooMany.message).toBe("One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of RANGE key attributes");
    await ddb.send(
      new UpdateTableCommand({
        TableName,
        AttributeDefinitions: [
          { AttributeName: "league", AttributeType: "S" },
          { AttributeName: "round", AttributeType: "N" },
          { AttributeName: "player", AttributeType: "S" },
        ],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: "byLeagueRound",
              KeySchema: [
                { AttributeName: "league", KeyType: "HASH" },
                { AttributeName: "round", KeyType: "HASH" },
                { AttributeName: "player", KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: "KEYS_ONLY" },
            },
          },
        ],
      }),
    );
    let status = "";
    for (let i = 0; i < 300 && status !== "ACTIVE"; i++) {
      const d = await ddb.send(new DescribeTableCommand({ TableName }));
      status = d.Table?.GlobalSecondaryIndexes?.find((g) => g.IndexName === "byLeagueRound")?.IndexStatus ?? "";
      if (status !== "ACTIVE") await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe("ACTIVE");
    const backfilled = await ddb.send(
      new QueryCommand({
        TableName,
        IndexName: "byLeagueRound",
        KeyConditionExpression: "league = :r AND round = :n AND begins_with(player, :p)",
        ExpressionAttributeValues: { ":r": { S: "EU" }, ":n": { N: "2" }, ":p": { S: "p-m-2" } },
        ScanIndexForward: false,
      }),
    );
    expect(backfilled.Items).toEqual(
      ["d", "c", "b", "a"].map((b) => ({ id: { S: `m-2${b}` }, league: { S: "EU" }, round: { N: "2" }, player: { S: `p-m-2${b}` } })),
    );
    // The legacy KeyConditions parameter follows the same rules.
    const legacy = await ddb.send(
      new QueryCommand({
        TableName,
        IndexName: "byLeagueRound",
        KeyConditions: {
          league: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "EU" }] },
          round: { ComparisonOperator: "EQ", AttributeValueList: [{ N: "3" }] },
        },
        Select: "COUNT",
      }),
    );
    expect(legacy.Count).toBe(4);
  });
});
