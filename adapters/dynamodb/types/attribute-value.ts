// AttributeValues in their wire form ({"S": "x"}, {"N": "1"}, …). Items are kept in this
// form end to end; numbers are canonicalized once on input.

import { compareDec, formatDec, NumberFormatError, numberRangeError, parseDec } from "./number.ts";

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

export type Item = Record<string, AttributeValue>;
export type AttrType = "S" | "N" | "B" | "BOOL" | "NULL" | "SS" | "NS" | "BS" | "L" | "M";

export const ATTR_TYPES: readonly AttrType[] = ["S", "N", "B", "NULL", "BOOL", "SS", "NS", "BS", "L", "M"];

export function typeOf(v: AttributeValue): AttrType {
  for (const k in v) return k as AttrType;
  throw new Error("empty attribute value");
}

export function valueOf(v: AttributeValue): unknown {
  return (v as Record<string, unknown>)[typeOf(v)];
}

export const MAX_DEPTH = 32;

/** Java-like rendering AWS uses inside messages: `[a, b]`, plain strings, JSON objects. */
export function valueStr(data: unknown): string {
  if (data == null) return "null";
  if (Array.isArray(data)) return `[${data.map(valueStr).join(", ")}]`;
  if (typeof data === "object") return JSON.stringify(data);
  return String(data);
}

function hasDuplicate(values: string[], key: (s: string) => string = (s) => s): boolean {
  const seen = new Set<string>();
  for (const v of values) {
    const k = key(v);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

// A null inside a value (a list element, a map value, a binary-set member) is refused with
// the message of DynamoDB's item converter; a map value also names its key. Source: the
// InputConverter/LocalDBInputConverter classes DynamoDB Local shares with the service
// (ITEM_CONTAINS_NULL_ATTRVALUE; a string set's null member is INVALID_PARAMETER_VALUE).
const NULL_ATTRIBUTE_VALUE = "The supplied Item contains a null AttributeValue";

/**
 * Check one AttributeValue (already shape-checked) the way DynamoDB does, canonicalizing
 * numbers in place. Returns AWS's message, or undefined when valid. It never looks below
 * MAX_DEPTH, so a value nested deeper than the stack allows is refused, not walked.
 */
export function checkAttributeValue(value: Record<string, unknown>, depth = 1): string | undefined {
  const types = Object.keys(value);
  if (types.length === 0) return "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
  if (depth > MAX_DEPTH) return "Nesting Levels have exceeded supported limits";
  for (const type of types) {
    const v = value[type];
    if (type === "N") {
      const msg = checkNumberField(value, "N");
      if (msg) return msg;
    }
    // AWS briefly accepted {"NULL": false} (stored as true) in June 2026 and rejects it
    // again: conformance sweep of 2026-07-17, nubo-db/dynoxide issue #145.
    if (type === "NULL" && v !== true)
      return "One or more parameter values were invalid: Null attribute value types must have the value of true";
    if (type === "SS" && (v as string[]).length === 0)
      return "One or more parameter values were invalid: An string set  may not be empty";
    if (type === "NS" && (v as string[]).length === 0)
      return "One or more parameter values were invalid: An number set  may not be empty";
    if (type === "BS" && (v as string[]).length === 0)
      return "One or more parameter values were invalid: Binary sets should not be empty";
    if (type === "NS") {
      const list = v as string[];
      for (let i = 0; i < list.length; i++) {
        const msg = checkNumberField(list as unknown as Record<string, unknown>, i);
        if (msg) return msg;
      }
    }
    // Null members first: the service's converter refuses them before any set rule runs.
    if (type === "SS" && (v as (string | null)[]).includes(null))
      return "One or more parameter values were invalid: An string set may not have a null string as a member";
    if (type === "BS" && (v as (string | null)[]).includes(null)) return NULL_ATTRIBUTE_VALUE;
    if (type === "SS" && hasDuplicate(v as string[]))
      return `One or more parameter values were invalid: Input collection ${valueStr(v)} contains duplicates.`;
    if (type === "NS" && hasDuplicate(v as string[])) return "Input collection contains duplicates";
    if (type === "BS" && hasDuplicate(v as string[], (s) => Buffer.from(s, "base64").toString("hex")))
      return `One or more parameter values were invalid: Input collection ${valueStr(v)}of type BS contains duplicates.`;
    if (type === "M") {
      const m = v as Record<string, Record<string, unknown> | null>;
      for (const k in m) {
        const member = m[k];
        if (member === null) return `${NULL_ATTRIBUTE_VALUE}: ${k} is null`;
        const msg = checkAttributeValue(member!, depth + 1);
        if (msg) return msg;
      }
    }
    if (type === "L") {
      for (const item of v as (Record<string, unknown> | null)[]) {
        if (item === null) return NULL_ATTRIBUTE_VALUE;
        const msg = checkAttributeValue(item, depth + 1);
        if (msg) return msg;
      }
    }
  }
  if (types.length > 1)
    return "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes";
  return undefined;
}

function checkNumberField(obj: Record<string | number, unknown>, field: string | number): string | undefined {
  const text = obj[field];
  if (typeof text !== "string" || text === "") return "The parameter cannot be converted to a numeric value";
  let d;
  try {
    d = parseDec(text);
  } catch (e) {
    if (e instanceof NumberFormatError) return e.message;
    throw e;
  }
  const msg = numberRangeError(d);
  if (msg) return msg;
  obj[field] = formatDec(d);
  return undefined;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

function base64Length(s: string): number {
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

/**
 * A number's size as DynamoDB charges it (measured against the 400 KB gate): one byte,
 * plus half the significant digits on each side of the decimal point rounded up, plus one
 * for a minus sign. The exponent costs nothing.
 */
function numberSize(text: string): number {
  const d = parseDec(text);
  if (d.sign === 0) return 1;
  const n = d.coef.toString().length;
  const point = n + d.exp;
  let intDigits: number;
  let fracDigits: number;
  if (point <= 0) [intDigits, fracDigits] = [0, n];
  else if (point >= n) [intDigits, fracDigits] = [n, 0];
  else [intDigits, fracDigits] = [point, n - point];
  return 1 + Math.ceil(intDigits / 2) + Math.ceil(fracDigits / 2) + (d.sign < 0 ? 1 : 0);
}

/** Size of a value in bytes as DynamoDB counts it toward the 400 KB item limit. */
export function valueSize(v: AttributeValue): number {
  const t = typeOf(v);
  switch (t) {
    case "S":
      return utf8Length((v as { S: string }).S);
    case "N":
      return numberSize((v as { N: string }).N);
    case "B":
      return base64Length((v as { B: string }).B);
    case "BOOL":
    case "NULL":
      return 1;
    case "SS":
      return (v as { SS: string[] }).SS.reduce((n, s) => n + utf8Length(s), 0);
    case "NS":
      return (v as { NS: string[] }).NS.reduce((n, s) => n + numberSize(s), 0);
    case "BS":
      return (v as { BS: string[] }).BS.reduce((n, s) => n + base64Length(s), 0);
    case "L":
      return (v as { L: AttributeValue[] }).L.reduce((n, e) => n + 1 + valueSize(e), 3);
    case "M": {
      const m = (v as { M: Item }).M;
      let n = 3;
      for (const k in m) n += 1 + utf8Length(k) + valueSize(m[k]!);
      return n;
    }
  }
}

export function itemSize(item: Item): number {
  let n = 0;
  for (const k in item) n += utf8Length(k) + valueSize(item[k]!);
  return n;
}

export const MAX_ITEM_BYTES = 400 * 1024;

function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

function compareStrings(a: string, b: string): number {
  // DynamoDB orders strings by their UTF-8 bytes, not UTF-16 code units.
  return compareBytes(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Order of two scalar values of the same type (S, N, B); undefined when incomparable. */
export function compareScalar(a: AttributeValue, b: AttributeValue): number | undefined {
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return undefined;
  if (ta === "S") return compareStrings((a as { S: string }).S, (b as { S: string }).S);
  if (ta === "N") return compareDec(parseDec((a as { N: string }).N), parseDec((b as { N: string }).N));
  if (ta === "B")
    return compareBytes(Buffer.from((a as { B: string }).B, "base64"), Buffer.from((b as { B: string }).B, "base64"));
  return undefined;
}

function setKey(type: AttrType, s: string): string {
  if (type === "NS") return formatDec(parseDec(s));
  if (type === "BS") return Buffer.from(s, "base64").toString("hex");
  return s;
}

export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  const va = valueOf(a);
  const vb = valueOf(b);
  switch (ta) {
    case "S":
    case "BOOL":
    case "NULL":
      return va === vb;
    case "N":
    case "B":
      return compareScalar(a, b) === 0;
    case "SS":
    case "NS":
    case "BS": {
      const la = va as string[];
      const lb = vb as string[];
      if (la.length !== lb.length) return false;
      const keys = new Set(la.map((s) => setKey(ta, s)));
      return lb.every((s) => keys.has(setKey(ta, s)));
    }
    case "L": {
      const la = va as AttributeValue[];
      const lb = vb as AttributeValue[];
      return la.length === lb.length && la.every((e, i) => valuesEqual(e, lb[i]!));
    }
    case "M": {
      const ma = va as Item;
      const mb = vb as Item;
      const ka = Object.keys(ma);
      if (ka.length !== Object.keys(mb).length) return false;
      return ka.every((k) => k in mb && valuesEqual(ma[k]!, mb[k]!));
    }
  }
}

/** Membership inside a set value (SS/NS/BS) of a scalar. */
export function setHas(set: AttributeValue, elem: AttributeValue): boolean {
  const ts = typeOf(set);
  const te = typeOf(elem);
  if (ts !== te + "S") return false;
  const key = setKey(ts, valueOf(elem) as string);
  return (valueOf(set) as string[]).some((s) => setKey(ts, s) === key);
}
