// Table settings as DynamoDB answers them today: WarmThroughput, TableClass, the UpdateTable
// "At least one of" list, TimeToLive on another attribute, and tag validation. The sources
// of each answer are in the ops files (warm-throughput.ts, tables.ts, tags.ts).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callOk, openHarness, type Harness } from "../test/harness.ts";

let h: Harness;
const invalid = "One or more parameter values were invalid: ";
const arn = (name: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
const message = async (op: string, body: unknown) => (await h.call(op, body)).body.message;
const hashTable = (TableName: string, extra: object = {}) =>
  h.call("CreateTable", {
    TableName,
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
    ...extra,
  });

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
});

describe("WarmThroughput", () => {
  type Warm = { ReadUnitsPerSecond: number; WriteUnitsPerSecond: number; Status: string };
  type Desc = { WarmThroughput: Warm; GlobalSecondaryIndexes: { WarmThroughput: Warm }[] };
  const described = async (TableName: string) => (await callOk(h, "DescribeTable", { TableName })).Table as Desc;
  const gsi = (WarmThroughput?: unknown) => ({ IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" }, WarmThroughput });
  const defs = ["pk", "g"].map((AttributeName) => ({ AttributeName, AttributeType: "S" }));

  it("is described on every table and global index, the on-demand baseline unless set", async () => {
    await hashTable("warm1", { AttributeDefinitions: defs, GlobalSecondaryIndexes: [gsi()] });
    const d = await described("warm1");
    expect(d.WarmThroughput).toEqual({ ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000, Status: "ACTIVE" });
    expect(d.GlobalSecondaryIndexes[0]!.WarmThroughput).toEqual({ ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000, Status: "ACTIVE" });
    // One unit set keeps the baseline for the other; an empty index struct sets nothing.
    const created = await hashTable("warm2", { AttributeDefinitions: defs, WarmThroughput: { WriteUnitsPerSecond: 4080 }, GlobalSecondaryIndexes: [gsi({})] });
    expect((created.body.TableDescription as Desc).WarmThroughput).toEqual({ ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4080, Status: "ACTIVE" });
    expect((await described("warm2")).GlobalSecondaryIndexes[0]!.WarmThroughput.ReadUnitsPerSecond).toBe(12000);
  });

  it("is an UpdateTable of its own, raised but never lowered, on the table and its indexes", async () => {
    const alone = await h.call("UpdateTable", { TableName: "warm1", WarmThroughput: { ReadUnitsPerSecond: 12240, WriteUnitsPerSecond: 4080 } });
    expect(alone.status).toBe(200);
    expect((await described("warm1")).WarmThroughput).toEqual({ ReadUnitsPerSecond: 12240, WriteUnitsPerSecond: 4080, Status: "ACTIVE" });
    expect(await message("UpdateTable", { TableName: "warm1", WarmThroughput: { ReadUnitsPerSecond: 12120 } })).toBe(
      `${invalid}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported`,
    );
    const index = (WarmThroughput: unknown, TableName = "warm1") => ({ TableName, GlobalSecondaryIndexUpdates: [{ Update: { IndexName: "byG", WarmThroughput } }] });
    expect((await h.call("UpdateTable", index({ WriteUnitsPerSecond: 4080 }))).status).toBe(200);
    expect((await described("warm1")).GlobalSecondaryIndexes[0]!.WarmThroughput).toEqual({ ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4080, Status: "ACTIVE" });
    expect(await message("UpdateTable", index({ WriteUnitsPerSecond: 4000 }))).toBe(
      `${invalid}Requested WriteUnitsPerSecond for WarmThroughput for index byG is lower than current WarmThroughput, decreasing WarmThroughput is not supported`,
    );
    // An empty index struct is refused before the table is even looked up.
    const empty = `${invalid}WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond specified for index: byG`;
    expect(await message("UpdateTable", index({}))).toBe(empty);
    expect(await message("UpdateTable", index({}, "nosuchtable"))).toBe(empty);
  });

  it("is refused beside other changes, naming the exclusive one of highest precedence", async () => {
    const warm = { TableName: "warm1", WarmThroughput: { ReadUnitsPerSecond: 12360 } };
    const cases: [object, string][] = [
      [{ DeletionProtectionEnabled: true }, "DeletionProtection modification must be the only operation in the request"],
      [{ TableClass: "STANDARD_INFREQUENT_ACCESS", DeletionProtectionEnabled: true }, "TableClass modification must be the only operation in the request"],
      [{ SSESpecification: { Enabled: true }, TableClass: "STANDARD" }, "Server-Side Encryption modification must be the only operation in the request"],
      [{ OnDemandThroughput: { MaxReadRequestUnits: 5 } }, "OnDemandThroughput can only be combined with BillingMode in an UpdateTable request"],
      [{ StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }, "WarmThroughput must be the only operation in the request"],
    ];
    for (const [other, refusal] of cases) expect(await message("UpdateTable", { ...warm, ...other })).toBe(invalid + refusal);
    expect((await described("warm1")).WarmThroughput.ReadUnitsPerSecond).toBe(12240);
  });
});

describe("UpdateTable and CreateTable", () => {
  it("list every member that makes an update when none is sent", async () => {
    await hashTable("upd1");
    expect(await message("UpdateTable", { TableName: "upd1" })).toBe(
      "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required",
    );
  });

  it("word an unknown TableClass themselves, case included", async () => {
    const refusal = "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].";
    const create = await hashTable("cls1", { TableClass: "standard" });
    expect([create.status, create.body.__type, create.body.message]).toEqual([400, "com.amazon.coral.validate#ValidationException", refusal]);
    expect((await h.call("DescribeTable", { TableName: "cls1" })).status).toBe(400);
    await hashTable("cls2", { TableClass: "STANDARD_INFREQUENT_ACCESS" });
    expect(await message("UpdateTable", { TableName: "cls2", TableClass: "junk" })).toBe(refusal);
  });
});

describe("UpdateTimeToLive", () => {
  it("refuses another attribute than the active one, naming the active one, enabling or disabling", async () => {
    await hashTable("ttl1");
    await callOk(h, "UpdateTimeToLive", { TableName: "ttl1", TimeToLiveSpecification: { Enabled: true, AttributeName: "ttl_a" } });
    const other = "TimeToLive is active on a different AttributeName: current AttributeName is ttl_a";
    for (const Enabled of [true, false])
      expect(await message("UpdateTimeToLive", { TableName: "ttl1", TimeToLiveSpecification: { Enabled, AttributeName: "ttl_b" } })).toBe(other);
    expect(await message("UpdateTimeToLive", { TableName: "ttl1", TimeToLiveSpecification: { Enabled: true, AttributeName: "ttl_a" } })).toBe("TimeToLive is already enabled");
    await callOk(h, "UpdateTimeToLive", { TableName: "ttl1", TimeToLiveSpecification: { Enabled: false, AttributeName: "ttl_a" } });
    expect(await message("UpdateTimeToLive", { TableName: "ttl1", TimeToLiveSpecification: { Enabled: false, AttributeName: "ttl_b" } })).toBe("TimeToLive is already disabled");
  });
});

describe("tags", () => {
  const tag = (Tags: unknown) => message("TagResource", { ResourceArn: arn("tag1"), Tags });
  const tags = async () => (await callOk(h, "ListTagsOfResource", { ResourceArn: arn("tag1") })).Tags;

  it("are checked by DynamoDB's own rules, all or nothing", async () => {
    await hashTable("tag1", { Tags: [] });
    const cases: [unknown, string][] = [
      [[], "Atleast one Tag needs to be provided as Input."],
      [[{ Key: "ok", Value: "1" }, { Key: "aws:zzz", Value: "1" }], "Tag Key cannot be prefixed with aws:, Key: aws:zzz"],
      [[{ Key: "k".repeat(129), Value: "1" }], `The Tag Key provided is invalid, Key: ${"k".repeat(129)}`],
      [[{ Key: "", Value: "1" }], "The Tag Key provided is invalid, Key: "],
      [[{ Value: "1" }], "The Tag Key provided is invalid, Key: null"],
      [[{ Key: "a#b", Value: "1" }], "The Tag Key provided is invalid, Key: a#b"],
      [[{ Key: "k", Value: "v".repeat(257) }], `The Tag Value provided is invalid, Value: ${"v".repeat(257)}`],
      [[{ Key: "k", Value: "100%" }], "The Tag Value provided is invalid, Value: 100%"],
      [[{ Key: "k" }], "The Tag Value provided is invalid, Value: null"],
      [[{ Key: "dup", Value: "1" }, { Key: "dup", Value: "2" }], "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"],
      [Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })), "Number of Tags exceed the current limit for the provided ResourceArn"],
    ];
    for (const [t, refusal] of cases) expect(await tag(t)).toBe(refusal);
    expect(await tags()).toEqual([]);
    // Letters of any script, spaces and + - = . _ : / @ are fine, as are 128 and 256 characters.
    const fine = [
      { Key: "ключ café 表", Value: "a+b-c=d.e_f:g/h@i" },
      { Key: "k".repeat(128), Value: "v".repeat(256) },
    ];
    expect((await h.call("TagResource", { ResourceArn: arn("tag1"), Tags: fine })).status).toBe(200);
    expect(await tags()).toEqual(fine);
    // The limit counts the tags the table would have.
    expect(await tag(Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: "v" })))).toBe("Number of Tags exceed the current limit for the provided ResourceArn");
  });

  it("UntagResource and CreateTable check them too; a bare table name is no ARN", async () => {
    const untag = (TagKeys: unknown) => message("UntagResource", { ResourceArn: arn("tag1"), TagKeys });
    expect(await untag([])).toBe("Atleast one Tag Key needs to be provided as Input.");
    expect(await untag([""])).toBe("The Tag Key provided is invalid, Key: ");
    expect(await untag(Array.from({ length: 51 }, (_, i) => `k${i}`))).toBe("Number of Tags exceed the current limit for the provided ResourceArn");
    expect((await hashTable("tag2", { Tags: [{ Key: "aws:foo", Value: "x" }] })).body.message).toBe("Tag Key cannot be prefixed with aws:, Key: aws:foo");
    expect((await h.call("DescribeTable", { TableName: "tag2" })).status).toBe(400);
    expect(await message("ListTagsOfResource", { ResourceArn: "tag1" })).toBe(`${invalid}ARNs must start with 'arn:': tag1`);
  });
});
