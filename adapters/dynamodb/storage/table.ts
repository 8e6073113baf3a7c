// The stored table record and everything derived from it: key extraction, index entries,
// projections, and the TableDescription DynamoDB returns.

import type { AttributeValue, Item } from "../types/attribute-value.ts";
import { typeOf } from "../types/attribute-value.ts";
import { indexEntryKey, itemKey, ttlEntryKey, type ScalarType } from "../keyspace.ts";

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}
export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: ScalarType;
}
export interface Projection {
  ProjectionType: "ALL" | "KEYS_ONLY" | "INCLUDE";
  NonKeyAttributes?: string[];
}
export interface Throughput {
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
  LastIncreaseDateTime?: number;
  LastDecreaseDateTime?: number;
  NumberOfDecreasesToday?: number;
}
/**
 * An on-demand table's or index's request ceilings, as set; a member never set (or removed
 * with -1) is absent, and so is the whole struct when neither member is left.
 */
export interface OnDemandThroughput {
  MaxReadRequestUnits?: number;
  MaxWriteRequestUnits?: number;
}

/** Warm throughput set by a request (ops/warm-throughput.ts reports the baseline otherwise). */
export interface WarmThroughput {
  ReadUnitsPerSecond?: number;
  WriteUnitsPerSecond?: number;
}

export interface IndexRecord {
  name: string;
  global: boolean;
  keySchema: KeySchemaElement[];
  projection: Projection;
  status: "CREATING" | "ACTIVE" | "DELETING" | "UPDATING";
  /** GSI created by UpdateTable whose existing items are still being copied in. */
  backfilling?: boolean;
  /**
   * Unique per creation, so a dropped index's entries (removed in the background) never mix
   * with those of a new index of the same name. Absent on indexes created with the table.
   */
  id?: string;
  throughput?: Throughput;
  onDemand?: OnDemandThroughput;
  warm?: WarmThroughput;
}

export interface TableRecord {
  name: string;
  id: string;
  createdAt: number;
  status: "ACTIVE" | "DELETING" | "UPDATING";
  keySchema: KeySchemaElement[];
  attributeDefinitions: AttributeDefinition[];
  billingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  billingModeChangedAt?: number;
  throughput: Throughput;
  onDemand?: OnDemandThroughput;
  warm?: WarmThroughput;
  indexes: IndexRecord[];
  stream?: { StreamEnabled: boolean; StreamViewType?: string };
  streamLabel?: string;
  sse?: { Enabled?: boolean; SSEType?: string; KMSMasterKeyId?: string };
  tags: { Key: string; Value: string }[];
  /** `indexed` once every existing item has its TTL entry (set by the background backfill). */
  ttl?: { attributeName: string; enabled: boolean; indexed?: boolean };
  tableClass?: string;
  deletionProtection?: boolean;
}

/** A table's partition key attribute (table keys have one; an index's may have several). */
export function hashKeyName(schema: KeySchemaElement[]): string {
  return schema[0]!.AttributeName;
}
/** The partition key's attributes, in key-schema order (several only for a global index). */
export function hashKeyNames(schema: KeySchemaElement[]): string[] {
  return schema.filter((k) => k.KeyType === "HASH").map((k) => k.AttributeName);
}
/** The sort key's attributes, in key-schema order (several only for a global index). */
export function rangeKeyNames(schema: KeySchemaElement[]): string[] {
  return schema.filter((k) => k.KeyType === "RANGE").map((k) => k.AttributeName);
}

export function attrType(table: TableRecord, name: string): ScalarType {
  return table.attributeDefinitions.find((d) => d.AttributeName === name)!.AttributeType;
}

export function tableArn(region: string, accountId: string, name: string): string {
  return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
}

/** Names of the table's key attributes (hash first). */
export function tableKeyNames(table: TableRecord): string[] {
  return table.keySchema.map((k) => k.AttributeName);
}

export function extractKey(table: TableRecord, item: Item): Item {
  const out: Item = {};
  for (const k of table.keySchema) out[k.AttributeName] = item[k.AttributeName]!;
  return out;
}

export function storageKey(table: TableRecord, item: Item): Uint8Array {
  const [h, r] = table.keySchema;
  return itemKey(table.id, item[h!.AttributeName]!, r ? item[r.AttributeName] : undefined);
}

/** Indexes an item write must maintain (a deleting index is no longer written). */
export function liveIndexes(table: TableRecord): IndexRecord[] {
  return table.indexes.filter((i) => i.status !== "DELETING");
}

/** The name index entries are stored under. */
export function indexStorageId(index: IndexRecord): string {
  return index.id ?? index.name;
}

/** The whole-second expiry DynamoDB would act on, or undefined when the item never expires. */
export function ttlSeconds(table: TableRecord, item: Item): number | undefined {
  if (!table.ttl?.enabled) return undefined;
  const v = item[table.ttl.attributeName];
  if (!v || !("N" in v)) return undefined;
  const secs = Math.floor(Number(v.N));
  return Number.isSafeInteger(secs) && secs >= 0 ? secs : undefined;
}

/** `itemStorageKey` may be passed when already known (it is the item's storageKey). */
export function ttlEntry(table: TableRecord, item: Item, itemStorageKey?: Uint8Array): Uint8Array | undefined {
  const secs = ttlSeconds(table, item);
  return secs === undefined ? undefined : ttlEntryKey(table.id, secs, itemStorageKey ?? storageKey(table, item));
}

export function findIndex(table: TableRecord, name: string): IndexRecord | undefined {
  return table.indexes.find((i) => i.name === name);
}

/** The attribute names an index stores, per its projection; undefined when it stores all. */
export function projectedNames(table: TableRecord, index: IndexRecord): Set<string> | undefined {
  if (index.projection.ProjectionType === "ALL") return undefined;
  const keep = new Set([...tableKeyNames(table), ...index.keySchema.map((k) => k.AttributeName)]);
  if (index.projection.ProjectionType === "INCLUDE") for (const a of index.projection.NonKeyAttributes ?? []) keep.add(a);
  return keep;
}

/** The attributes an index stores for an item, per its projection. */
export function projectForIndex(table: TableRecord, index: IndexRecord, item: Item): Item {
  const keep = projectedNames(table, index);
  if (!keep) return item;
  const out: Item = {};
  for (const k in item) if (keep.has(k)) out[k] = item[k]!;
  return out;
}

export function indexKeyNames(table: TableRecord, index: IndexRecord): string[] {
  const names = [...index.keySchema.map((k) => k.AttributeName)];
  for (const n of tableKeyNames(table)) if (!names.includes(n)) names.push(n);
  return names;
}

/**
 * The index entry key for an item, or undefined when the item lacks any of the index's key
 * attributes or holds one with another type (the index is sparse).
 */
export function indexEntry(table: TableRecord, index: IndexRecord, item: Item): Uint8Array | undefined {
  const ipks: AttributeValue[] = [];
  const isks: AttributeValue[] = [];
  for (const k of index.keySchema) {
    const v = item[k.AttributeName];
    if (!v || typeOf(v) !== attrType(table, k.AttributeName)) return undefined;
    (k.KeyType === "HASH" ? ipks : isks).push(v);
  }
  const [h, r] = table.keySchema;
  return indexEntryKey(table.id, indexStorageId(index), ipks, isks, item[h!.AttributeName]!, r ? item[r.AttributeName] : undefined);
}

export interface IndexKeyProblem {
  kind: "type" | "empty";
  message: string;
  /** For empty values: "string" or "binary". */
  what?: string;
}

/**
 * Index key checks DynamoDB applies to every written item; undefined when fine. Indexes are
 * checked in name order, so the message names the alphabetically first offending index.
 */
export function indexKeyProblem(table: TableRecord, item: Item): IndexKeyProblem | undefined {
  const indexes = [...liveIndexes(table)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const index of indexes) {
    for (const k of index.keySchema) {
      const v: AttributeValue | undefined = item[k.AttributeName];
      if (!v) continue;
      const want = attrType(table, k.AttributeName);
      const got = typeOf(v);
      if (got !== want)
        return {
          kind: "type",
          message: `One or more parameter values were invalid: Type mismatch for Index Key ${k.AttributeName} Expected: ${want} Actual: ${got} IndexName: ${index.name}`,
        };
      if ((got === "S" && (v as { S: string }).S === "") || (got === "B" && (v as { B: string }).B === "")) {
        const what = got === "S" ? "string" : "binary";
        return {
          kind: "empty",
          what,
          message: `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${what} value. IndexName: ${index.name}, IndexKey: ${k.AttributeName}`,
        };
      }
    }
  }
  return undefined;
}

export function indexKeyError(table: TableRecord, item: Item): string | undefined {
  return indexKeyProblem(table, item)?.message;
}

/** The same problems found after an update expression ran: empty values get their own text. */
export function updatedIndexKeyError(table: TableRecord, item: Item): string | undefined {
  const p = indexKeyProblem(table, item);
  if (p?.kind === "empty")
    return `One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty ${p.what} value.`;
  return p?.message;
}
