// One engine for DynamoDB's input checks, driven by per-operation tables (shapes.ts):
// first the JSON types (SerializationException, with the JVM's wording), then the member
// constraints in table order (up to ten "Value … at '…' failed to satisfy constraint"
// messages in one ValidationException), then the operation's own checks.

import { MAX_DEPTH } from "../types/attribute-value.ts";

export interface StringSpec {
  type: "String";
  notNull?: boolean;
  regex?: string;
  minLen?: number;
  maxLen?: number;
  enum?: readonly string[];
  /** The empty string is reported only against minLen, not against the pattern. */
  regexSkipsEmpty?: boolean;
  /** Control-plane operations: absence is reported on its own, before anything else. */
  required?: boolean;
}
export interface NumberSpec {
  type: "Integer" | "Long";
  notNull?: boolean;
  min?: number;
  max?: number;
  /** AWS words some members' range errors as "Value at '<Name>'" (no value, member name as sent). */
  bareName?: string;
}
export interface ListSpec {
  type: "List";
  notNull?: boolean;
  minLen?: number;
  maxLen?: number;
  member: Spec;
}
export interface MapSpec {
  type: "Map";
  /** Java value type named in "Unrecognized collection type" errors. */
  of: string;
  notNull?: boolean;
  minLen?: number;
  maxLen?: number;
  keys?: { minLen?: number; maxLen?: number; regex?: string };
  values?: { minLen?: number; maxLen?: number };
  member: Spec;
}
export interface StructSpec {
  type: "Struct";
  shape: string;
  /** Value structs (list/map members) and field structs word their type errors differently. */
  value?: boolean;
  notNull?: boolean;
  fields: Fields;
}
export type Spec =
  | StringSpec
  | NumberSpec
  | ListSpec
  | MapSpec
  | StructSpec
  | { type: "Boolean"; notNull?: boolean }
  | { type: "Blob"; notNull?: boolean }
  | { type: "Attr"; value?: boolean; notNull?: boolean };
export type Fields = Record<string, Spec>;

export class SerializationError extends Error {}
export class InputValidationError extends Error {}

// ---- phase 1: types ----

function typeError(msg: string): SerializationError {
  return new SerializationError(msg);
}

const ATTR_FIELDS: Fields = {
  S: { type: "String" },
  B: { type: "Blob" },
  N: { type: "String" },
  BOOL: { type: "Boolean" },
  NULL: { type: "Boolean" },
  BS: { type: "List", member: { type: "Blob" } },
  NS: { type: "List", member: { type: "String" } },
  SS: { type: "List", member: { type: "String" } },
  L: { type: "List", member: { type: "Attr", value: true } },
  M: { type: "Map", of: "AttributeValue", member: { type: "Attr", value: true } },
};

// Per-table field lists, built once: the hot path iterates arrays, not Object.entries.
interface FieldInfo {
  key: string;
  spec: Spec;
  /** The key as DynamoDB names it in paths (first letter lower-cased). */
  lower: string;
  /** Only a missing value can violate it (no length, pattern, enum or range checks). */
  trivial: boolean;
}
const fieldLists = new WeakMap<Fields, FieldInfo[]>();
function fieldList(fields: Fields): FieldInfo[] {
  let list = fieldLists.get(fields);
  if (!list) {
    list = Object.keys(fields).map((key) => ({ key, spec: fields[key]!, lower: lowerFirst(key), trivial: isTrivial(fields[key]!) }));
    fieldLists.set(fields, list);
  }
  return list;
}
function isTrivial(spec: Spec): boolean {
  switch (spec.type) {
    case "Attr":
    case "Boolean":
    case "Blob":
      return true;
    case "String":
      return spec.regex === undefined && spec.minLen === undefined && spec.maxLen === undefined && spec.enum === undefined;
    case "Integer":
    case "Long":
      return spec.min === undefined && spec.max === undefined;
    default:
      return false;
  }
}

function coerceFields(data: Record<string, unknown>, fields: Fields, attrDepth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldList(fields)) {
    const v = data[f.key];
    if (v === null || v === undefined) continue;
    out[f.key] = coerce(v, f.spec, attrDepth);
  }
  return out;
}

/** An AttributeValue: almost always exactly one known member, coerced without walking all ten. */
function coerceAttr(v: Record<string, unknown>, depth: number): Record<string, unknown> {
  let only: string | undefined;
  let n = 0;
  for (const k in v) {
    if (++n > 1) break;
    only = k;
  }
  if (n === 1 && Object.hasOwn(ATTR_FIELDS, only!)) {
    const e = v[only!];
    if (e === null || e === undefined) return {};
    return { [only!]: coerce(e, ATTR_FIELDS[only!]!, depth) };
  }
  return coerceFields(v, ATTR_FIELDS, depth);
}

function structTypeError(v: unknown, shape: string, value: boolean): void {
  if (typeof v !== "object") throw typeError(value ? "Unexpected value type in payload" : "Unexpected field type");
  if (Array.isArray(v)) throw typeError(`Unrecognized collection type class com.amazonaws.dynamodb.v20120810.${shape}`);
}

/** `attrDepth`: how many AttributeValues enclose `v` (0 outside any). */
function coerce(v: unknown, spec: Spec, attrDepth = 0): unknown {
  switch (spec.type) {
    case "Boolean":
      if (typeof v === "number") throw typeError(`${Number.isInteger(v) ? "NUMBER_VALUE" : "DECIMAL_VALUE"} cannot be converted to Boolean`);
      if (typeof v === "string") {
        const u = v.toUpperCase();
        if (["TRUE", "1", "YES"].includes(u)) return true;
        if (["FALSE", "0", "NO"].includes(u)) return false;
        throw typeError("Unexpected token received from parser");
      }
      if (typeof v === "object") {
        if (Array.isArray(v)) throw typeError("Unrecognized collection type class java.lang.Boolean");
        throw typeError("Start of structure or map found where not expected");
      }
      return v;
    case "Integer":
    case "Long":
      if (typeof v === "boolean") throw typeError(`${v ? "TRUE_VALUE" : "FALSE_VALUE"} cannot be converted to ${spec.type}`);
      if (typeof v === "string") throw typeError(`STRING_VALUE cannot be converted to ${spec.type}`);
      if (typeof v === "object") {
        if (Array.isArray(v)) throw typeError(`Unrecognized collection type class java.lang.${spec.type}`);
        throw typeError("Start of structure or map found where not expected");
      }
      return Math.floor(v as number);
    case "String":
      if (typeof v === "boolean") throw typeError(`${v ? "TRUE_VALUE" : "FALSE_VALUE"} cannot be converted to String`);
      if (typeof v === "number") throw typeError(`${Number.isInteger(v) ? "NUMBER_VALUE" : "DECIMAL_VALUE"} cannot be converted to String`);
      if (typeof v === "object") {
        if (Array.isArray(v)) throw typeError("Unrecognized collection type class java.lang.String");
        throw typeError("Start of structure or map found where not expected");
      }
      return v;
    case "Blob": {
      if (typeof v === "boolean" || typeof v === "number") throw typeError("only base-64-encoded strings are convertible to bytes");
      if (typeof v === "object") {
        if (Array.isArray(v)) throw typeError("Unrecognized collection type class java.nio.ByteBuffer");
        throw typeError("Start of structure or map found where not expected");
      }
      const s = v as string;
      if (s.length % 4) throw typeError(`Base64 encoded length is expected a multiple of 4 bytes but found: ${s.length}`);
      if (Buffer.from(s, "base64").toString("base64") !== s) throw typeError("Invalid last non-pad Base64 character dectected");
      return s;
    }
    case "List":
      if (typeof v !== "object") throw typeError("Unexpected field type");
      if (!Array.isArray(v)) throw typeError("Start of structure or map found where not expected");
      return v.map((e) => (e === null ? null : coerce(e, spec.member, attrDepth)));
    case "Map": {
      if (typeof v !== "object") throw typeError("Unexpected field type");
      if (Array.isArray(v)) {
        const of = spec.of.includes(".") ? spec.of : `com.amazonaws.dynamodb.v20120810.${spec.of}`;
        throw typeError(`Unrecognized collection type java.util.Map<java.lang.String, ${of}>`);
      }
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v as object)) out[k] = e === null ? null : coerce(e, spec.member, attrDepth);
      return out;
    }
    case "Struct":
      structTypeError(v, spec.shape, !!spec.value);
      return coerceFields(v as Record<string, unknown>, spec.fields);
    case "Attr":
      // What lies inside a value nested past MAX_DEPTH is never examined (that value is
      // refused as too deep), and a request can nest deeper than the stack: keep it as sent.
      if (attrDepth > MAX_DEPTH) return v;
      structTypeError(v, "AttributeValue", !!spec.value);
      return coerceAttr(v as Record<string, unknown>, attrDepth + 1);
  }
}

// ---- phase 2: constraints ----

function lowerFirst(s: string): string {
  return s[0]!.toLowerCase() + s.slice(1);
}

/**
 * A member's value as DynamoDB echoes it in constraint messages: the service renders its
 * JVM objects, so lists read `[a, b]`, maps `{k=v}` and structures `Shape(field=value)`.
 */
export function javaString(v: unknown, spec?: Spec, depth = 0): string {
  if (v === null || v === undefined) return "null";
  if (depth > RENDER_DEPTH) return "...";
  const next = depth + 1;
  if (Array.isArray(v)) return `[${v.map((e) => javaString(e, spec?.type === "List" ? spec.member : undefined, next)).join(", ")}]`;
  if (typeof v !== "object") return String(v);
  if (spec?.type === "Struct") {
    const parts = Object.keys(spec.fields)
      .filter((f) => (v as Record<string, unknown>)[f] != null)
      .map((f) => `${lowerFirst(f)}=${javaString((v as Record<string, unknown>)[f], spec.fields[f], next)}`);
    return `${spec.shape}(${parts.join(", ")})`;
  }
  if (spec?.type === "Attr") {
    const parts = Object.entries(v as object).map(([k, e]) => `${k}=${javaString(e, k === "L" ? ATTR_LIST : k === "M" ? ATTR_MAP : undefined, next)}`);
    return `AttributeValue(${parts.join(", ")})`;
  }
  const member = spec?.type === "Map" ? spec.member : undefined;
  return `{${Object.entries(v as object).map(([k, e]) => `${k}=${javaString(e, member, next)}`).join(", ")}}`;
}
const ATTR_LIST: Spec = { type: "List", member: { type: "Attr" } };
const ATTR_MAP: Spec = { type: "Map", of: "AttributeValue", member: { type: "Attr" } };
// Enough for anything DynamoDB accepts (32 levels of L or M, two renderings each, inside the
// request's own structures). Deeper values are refused anyway; they are cut short rather
// than walked past the end of the stack.
const RENDER_DEPTH = 4 * MAX_DEPTH;

class Collector {
  readonly errors: string[] = [];
  pushBare(name: string, msg: string): void {
    if (this.errors.length < 10) this.errors.push(`Value at '${name}' failed to satisfy constraint: ${msg}`);
  }
  push(value: unknown, path: string, msg: string, spec?: Spec): void {
    if (this.errors.length >= 10) return;
    const shown = javaString(value, spec);
    this.errors.push(`Value ${shown === "null" ? "null" : `'${shown}'`} at '${path}' failed to satisfy constraint: ${msg}`);
  }
}

function lengthOf(v: unknown): number {
  if (typeof v === "string") return v.length;
  if (Array.isArray(v)) return v.length;
  return Object.keys(v as object).length;
}

const regexes = new Map<string, RegExp>();
function fullMatch(pattern: string, s: string): boolean {
  let re = regexes.get(pattern);
  if (!re) regexes.set(pattern, (re = new RegExp(`^${pattern}$`)));
  return re.test(s);
}

function lenChecks(v: unknown, spec: Spec, path: string, c: Collector): void {
  const lenSpec = spec as { minLen?: number; maxLen?: number };
  if (lenSpec.minLen !== undefined && lengthOf(v) < lenSpec.minLen)
    c.push(v, path, `Member must have length greater than or equal to ${lenSpec.minLen}`, spec);
  if (lenSpec.maxLen !== undefined && lengthOf(v) > lenSpec.maxLen)
    c.push(v, path, `Member must have length less than or equal to ${lenSpec.maxLen}`, spec);
}

function check(v: unknown, spec: Spec, path: string, c: Collector): void {
  if ("notNull" in spec && spec.notNull && (v === null || v === undefined)) {
    c.push(null, path, "Member must not be null");
    return;
  }
  if (v === null || v === undefined) return;
  switch (spec.type) {
    case "String":
      if (spec.regex && !(spec.regexSkipsEmpty && v === "") && !fullMatch(spec.regex, v as string))
        c.push(v, path, `Member must satisfy regular expression pattern: ${spec.regex}`);
      lenChecks(v, spec, path, c);
      if (spec.enum && !spec.enum.includes(v as string))
        c.push(v, path, `Member must satisfy enum value set: [${spec.enum.join(", ")}]`);
      return;
    case "Integer":
    case "Long":
      if (spec.min !== undefined && (v as number) < spec.min) {
        if (spec.bareName) c.pushBare(spec.bareName, `Member must have value greater than or equal to ${spec.min}`);
        else c.push(v, path, `Member must have value greater than or equal to ${spec.min}`);
      }
      if (spec.max !== undefined && (v as number) > spec.max)
        c.push(v, path, `Member must have value less than or equal to ${spec.max}`);
      return;
    case "List": {
      lenChecks(v, spec, path, c);
      const member = memberSpec(spec.member);
      const trivial = isTrivial(member);
      const list = v as unknown[];
      for (let i = 0; i < list.length; i++) {
        const e = list[i];
        if (trivial && e !== null && e !== undefined) continue;
        check(e, member, `${path}.${i + 1}.member`, c);
      }
      return;
    }
    case "Map": {
      lenChecks(v, spec, path, c);
      if (spec.keys) {
        const ks = spec.keys;
        for (const k of Object.keys(v as object)) {
          const bad =
            (ks.minLen !== undefined && k.length < ks.minLen) ||
            (ks.maxLen !== undefined && k.length > ks.maxLen) ||
            (ks.regex !== undefined && !fullMatch(ks.regex, k));
          if (bad) {
            const msgs: string[] = [];
            if (ks.maxLen !== undefined) msgs.push(`Member must have length less than or equal to ${ks.maxLen}`);
            if (ks.minLen !== undefined) msgs.push(`Member must have length greater than or equal to ${ks.minLen}`);
            if (ks.regex !== undefined) msgs.push(`Member must satisfy regular expression pattern: ${ks.regex}`);
            c.push(v, path, `Map keys must satisfy constraint: [${msgs.join(", ")}]`, spec);
          }
        }
      }
      if (spec.values) {
        const vs = spec.values;
        for (const e of Object.values(v as object)) {
          if (e === null || e === undefined) continue;
          const n = lengthOf(e);
          if ((vs.minLen !== undefined && n < vs.minLen) || (vs.maxLen !== undefined && n > vs.maxLen)) {
            const msgs: string[] = [];
            if (vs.maxLen !== undefined) msgs.push(`Member must have length less than or equal to ${vs.maxLen}`);
            if (vs.minLen !== undefined) msgs.push(`Member must have length greater than or equal to ${vs.minLen}`);
            c.push(v, path, `Map value must satisfy constraint: [${msgs.join(", ")}]`, spec);
          }
        }
      }
      const member = memberSpec(spec.member);
      const trivial = isTrivial(member);
      const map = v as Record<string, unknown>;
      for (const k in map) {
        if (!Object.hasOwn(map, k)) continue;
        const e = map[k];
        if (trivial && e !== null && e !== undefined) continue;
        check(e, member, `${path}.${k}.member`, c);
      }
      return;
    }
    case "Struct":
      checkFields(v as Record<string, unknown>, spec.fields, path, c);
      return;
    default:
      return;
  }
}

/** Collections never hold nulls: a null member is reported like a missing required one. */
const memberSpecs = new WeakMap<Spec, Spec>();
function memberSpec(spec: Spec): Spec {
  if (spec.notNull) return spec;
  let m = memberSpecs.get(spec);
  if (!m) memberSpecs.set(spec, (m = { ...spec, notNull: true } as Spec));
  return m;
}

function checkFields(data: Record<string, unknown>, fields: Fields, parent: string, c: Collector): void {
  for (const f of fieldList(fields)) {
    const v = data[f.key];
    // Paths are built only for members that can fail a check.
    if (v === null || v === undefined) {
      if (!("notNull" in f.spec && f.spec.notNull)) continue;
    } else if (f.trivial) continue;
    check(v, f.spec, parent ? `${parent}.${f.lower}` : f.lower, c);
  }
}

/**
 * Type-check and constraint-check a request body against its table. Returns the typed copy
 * (unknown members dropped, as DynamoDB ignores them). Throws SerializationError or
 * InputValidationError with AWS's text.
 */
export function validateInput(body: Record<string, unknown>, fields: Fields): Record<string, unknown> {
  for (const f of fieldList(fields)) {
    if (f.spec.type !== "String") continue;
    if (f.spec.required && (body[f.key] === undefined || body[f.key] === null))
      throw new InputValidationError(`The parameter '${f.key}' is required but was not present in the request`);
  }
  const data = coerceFields(body, fields);
  const c = new Collector();
  checkFields(data, fields, "", c);
  if (c.errors.length) {
    const n = c.errors.length;
    throw new InputValidationError(`${n} validation error${n > 1 ? "s" : ""} detected: ${c.errors.join("; ")}`);
  }
  return data;
}
