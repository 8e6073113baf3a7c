// Typed reads of request members. Both wires deliver strings or numbers; these helpers
// answer SQS's own errors for missing or malformed values.

import { invalidParameterValue, missingParameter } from "./errors.ts";
import type { Input } from "./model.ts";

export function optString(input: Input, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw invalidParameterValue(`Value for parameter ${name} is invalid. Reason: must be a string.`);
}

export function reqString(input: Input, name: string): string {
  const v = optString(input, name);
  if (v === undefined || v === "") throw missingParameter(name);
  return v;
}

/** An optional integer parameter; `range` errors use SQS's wording. */
export function optInt(input: Input, name: string, range?: { min: number; max: number; reason: string }): number | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === "") return undefined;
  const text = String(v).trim();
  if (!/^-?[0-9]+$/.test(text)) {
    throw invalidParameterValue(`Value ${String(v)} for parameter ${name} is invalid. Reason: must be an integer.`);
  }
  const n = Number(text);
  if (range && (n < range.min || n > range.max)) {
    throw invalidParameterValue(`Value ${n} for parameter ${name} is invalid. Reason: ${range.reason}`);
  }
  return n;
}

export function optStringList(input: Input, name: string): string[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidParameterValue(`Value for parameter ${name} is invalid. Reason: must be a list.`);
  return v.map((e) => String(e));
}

export function optStringMap(input: Input, name: string): Record<string, unknown> | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) {
    throw invalidParameterValue(`Value for parameter ${name} is invalid. Reason: must be a map.`);
  }
  return v as Record<string, unknown>;
}

export function optEntries(input: Input, name = "Entries"): Input[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidParameterValue(`Value for parameter ${name} is invalid. Reason: must be a list.`);
  return v.map((e) => (e && typeof e === "object" ? (e as Input) : {}));
}
