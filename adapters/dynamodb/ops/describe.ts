// The TableDescription DynamoDB returns from CreateTable, DescribeTable, UpdateTable and
// DeleteTable.

import { indexStorageId, tableArn, type IndexRecord, type TableRecord } from "../storage/table.ts";
import type { OpContext } from "./context.ts";
import { describeWarm } from "./warm-throughput.ts";

export interface DescribeOptions {
  /** Status to report instead of the stored one (CreateTable says CREATING, DeleteTable DELETING). */
  status?: string;
  indexStatus?: string;
  /** Skip ItemCount/TableSizeBytes measurement (fresh or dropped tables are empty). */
  empty?: boolean;
}

function throughputOut(t: TableRecord["throughput"] | undefined, payPerRequest: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (t?.LastIncreaseDateTime) out.LastIncreaseDateTime = t.LastIncreaseDateTime;
  if (t?.LastDecreaseDateTime) out.LastDecreaseDateTime = t.LastDecreaseDateTime;
  out.NumberOfDecreasesToday = t?.NumberOfDecreasesToday ?? 0;
  out.ReadCapacityUnits = payPerRequest ? 0 : (t?.ReadCapacityUnits ?? 0);
  out.WriteCapacityUnits = payPerRequest ? 0 : (t?.WriteCapacityUnits ?? 0);
  return out;
}

export async function describeTable(ctx: OpContext, t: TableRecord, opts: DescribeOptions = {}): Promise<Record<string, unknown>> {
  const arn = tableArn(ctx.region, ctx.accountId, t.name);
  const ppr = t.billingMode === "PAY_PER_REQUEST";
  const stats = opts.empty ? { count: 0, bytes: 0 } : await ctx.stats.table(t.id, ctx.signal);
  const d: Record<string, unknown> = {
    AttributeDefinitions: t.attributeDefinitions,
    TableName: t.name,
    KeySchema: t.keySchema,
    TableStatus: opts.status ?? t.status,
    CreationDateTime: t.createdAt,
    ProvisionedThroughput: throughputOut(t.throughput, ppr),
    TableSizeBytes: stats.bytes,
    ItemCount: stats.count,
    TableArn: arn,
    TableId: t.id,
  };
  // Only what was set: DynamoDB omits a member never set (or removed) and the struct with it.
  if (t.onDemand) d.OnDemandThroughput = { ...t.onDemand };
  if (ppr || t.billingModeChangedAt)
    d.BillingModeSummary = {
      BillingMode: t.billingMode,
      ...(ppr ? { LastUpdateToPayPerRequestDateTime: t.billingModeChangedAt ?? t.createdAt } : {}),
    };
  const describeIndex = async (i: IndexRecord): Promise<Record<string, unknown>> => {
    const s = opts.empty || i.status === "CREATING" ? { count: 0, bytes: 0 } : await ctx.stats.index(t.id, indexStorageId(i), ctx.signal);
    const out: Record<string, unknown> = { IndexName: i.name, KeySchema: i.keySchema, Projection: i.projection };
    if (i.global) {
      out.IndexStatus = opts.indexStatus ?? i.status;
      if (i.backfilling !== undefined && i.status === "CREATING") out.Backfilling = i.backfilling;
      out.ProvisionedThroughput = throughputOut(i.throughput, ppr);
      if (i.onDemand) out.OnDemandThroughput = { ...i.onDemand };
    }
    out.IndexSizeBytes = s.bytes;
    out.ItemCount = s.count;
    out.IndexArn = `${arn}/index/${i.name}`;
    if (i.global) out.WarmThroughput = describeWarm(i, ppr);
    return out;
  };
  const lsis = t.indexes.filter((i) => !i.global);
  const gsis = t.indexes.filter((i) => i.global);
  if (lsis.length) d.LocalSecondaryIndexes = await Promise.all(lsis.map(describeIndex));
  if (gsis.length) d.GlobalSecondaryIndexes = await Promise.all(gsis.map(describeIndex));
  if (t.stream?.StreamEnabled) {
    d.StreamSpecification = t.stream;
    d.LatestStreamLabel = t.streamLabel;
    d.LatestStreamArn = `${arn}/stream/${t.streamLabel}`;
  }
  if (t.sse?.Enabled)
    d.SSEDescription = {
      Status: "ENABLED",
      SSEType: "KMS",
      KMSMasterKeyArn: t.sse.KMSMasterKeyId?.startsWith("arn:")
        ? t.sse.KMSMasterKeyId
        : `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${t.sse.KMSMasterKeyId ?? "aws/dynamodb"}`,
    };
  if (t.tableClass) d.TableClassSummary = { TableClass: t.tableClass };
  d.DeletionProtectionEnabled = t.deletionProtection ?? false;
  d.WarmThroughput = describeWarm(t, ppr);
  return d;
}
