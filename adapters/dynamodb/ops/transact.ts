// TransactWriteItems and TransactGetItems. Every action of a write transaction commits in
// ONE store transaction: conditions are checked against the same snapshot the writes
// commit over, so the whole request is all or nothing.

import { createHash } from "node:crypto";
import type { Txn } from "../../../kvclient/store.ts";
import type { Condition, UpdateAction } from "../expr/ast.ts";
import type { ExprContext, ResolvedPath } from "../expr/bind.ts";
import { applyUpdate, EvalError, evaluate, project } from "../expr/evaluate.ts";
import { decodeJson, encodeJson, tokenExpiryKey, tokenKey } from "../keyspace.ts";
import { readItem, writeItem, type IndexWrite } from "../storage/items.ts";
import { indexKeyProblem, storageKey, updatedIndexKeyError, type TableRecord } from "../storage/table.ts";
import { itemSize, MAX_ITEM_BYTES, type Item } from "../types/attribute-value.ts";
import { COLLECTION_SIZE_EXCEEDED, idempotentMismatch, resourceNotFound, transactionCanceled, validationError } from "../wire/errors.ts";
import { addIndexWrites, consumedCapacity, newCapacity, readUnits, writeUnits, type Capacity } from "./capacity.ts";
import { requireTable, txnTable, withItemLocks, type Input, type OpContext, type Output } from "./context.ts";
import { trackCollection } from "../storage/collections.ts";
import { bindExpressions, checkItemValues } from "./expressions.ts";
import { checkKey, checkKeySizes, emptyKeyValueError, itemKeyTypeError, keyMatchesSchema, keyOf } from "./keys.ts";

export const TOKEN_TTL_MS = 10 * 60 * 1000;
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

type ActionKind = "ConditionCheck" | "Put" | "Delete" | "Update";

interface PreparedAction {
  kind: ActionKind;
  tableName: string;
  key: Item;
  item?: Item;
  update?: UpdateAction[];
  condition?: Condition;
  ctx: ExprContext;
  returnOld: boolean;
  /** A per-action validation failure that cancels the transaction (reason ValidationError). */
  invalid?: string;
}

interface TokenRecord {
  hash: string;
  expires: number;
  /** The response of the first call, replayed for retries with the same token. */
  response: Output;
}

function prepare(raw: Record<string, Input>): PreparedAction {
  const kinds = (["ConditionCheck", "Put", "Delete", "Update"] as const).filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) throw validationError("TransactItems can only contain one of Check, Put, Update or Delete");
  const kind = kinds[0]!;
  const a = raw[kind]!;
  const names = ["ConditionExpression", ...(kind === "Update" ? ["UpdateExpression"] : [])];
  if (a.ExpressionAttributeNames && !names.some((n) => a[n] != null))
    throw validationError("ExpressionAttributeNames can only be specified when using expressions");
  if (a.ExpressionAttributeValues && !names.some((n) => a[n] != null))
    throw validationError(`ExpressionAttributeValues can only be specified when using expressions: ${names.join(" and ")} ${names.length > 1 ? "are" : "is"} null`);
  if (kind === "Put") {
    checkItemValues(a.Item as Item);
    if (itemSize(a.Item as Item) > MAX_ITEM_BYTES) throw validationError("Item size has exceeded the maximum allowed size");
  } else checkItemValues(a.Key as Item);
  const bound = bindExpressions(a);
  return {
    kind,
    tableName: a.TableName as string,
    key: (a.Key as Item) ?? {},
    item: a.Item as Item | undefined,
    update: bound.update,
    condition: bound.condition,
    ctx: bound.ctx,
    returnOld: a.ReturnValuesOnConditionCheckFailure === "ALL_OLD",
  };
}

function requestHash(data: Input): string {
  const { ClientRequestToken: _t, ReturnConsumedCapacity: _c, ReturnItemCollectionMetrics: _m, ...rest } = data;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex");
}

type TxnOutcome =
  | { kind: "missing" }
  | { kind: "replay"; response: Output }
  | { kind: "mismatch" }
  | { kind: "invalid"; message: string }
  | { kind: "canceled"; reasons: { Code: string; Message?: string; Item?: Item }[] }
  | { kind: "ok"; olds: (Item | undefined)[]; nexts: (Item | undefined)[]; writes: IndexWrite[][]; tables: Record<string, TableRecord> };

export async function transactWriteItems(ctx: OpContext, data: Input): Promise<Output> {
  const raw = data.TransactItems as Record<string, Input>[];
  const actions = raw.map(prepare);
  // The 4 MB limit is on the items the transaction carries, sized as DynamoDB sizes them.
  const carried = actions.reduce((n, a) => n + itemSize(a.item ?? a.key), 0);
  if (carried > MAX_REQUEST_BYTES) throw validationError("Transaction request cannot be larger than 4 MB");
  const seen = new Set<string>();
  for (const a of actions) {
    const table = await requireTable(ctx, a.tableName);
    // Empty key values are refused up front; mistyped keys cancel the transaction with a
    // ValidationError reason for that action, as DynamoDB reports them.
    if (a.kind === "Put") {
      const empty = emptyKeyValueError(table, a.item!);
      if (empty) throw validationError(empty);
      const idx = indexKeyProblem(table, a.item!);
      if (idx?.kind === "empty") throw validationError(idx.message);
      a.invalid = itemKeyTypeError(table, a.item!) ?? idx?.message;
      if (!itemKeyTypeError(table, a.item!)) a.key = keyOf(table, a.item!);
    } else {
      const empty = emptyKeyValueError(table, a.key);
      if (empty) throw validationError(empty);
      if (!keyMatchesSchema(table, a.key)) a.invalid = "The provided key element does not match the schema";
    }
    if (a.invalid && a.kind !== "Put") continue;
    if (a.kind !== "Put" || !itemKeyTypeError(table, a.item!)) checkKeySizes(table, a.kind === "Put" ? a.item! : a.key);
    if (a.update) {
      const keyNames = new Set(table.keySchema.map((k) => k.AttributeName));
      for (const u of a.update) {
        const p = a.ctx.resolvePath(u.path);
        if (keyNames.has(p[0] as string))
          throw validationError(`One or more parameter values were invalid: Cannot update attribute ${p[0]}. This attribute is part of the key`);
      }
    }
    if (a.kind === "Put" && itemKeyTypeError(table, a.item!)) continue;
    const id = `${a.tableName}\u0000${Buffer.from(storageKey(table, a.key)).toString("base64")}`;
    if (seen.has(id)) throw validationError("Transaction request cannot include multiple operations on one item");
    seen.add(id);
  }
  const token = data.ClientRequestToken as string | undefined;
  const hash = token ? requestHash(data) : "";
  const now = Date.now();
  const locked: [string, Item][] = actions.filter((a) => !a.invalid).map((a) => [a.tableName, a.key]);
  const outcome = await withItemLocks(ctx, locked, () => ctx.store.transact<TxnOutcome>(
    async (txn) => {
      if (token) {
        const v = await txn.get(tokenKey(token));
        if (v) {
          const rec = decodeJson<TokenRecord>(v);
          if (rec.expires > now) return rec.hash === hash ? { kind: "replay", response: rec.response } : { kind: "mismatch" };
        }
      }
      const tables: Record<string, TableRecord> = {};
      for (const a of actions) {
        if (tables[a.tableName]) continue;
        const t = await txnTable(txn, a.tableName);
        if (!t) return { kind: "missing" };
        tables[a.tableName] = t;
      }
      const olds = await Promise.all(
        actions.map((a) => (a.invalid && (a.kind !== "Put" || !a.key || !Object.keys(a.key).length) ? undefined : readItem(txn, tables[a.tableName]!, a.key))),
      );
      const nexts: (Item | undefined)[] = [];
      const reasons: { Code: string; Message?: string; Item?: Item }[] = [];
      let failed = false;
      let emptyIndexUpdate: string | undefined;
      actions.forEach((a, i) => {
        const old = olds[i];
        if (a.invalid) {
          failed = true;
          reasons.push({ Code: "ValidationError", Message: a.invalid });
          nexts.push(undefined);
          return;
        }
        if (a.condition && !evaluate(a.condition, old, a.ctx)) {
          failed = true;
          reasons.push({ Code: "ConditionalCheckFailed", ...(a.returnOld && old ? { Item: old } : {}), Message: "The conditional request failed" });
          nexts.push(undefined);
          return;
        }
        try {
          let next: Item | undefined;
          if (a.kind === "Put") next = a.item;
          else if (a.kind === "Update") next = applyUpdate(a.update!, old ?? structuredClone(a.key), a.ctx).item;
          else if (a.kind === "ConditionCheck") next = old;
          if (next && a.kind === "Update") {
            if (itemSize(next) > MAX_ITEM_BYTES) throw new EvalError("Item size to update has exceeded the maximum allowed size");
            const p = indexKeyProblem(tables[a.tableName]!, next);
            if (p?.kind === "empty") emptyIndexUpdate ??= updatedIndexKeyError(tables[a.tableName]!, next);
            else if (p) throw new EvalError(p.message);
          }
          nexts.push(next);
          reasons.push({ Code: "None" });
        } catch (e) {
          if (!(e instanceof EvalError)) throw e;
          failed = true;
          nexts.push(undefined);
          reasons.push({ Code: "ValidationError", Message: e.message });
        }
      });
      if (emptyIndexUpdate) return { kind: "invalid", message: emptyIndexUpdate };
      if (failed) return { kind: "canceled", reasons };
      // Item collections, one action after another (two may share a counter shard). A write
      // that would overflow its collection cancels the whole transaction: thrown, so that
      // nothing buffered so far commits.
      const keys = actions.map((a) => storageKey(tables[a.tableName]!, a.key));
      for (let i = 0; i < actions.length; i++) {
        const a = actions[i]!;
        if (a.kind === "ConditionCheck") continue;
        const next = a.kind === "Delete" ? undefined : nexts[i];
        if (!olds[i] && !next) continue;
        const coll = await trackCollection(ctx, txn, tables[a.tableName]!, a.key, keys[i]!, olds[i], next);
        if (coll?.exceeded) throw new CollectionOverflow(i);
      }
      const writes = actions.map((a, i) =>
        a.kind === "ConditionCheck" ? [] : writeItem(txn, tables[a.tableName]!, a.key, olds[i], a.kind === "Delete" ? undefined : nexts[i], keys[i]),
      );
      const result: TxnOutcome = { kind: "ok", olds, nexts, writes, tables };
      if (token) {
        const rec: TokenRecord = { hash, expires: now + TOKEN_TTL_MS, response: responseOf(data, result) };
        txn.put(tokenKey(token), encodeJson(rec));
        txn.put(tokenExpiryKey(rec.expires, token), new Uint8Array(0));
      }
      return result;
    },
    { signal: ctx.signal, family: "ddb.transact" },
  )).catch((err: unknown) => {
    if (!(err instanceof CollectionOverflow)) throw err;
    throw transactionCanceled(
      actions.map((_, i) => (i === err.action ? { Code: "ItemCollectionSizeLimitExceeded", Message: COLLECTION_SIZE_EXCEEDED } : { Code: "None" })),
    );
  });
  switch (outcome.kind) {
    case "missing":
      throw resourceNotFound();
    case "mismatch":
      throw idempotentMismatch();
    case "invalid":
      throw validationError(outcome.message);
    case "replay":
      return outcome.response;
    case "canceled":
      throw transactionCanceled(outcome.reasons);
    case "ok":
      return responseOf(data, outcome);
  }
}

function responseOf(data: Input, r: Extract<TxnOutcome, { kind: "ok" }>): Output {
  const out: Output = {};
  if (data.ReturnConsumedCapacity === "TOTAL" || data.ReturnConsumedCapacity === "INDEXES") {
    const per: Record<string, Capacity> = {};
    const raw = data.TransactItems as Record<string, Input>[];
    raw.forEach((item, i) => {
      const kind = Object.keys(item)[0]!;
      const name = item[kind]!.TableName as string;
      const c = (per[name] ??= newCapacity());
      const size = Math.max(r.olds[i] ? itemSize(r.olds[i]!) : 0, r.nexts[i] ? itemSize(r.nexts[i]!) : 0);
      c.table += kind === "ConditionCheck" ? readUnits(size, true) * 2 : writeUnits(size) * 2;
      addIndexWrites(c, r.writes[i]!, 2);
    });
    out.ConsumedCapacity = Object.entries(per).map(([name, c]) => consumedCapacity(data.ReturnConsumedCapacity, name, c));
  }
  return out;
}

/** Thrown out of a transaction body: action `action` would overflow its item collection. */
class CollectionOverflow extends Error {
  constructor(readonly action: number) {
    super("item collection size limit exceeded");
  }
}

// ---- TransactGetItems ----

interface GetAction {
  tableName: string;
  key: Item;
  projection?: ResolvedPath[];
}

export async function transactGetItems(ctx: OpContext, data: Input): Promise<Output> {
  const raw = data.TransactItems as Record<string, Input>[];
  const actions: GetAction[] = raw.map((r) => {
    const g = r.Get!;
    if (g.ExpressionAttributeNames && g.ProjectionExpression == null)
      throw validationError("ExpressionAttributeNames can only be specified when using expressions");
    checkItemValues(g.Key as Item);
    const bound = bindExpressions(g);
    return { tableName: g.TableName as string, key: g.Key as Item, projection: bound.projection };
  });
  const seen = new Set<string>();
  for (const a of actions) {
    const table = await requireTable(ctx, a.tableName);
    checkKey(table, a.key);
    const id = `${a.tableName}\u0000${Buffer.from(storageKey(table, a.key)).toString("base64")}`;
    if (seen.has(id)) throw validationError("Transaction request cannot include multiple operations on one item");
    seen.add(id);
  }
  const result = await ctx.store.transact(
    async (txn: Txn) => {
      const tables: Record<string, TableRecord> = {};
      for (const a of actions) {
        if (tables[a.tableName]) continue;
        const t = await txnTable(txn, a.tableName);
        if (!t) return undefined;
        tables[a.tableName] = t;
      }
      return Promise.all(actions.map((a) => readItem(txn, tables[a.tableName]!, a.key)));
    },
    { signal: ctx.signal, family: "ddb.transact" },
  );
  if (!result) throw resourceNotFound();
  const out: Output = {
    Responses: result.map((item, i) => {
      if (!item) return {};
      const p = actions[i]!.projection;
      return { Item: p ? project(item, p) : item };
    }),
  };
  if (data.ReturnConsumedCapacity === "TOTAL" || data.ReturnConsumedCapacity === "INDEXES") {
    const per: Record<string, Capacity> = {};
    result.forEach((item, i) => {
      const c = (per[actions[i]!.tableName] ??= newCapacity());
      c.table += readUnits(item ? itemSize(item) : 0, true) * 2;
    });
    out.ConsumedCapacity = Object.entries(per).map(([name, c]) =>
      consumedCapacity(data.ReturnConsumedCapacity, name, c, "ReadCapacityUnits"),
    );
  }
  return out;
}
