// Key checks against a table's schema, with DynamoDB's messages and limits.

import { typeOf, valueSize, type AttributeValue, type Item } from "../types/attribute-value.ts";
import { attrType, type KeySchemaElement, type TableRecord } from "../storage/table.ts";
import { validationError } from "../wire/errors.ts";

const MAX_HASH_BYTES = 2048;
const MAX_RANGE_BYTES = 1024;

function emptyKeyError(name: string, v: AttributeValue): string | undefined {
  if ("S" in v && v.S === "")
    return `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${name}`;
  if ("B" in v && v.B === "")
    return `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: ${name}`;
  return undefined;
}

function sizeLimits(schema: KeySchemaElement[], item: Item): void {
  const [h, r] = schema;
  if (valueSize(item[h!.AttributeName]!) > MAX_HASH_BYTES)
    throw validationError("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
  if (r && valueSize(item[r.AttributeName]!) > MAX_RANGE_BYTES)
    throw validationError("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
}

/** A Key parameter (GetItem, DeleteItem, UpdateItem, batches, transactions). */
export function checkKey(table: TableRecord, key: Item): void {
  const schema = table.keySchema;
  const names = Object.keys(key);
  const mismatch =
    names.length !== schema.length ||
    schema.some((k) => {
      const v = key[k.AttributeName];
      return !v || typeOf(v) !== attrType(table, k.AttributeName);
    });
  if (mismatch) throw validationError("The provided key element does not match the schema");
  for (const k of schema) {
    const msg = emptyKeyError(k.AttributeName, key[k.AttributeName]!);
    if (msg) throw validationError(msg);
  }
  sizeLimits(schema, key);
}

/** The key attributes inside a full item (PutItem, BatchWriteItem puts, transaction puts). */
export function checkItemKey(table: TableRecord, item: Item): void {
  for (const k of table.keySchema) {
    const v = item[k.AttributeName];
    if (!v) throw validationError(`One or more parameter values were invalid: Missing the key ${k.AttributeName} in the item`);
    const want = attrType(table, k.AttributeName);
    if (typeOf(v) !== want)
      throw validationError(`One or more parameter values were invalid: Type mismatch for key ${k.AttributeName} expected: ${want} actual: ${typeOf(v)}`);
    const msg = emptyKeyError(k.AttributeName, v);
    if (msg) throw validationError(msg);
  }
  sizeLimits(table.keySchema, item);
}

/** Empty string/binary key values: always a top-level ValidationException. */
export function emptyKeyValueError(table: TableRecord, item: Item): string | undefined {
  for (const k of table.keySchema) {
    const v = item[k.AttributeName];
    const msg = v && emptyKeyError(k.AttributeName, v);
    if (msg) return msg;
  }
  return undefined;
}

/** Missing or mistyped key attributes of a full item, as PutItem words them. */
export function itemKeyTypeError(table: TableRecord, item: Item): string | undefined {
  for (const k of table.keySchema) {
    const v = item[k.AttributeName];
    if (!v) return `One or more parameter values were invalid: Missing the key ${k.AttributeName} in the item`;
    const want = attrType(table, k.AttributeName);
    if (typeOf(v) !== want)
      return `One or more parameter values were invalid: Type mismatch for key ${k.AttributeName} expected: ${want} actual: ${typeOf(v)}`;
  }
  return undefined;
}

/** Whether a Key parameter has exactly the schema's attributes with the schema's types. */
export function keyMatchesSchema(table: TableRecord, key: Item): boolean {
  return (
    Object.keys(key).length === table.keySchema.length &&
    table.keySchema.every((k) => {
      const v = key[k.AttributeName];
      return !!v && typeOf(v) === attrType(table, k.AttributeName);
    })
  );
}

export function checkKeySizes(table: TableRecord, item: Item): void {
  sizeLimits(table.keySchema, item);
}

export function keyOf(table: TableRecord, item: Item): Item {
  const out: Item = {};
  for (const k of table.keySchema) out[k.AttributeName] = item[k.AttributeName]!;
  return out;
}
