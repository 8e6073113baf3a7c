// The DynamoDB adapter's whole key layout. No other file builds "ddb" keys.
//
//   ("ddb","t",tableName)                              -> table record (JSON)
//   ("ddb","i",tableId,h32,pk[,sk])                    -> item (DynamoDB JSON)
//   ("ddb","x",tableId,index,h32,ipk..,isk..,pk[,sk])  -> projected item (DynamoDB JSON)
//   ("ddb","e",tableId,expiresAtSec,itemKey)           -> (empty) TTL entry: items by expiry time
//   ("ddb","tok",token)                                -> TransactWriteItems idempotency record
//   ("ddb","tokx",expiresAtMs,token)                   -> (empty) the same record, by expiry, for GC
//   ("ddb","gc",tableId)                               -> a dropped table's data awaiting removal
//   ("ddb","c",tableId,h32,pk,shard)                   -> bytes of one shard of an item collection
//                                                         (tables with a local secondary index)
//
// h32 is a 32-bit hash of the partition key: Scan walks the table in hash order (as DynamoDB
// does) and parallel-scan segments are even slices of the hash space. Table ids are unique per
// creation, so a re-created table never sees a dropped one's leftovers.
//
// Key budget: DynamoDB allows 2048-byte partition keys and 1024-byte sort keys, more than
// the embedded store's 1978-byte keys hold together. Partition keys only need equality
// (their order inside a hash bucket is unspecified), so one longer than LONG_PARTITION bytes
// is stored as its SHA-256 in the other byte-ish element type (bytes for S, a hex string for
// B), which no real key of the table's type can equal. Index entries end with the table key
// only to be unique; when that would overflow, they end with its digest instead.
//
// Index keys of several attributes (global indexes: up to four HASH and four RANGE): the
// entry holds each partition value, then each sort value, in key-schema order, so tuple
// order is the index's order (each value by its type's order, compared left to right).
// h32 hashes the partition values together. The partition values share one value's budget:
// each is stored whole while its encoded size (0x00 bytes count twice) is at most
// LONG_PARTITION / (number of partition attributes), else as its digest as above, so they
// take at most ~520 bytes together. Sort values are stored whole, since their order matters:
// the key fits while they encode to ~1.2 KB together (DynamoDB's 1024-byte sort key, unless
// mostly 0x00 bytes); as before, index key value sizes are not checked when items are
// written (an entry over the store's key size fails the write as an oversized item).
// With one partition and at most one sort attribute this is exactly the older layout.

import { createHash } from "node:crypto";
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

const LONG_PARTITION = 512;
const INDEX_KEY_BUDGET = 1900;

function digest(bytes: Uint8Array | string): Buffer {
  return createHash("sha256").update(bytes).digest();
}

/** The element a partition key value is stored under (see the key budget above). */
export function partitionElement(v: AttributeValue): TupleElement {
  if ("S" in v && Buffer.byteLength(v.S, "utf8") > LONG_PARTITION) return new Uint8Array(digest(v.S));
  if ("B" in v && (v.B.length * 3) / 4 > LONG_PARTITION) return digest(Buffer.from(v.B, "base64")).toString("hex");
  return keyElement(v);
}

/** As partitionElement for one of several partition values: `limit` holds the encoded size. */
function sharedPartitionElement(v: AttributeValue, limit: number): TupleElement {
  if ("N" in v) return keyElement(v);
  const raw = "S" in v ? Buffer.from(v.S, "utf8") : Buffer.from((v as { B: string }).B, "base64");
  let size = raw.length;
  for (const b of raw) if (b === 0) size++; // the tuple encoding escapes 0x00 as two bytes
  if (size <= limit) return keyElement(v);
  return "S" in v ? new Uint8Array(digest(raw)) : digest(raw).toString("hex");
}

/** 32-bit hash of a partition key value (type-tagged, numbers already canonical). */
export function partitionHash(v: AttributeValue): number {
  // zlib's crc32 hashes a string as its UTF-8 bytes, exactly as TextEncoder encodes them
  // (lone surrogates included), without the intermediate copy.
  if ("S" in v) return crc32("S" + v.S);
  if ("N" in v) return crc32("N" + v.N);
  return crc32(Buffer.concat([Buffer.from("B"), Buffer.from((v as { B: string }).B, "base64")]));
}

/** The hash of an index's partition key: one attribute's is partitionHash; several are
 * hashed together, each type-tagged and self-delimited by the tuple encoding. */
export function indexPartitionHash(values: readonly AttributeValue[]): number {
  if (values.length === 1) return partitionHash(values[0]!);
  const tagged: TupleElement[] = [];
  for (const v of values) {
    if ("S" in v) tagged.push("S", v.S);
    else if ("N" in v) tagged.push("N", v.N);
    else tagged.push("B", new Uint8Array(Buffer.from((v as { B: string }).B, "base64")));
  }
  return crc32(encodeTuple(tagged));
}

export const HASH_SPACE = 2 ** 32;

// Every item operation builds its table's key: keep the bytes of recent names. Callers must
// not mutate the returned key.
const tableKeys = new Map<string, Uint8Array>();
export function tableKey(name: string): Uint8Array {
  let k = tableKeys.get(name);
  if (!k) {
    if (tableKeys.size >= 1000) tableKeys.clear();
    tableKeys.set(name, (k = encodeTuple([ROOT, "t", name])));
  }
  return k;
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
  const els: TupleElement[] = [ROOT, "i", tableId, partitionHash(pk), partitionElement(pk)];
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
export function partitionPrefix(tableId: string, pk: AttributeValue): TupleElement[] {
  return [ROOT, "i", tableId, partitionHash(pk), partitionElement(pk)];
}

/** `ipks`/`isks`: the index's partition and sort key values, in key-schema order. */
export function indexEntryKey(
  tableId: string,
  index: string,
  ipks: readonly AttributeValue[],
  isks: readonly AttributeValue[],
  pk: AttributeValue,
  sk: AttributeValue | undefined,
): Uint8Array {
  const head = indexPartitionPrefix(tableId, index, ipks);
  for (const v of isks) head.push(keyElement(v));
  const tail: TupleElement[] = [partitionElement(pk)];
  if (sk) tail.push(keyElement(sk));
  const full = encodeTuple([...head, ...tail]);
  if (full.length <= INDEX_KEY_BUDGET) return full;
  return encodeTuple([...head, new Uint8Array(digest(encodeTuple(tail)))]);
}
export function indexRange(tableId: string, index: string): { start: Uint8Array; end: Uint8Array } {
  return tupleRange([ROOT, "x", tableId, index]);
}
export function indexHashRange(tableId: string, index: string, from: number, to: number): { start: Uint8Array; end: Uint8Array } {
  const start = encodeTuple([ROOT, "x", tableId, index, from]);
  const end = to >= HASH_SPACE ? tupleRange([ROOT, "x", tableId, index]).end : encodeTuple([ROOT, "x", tableId, index, to]);
  return { start, end };
}
/** The elements every entry of one index partition starts with (`ipks` in key-schema order). */
export function indexPartitionPrefix(tableId: string, index: string, ipks: readonly AttributeValue[]): TupleElement[] {
  const head: TupleElement[] = [ROOT, "x", tableId, index, indexPartitionHash(ipks)];
  if (ipks.length === 1) head.push(partitionElement(ipks[0]!));
  else for (const v of ipks) head.push(sharedPartitionElement(v, Math.floor(LONG_PARTITION / ipks.length)));
  return head;
}
export function tableDataRanges(tableId: string): { start: Uint8Array; end: Uint8Array }[] {
  return [tupleRange([ROOT, "i", tableId]), tupleRange([ROOT, "x", tableId]), tupleRange([ROOT, "e", tableId]), tupleRange([ROOT, "c", tableId])];
}

/** One shard of the size counter of the item collection of partition key `pk`. */
export function collectionShardKey(tableId: string, pk: AttributeValue, shard: number): Uint8Array {
  return encodeTuple([ROOT, "c", tableId, partitionHash(pk), partitionElement(pk), shard]);
}
/** Every shard of that counter. */
export function collectionRange(tableId: string, pk: AttributeValue): { start: Uint8Array; end: Uint8Array } {
  return tupleRange([ROOT, "c", tableId, partitionHash(pk), partitionElement(pk)]);
}

/** An item's TTL entry: expiry in whole epoch seconds, then the item's storage key. */
export function ttlEntryKey(tableId: string, expiresAtSec: number, itemStorageKey: Uint8Array): Uint8Array {
  return encodeTuple([ROOT, "e", tableId, expiresAtSec, itemStorageKey]);
}
/** TTL entries with expiry in [fromSec, toSec]. */
export function ttlEntriesBetween(tableId: string, fromSec: number, toSec: number): { start: Uint8Array; end: Uint8Array } {
  return { start: encodeTuple([ROOT, "e", tableId, Math.max(0, fromSec)]), end: encodeTuple([ROOT, "e", tableId, toSec + 1]) };
}

export function tokenKey(token: string): Uint8Array {
  return encodeTuple([ROOT, "tok", token]);
}
/** Token records ordered by expiry: the SDKs send a token with every transaction. */
export function tokenExpiryKey(expiresAtMs: number, token: string): Uint8Array {
  return encodeTuple([ROOT, "tokx", Math.floor(expiresAtMs), token]);
}
/** Expiry entries strictly before `nowMs`. */
export function tokenExpiriesBefore(nowMs: number): { start: Uint8Array; end: Uint8Array } {
  return { start: tupleRange([ROOT, "tokx"]).start, end: encodeTuple([ROOT, "tokx", Math.floor(nowMs)]) };
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
