// TagResource, UntagResource, ListTagsOfResource, and the tag checks CreateTable shares.
//
// DynamoDB checks tags itself, not as model constraints ("N validation errors detected"):
// every message below was captured live (ack-api-quirks DDB-TABLE-107/110/372, us-east-1 and
// us-west-2, 2026-10): an empty, over-long or mischaracterised key or value, a missing one
// ("null"), the reserved aws: prefix, duplicate keys, more than 50 tags, and empty lists.
// A refused request applies nothing.

import { decodeJson, encodeJson, tableKey } from "../keyspace.ts";
import type { TableRecord } from "../storage/table.ts";
import { resourceNotFound, validationError } from "../wire/errors.ts";
import { readTable, type Input, type OpContext, type Output } from "./context.ts";

type Tag = { Key?: string; Value?: string };

/** AWS's tag character set: letters, digits and spaces of any script, and + - = . _ : / @. */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_TAGS = 50;
const tooMany = "Number of Tags exceed the current limit for the provided ResourceArn";

const chars = (s: string): number => [...s].length;

function checkKey(key: string | undefined): void {
  if (key == null || chars(key) < 1 || chars(key) > 128 || !TAG_CHARS.test(key)) throw validationError(`The Tag Key provided is invalid, Key: ${key ?? "null"}`);
}

/** A request's tags, each on its own and then as a set (CreateTable takes an empty list). */
export function checkTags(tags: Tag[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    checkKey(t.Key);
    if (t.Key!.startsWith("aws:")) throw validationError(`Tag Key cannot be prefixed with aws:, Key: ${t.Key}`);
    if (t.Value == null || chars(t.Value) > 256 || !TAG_CHARS.test(t.Value)) throw validationError(`The Tag Value provided is invalid, Value: ${t.Value ?? "null"}`);
    if (seen.has(t.Key!)) throw validationError(`Duplicate Tag Keys provided as input: Duplicate Tag Key found ${t.Key}`);
    seen.add(t.Key!);
  }
  if (tags.length > MAX_TAGS) throw validationError(tooMany);
}

function tableFromArn(ctx: OpContext, arn: string): string {
  // A bare table name is the common mistake; DynamoDB names the rule (also Alternator's
  // test_tag_resource_incorrect, run against AWS).
  if (!arn.startsWith("arn:")) throw validationError(`One or more parameter values were invalid: ARNs must start with 'arn:': ${arn}`);
  const m = /^arn:aws:dynamodb:([^:]+):(\d+):table\/([a-zA-Z0-9_.-]{3,255})$/.exec(arn);
  if (!m) throw validationError(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}`);
  if (m[1] !== ctx.region || m[2] !== ctx.accountId) throw notFound(arn);
  return m[3]!;
}

function notFound(arn: string): Error {
  return resourceNotFound(`Requested resource not found: ResourcArn: ${arn} not found`);
}

async function mutateTags(ctx: OpContext, name: string, arn: string, fn: (t: TableRecord) => string | undefined): Promise<void> {
  const out = await ctx.store.transact(
    async (txn) => {
      const v = await txn.get(tableKey(name));
      if (!v) return "missing";
      const t = decodeJson<TableRecord>(v);
      const err = fn(t);
      if (err) return err;
      txn.put(tableKey(name), encodeJson(t));
      return "ok";
    },
    { signal: ctx.signal, family: "ddb.table" },
  );
  if (out === "missing") throw notFound(arn);
  if (out !== "ok") throw validationError(out);
}

export async function tagResource(ctx: OpContext, data: Input): Promise<Output> {
  const arn = data.ResourceArn as string;
  const name = tableFromArn(ctx, arn);
  const tags = data.Tags as Tag[];
  if (!tags.length) throw validationError("Atleast one Tag needs to be provided as Input.");
  checkTags(tags);
  await mutateTags(ctx, name, arn, (t) => {
    for (const tag of tags as { Key: string; Value: string }[]) {
      const i = t.tags.findIndex((x) => x.Key === tag.Key);
      if (i >= 0) t.tags[i] = { Key: tag.Key, Value: tag.Value };
      else t.tags.push({ Key: tag.Key, Value: tag.Value });
    }
    return t.tags.length > MAX_TAGS ? tooMany : undefined;
  });
  return {};
}

export async function untagResource(ctx: OpContext, data: Input): Promise<Output> {
  const arn = data.ResourceArn as string;
  const name = tableFromArn(ctx, arn);
  const keys = data.TagKeys as (string | undefined)[];
  if (!keys.length) throw validationError("Atleast one Tag Key needs to be provided as Input.");
  for (const k of keys) checkKey(k);
  // Counted like tags to add, though it removes them (captured with 51 keys).
  if (keys.length > MAX_TAGS) throw validationError(tooMany);
  const drop = new Set(keys);
  await mutateTags(ctx, name, arn, (t) => {
    t.tags = t.tags.filter((x) => !drop.has(x.Key));
    return undefined;
  });
  return {};
}

export async function listTagsOfResource(ctx: OpContext, data: Input): Promise<Output> {
  const arn = data.ResourceArn as string;
  const t = await readTable(ctx, tableFromArn(ctx, arn));
  if (!t) throw notFound(arn);
  return { Tags: t.tags };
}
