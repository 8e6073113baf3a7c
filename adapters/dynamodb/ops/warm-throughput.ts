// WarmThroughput: the read and write units per second a table or global index is ready to
// serve at once. Nothing is pre-warmed here; DynamoDB's answers are kept: what was set is
// described back (Status ACTIVE), and a table or index never set reports the baseline.
//
// Evidence: the developer guide ("Check your table's warm throughput", a provisioned index
// reporting its own capacity), ScyllaDB Alternator's test_warm_throughput.py (run against
// AWS: UpdateTable with only WarmThroughput is taken, which is what Terraform sends; one unit
// alone keeps the baseline for the other), and live captures in ack-api-quirks (DDB-TABLE-433,
// -442, -456: on-demand baseline 12000/4000, the refusal wordings below).

import type { Throughput, WarmThroughput } from "../storage/table.ts";

const MEMBERS = ["ReadUnitsPerSecond", "WriteUnitsPerSecond"] as const;
const ON_DEMAND_BASELINE = { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000 };
const invalid = "One or more parameter values were invalid: ";

/** The members a request sets; an empty struct sets nothing. */
export function warmSent(w: WarmThroughput | undefined): (typeof MEMBERS)[number][] {
  return MEMBERS.filter((m) => w?.[m] != null);
}

/** What DescribeTable reports for a table or global index. */
export function describeWarm(rec: { warm?: WarmThroughput; throughput?: Throughput }, payPerRequest: boolean): Record<string, unknown> {
  const base = payPerRequest
    ? ON_DEMAND_BASELINE
    : { ReadUnitsPerSecond: rec.throughput?.ReadCapacityUnits ?? 0, WriteUnitsPerSecond: rec.throughput?.WriteCapacityUnits ?? 0 };
  return {
    ReadUnitsPerSecond: rec.warm?.ReadUnitsPerSecond ?? base.ReadUnitsPerSecond,
    WriteUnitsPerSecond: rec.warm?.WriteUnitsPerSecond ?? base.WriteUnitsPerSecond,
    Status: "ACTIVE",
  };
}

/**
 * UpdateTable's change to a table (`index` undefined) or global index: DynamoDB refuses a
 * value below the current one; otherwise the members sent replace the current ones.
 * Returns the refusal, or undefined once applied.
 */
export function applyWarm(
  rec: { warm?: WarmThroughput; throughput?: Throughput },
  req: WarmThroughput | undefined,
  payPerRequest: boolean,
  index?: string,
): string | undefined {
  const current = describeWarm(rec, payPerRequest);
  for (const m of warmSent(req))
    if (req![m]! < (current[m] as number))
      return `${invalid}Requested ${m} for WarmThroughput for ${index === undefined ? "table" : `index ${index}`} is lower than current WarmThroughput, decreasing WarmThroughput is not supported`;
  const out: WarmThroughput = { ...rec.warm };
  for (const m of warmSent(req)) out[m] = req![m];
  if (warmSent(out).length) rec.warm = out;
  return undefined;
}

/** An index Update's WarmThroughput must set something; checked before the table is read. */
export function emptyIndexWarm(req: WarmThroughput | undefined, index: string): string | undefined {
  return req && !warmSent(req).length ? `${invalid}WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond specified for index: ${index}` : undefined;
}

/**
 * A table's WarmThroughput is a change of its own: with anything else but index updates,
 * DynamoDB refuses, naming the exclusive change of highest precedence (SSE, TableClass,
 * DeletionProtection, then WarmThroughput), or the OnDemandThroughput or index-creation rule.
 */
export function warmExclusive(other: {
  sse: boolean;
  tableClass: boolean;
  deletionProtection: boolean;
  onDemand: boolean;
  createIndex: boolean;
  throughputOrStream: boolean;
}): string | undefined {
  if (other.sse) return `${invalid}Server-Side Encryption modification must be the only operation in the request`;
  if (other.tableClass) return `${invalid}TableClass modification must be the only operation in the request`;
  if (other.deletionProtection) return `${invalid}DeletionProtection modification must be the only operation in the request`;
  if (other.onDemand) return `${invalid}OnDemandThroughput can only be combined with BillingMode in an UpdateTable request`;
  if (other.createIndex) return `${invalid}Create global secondary index cannot be specified when updating WarmThroughput`;
  if (other.throughputOrStream) return `${invalid}WarmThroughput must be the only operation in the request`;
  return undefined;
}
