// Consumed capacity as DynamoDB computes it: writes in 1 KB units of the larger of the old
// and new item, reads in 4 KB units (halved when eventually consistent), transactions
// doubled, index writes counted per index.

import type { IndexWrite } from "../storage/items.ts";

export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

export interface Capacity {
  table: number;
  gsi: Record<string, number>;
  lsi: Record<string, number>;
}

export function newCapacity(): Capacity {
  return { table: 0, gsi: {}, lsi: {} };
}

export function addIndexWrites(c: Capacity, writes: IndexWrite[], factor = 1): void {
  for (const w of writes) {
    const bucket = w.global ? c.gsi : c.lsi;
    bucket[w.index] = (bucket[w.index] ?? 0) + writeUnits(w.size) * factor;
  }
}

/**
 * The ConsumedCapacity member for ReturnConsumedCapacity, or undefined for NONE. Only
 * TransactGetItems names its units' kind (`ReadCapacityUnits`, at the top and on Table); every
 * other operation reports the aggregate alone (measured against AWS in
 * nubo-db/dynamodb-conformance tests/tier1/getItem/consumedCapacity.test.ts and
 * tests/tier2/transactions/transactGet.test.ts).
 */
export function consumedCapacity(
  mode: unknown,
  tableName: string,
  c: Capacity,
  kind?: "ReadCapacityUnits",
): Record<string, unknown> | undefined {
  if (mode !== "TOTAL" && mode !== "INDEXES") return undefined;
  const gsiTotal = Object.values(c.gsi).reduce((a, b) => a + b, 0);
  const lsiTotal = Object.values(c.lsi).reduce((a, b) => a + b, 0);
  const total = c.table + gsiTotal + lsiTotal;
  const out: Record<string, unknown> = { TableName: tableName, CapacityUnits: total };
  if (kind) out[kind] = total;
  if (mode === "INDEXES") {
    out.Table = kind ? { CapacityUnits: c.table, [kind]: c.table } : { CapacityUnits: c.table };
    const wrap = (m: Record<string, number>) =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { CapacityUnits: v }]));
    if (Object.keys(c.gsi).length) out.GlobalSecondaryIndexes = wrap(c.gsi);
    if (Object.keys(c.lsi).length) out.LocalSecondaryIndexes = wrap(c.lsi);
  }
  return out;
}
