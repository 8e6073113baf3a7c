// The DynamoDB adapter's whole key layout. No other file builds "ddb" keys.
//
//   ("ddb","t",tableName)                              -> table record (JSON)
//   ("ddb","i",tableId,h32,pk[,sk])                    -> item (DynamoDB JSON)
//   ("ddb","x",tableId,index,h32,ipk[,isk],pk[,sk])    -> projected item (DynamoDB JSON)
//   ("ddb","tok",token)                                -> TransactWriteItems idempotency record
//   ("ddb","gc",tableId)                               -> a dropped table's data awaiting removal
//
// h32 is a 32-bit hash of the partition key: Scan walks the table in hash order (as DynamoDB
// does) and parallel-scan segments are even slices of the hash space. Table ids are unique per
// creation, so a re-created table never sees a dropped one's leftovers.

import { crc32 } from "node:zlib";
import { DecimalKey, encodeTuple, tupleRange, type TupleElement } from "../../kvclient/tuple.ts";
import type { AttributeValue } from "./types/attribute-value.ts";

const ROOT = "ddb";
const enc = new TextEncoder();
const dec = new TextDecoder();

export type ScalarType = "S" | "N" | "B";

export function keyElement(v: AttributeValue): TupleElement {
  if ("S" in v) return v.S;
  if ("N" in v) return new DecimalKey(v.N);
  if ("B" in v) return new Uint8Array(Buffer.from(v.B, "base64"));
  throw new Error("not a key value");
}

/** 32-bit hash of a partition key value (type-tagged, numbers already canonical). */
export function partitionHash(v: AttributeValue): number {
  if ("S" in v) return crc32(enc.encode("S" + v.S));
  if ("N" in v) return crc32(enc.encode("N" + v.N));
  return crc32(Buffer.concat([Buffer.from("B"), Buffer.from((v as { B: string }).B, "base64")]));
}

export const HASH_SPACE = 2 ** 32;

export function tableKey(name: string): Uint8Array {
  return encodeTuple([ROOT, "t", name]);
}
export function tablesRange(): { start: Uint8Array; end: Uint8Array } {
  return tupleRange([ROOT, "t"]);
}
export function tableKeyAfter(name: string): Uint8Array {
  // The first table key strictly after `name`: append a byte that sorts above any continuation.
  const k = tableKey(name);
  const out = new Uint8Array(k.length + 1);
  out.set(k);
  out[k.length] = 0xff;
  return out;
}

export function itemKey(tableId: string, pk: AttributeValue, sk?: AttributeValue): Uint8Array {
  const els: TupleElement[] = [ROOT, "i", tableId, partitionHash(pk), keyElement(pk)];
  if (sk) els.push(keyElement(sk));
  return encodeTuple(els);
}
export function itemsRange(tableId: string): { start: Uint8Array; end: Uint8Array } {
  return tupleRange([ROOT, "i", tableId]);
}
/** Items whose partition hash lies in [from, to). */
export function itemsHashRange(tableId: string, from: number, to: number): { start: Uint8Array; end: Uint8Array } {
  const start = encodeTuple([ROOT, "i", tableId, from]);
  const end = to >= HASH_SPACE ? tupleRange([ROOT, "i", tableId]).end : encodeTuple([ROOT, "i", tableId, to]);
  return { start, end };
}
export function partitionRange(tableId: string, pk: AttributeValue): { start: Uint8Array; end: Uint8Array } {
  return tupleRange([ROOT, "i", tableId, partitionHash(pk), keyElement(pk)]);
}
export function partitionPrefix(tableId: string, pk: AttributeValue): TupleElement[] {
  return [ROOT, "i", tableId, partitionHash(pk), keyElement(pk)];
}

export function indexEntryKey(
  tableId: string,
  index: string,
  ipk: AttributeValue,
  isk: AttributeValue | undefined,
  pk: AttributeValue,
  sk: AttributeValue | undefined,
): Uint8Array {
  const els: TupleElement[] = [ROOT, "x", tableId, index, partitionHash(ipk), keyElement(ipk)];
  if (isk) els.push(keyElement(isk));
  els.push(keyElement(pk));
  if (sk) els.push(keyElement(sk));
  return encodeTuple(els);
}
export function indexRange(tableId: string, index: string): { start: Uint8Array; end: Uint8Array } {
  return tupleRange([ROOT, "x", tableId, index]);
}
export function indexHashRange(tableId: string, index: string, from: number, to: number): { start: Uint8Array; end: Uint8Array } {
  const start = encodeTuple([ROOT, "x", tableId, index, from]);
  const end = to >= HASH_SPACE ? tupleRange([ROOT, "x", tableId, index]).end : encodeTuple([ROOT, "x", tableId, index, to]);
  return { start, end };
}
export function indexPartitionPrefix(tableId: string, index: string, ipk: AttributeValue): TupleElement[] {
  return [ROOT, "x", tableId, index, partitionHash(ipk), keyElement(ipk)];
}
export function tableDataRanges(tableId: string): { start: Uint8Array; end: Uint8Array }[] {
  return [tupleRange([ROOT, "i", tableId]), tupleRange([ROOT, "x", tableId])];
}

export function tokenKey(token: string): Uint8Array {
  return encodeTuple([ROOT, "tok", token]);
}
export function tokensRange(): { start: Uint8Array; end: Uint8Array } {
  return tupleRange([ROOT, "tok"]);
}

export function gcKey(tableId: string): Uint8Array {
  return encodeTuple([ROOT, "gc", tableId]);
}
export function gcRange(): { start: Uint8Array; end: Uint8Array } {
  return tupleRange([ROOT, "gc"]);
}

export { encodeTuple, tupleRange };

/** Records are JSON; the helpers keep the text codec in one place. */
export function encodeJson(v: unknown): Uint8Array {
  return enc.encode(JSON.stringify(v));
}
export function decodeJson<T>(b: Uint8Array): T {
  return JSON.parse(dec.decode(b)) as T;
}

/** Smallest key strictly greater than `key` among keys that do not extend it. */
export function keyAfter(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}
