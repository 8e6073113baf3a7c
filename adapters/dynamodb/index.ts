// The DynamoDB adapter: AWS JSON 1.0 (`X-Amz-Target: DynamoDB_20120810.<Op>`) over kvclient.

import type { AdapterFactory, ServiceAdapter } from "../aws/service.ts";
import { batchGetItem, batchWriteItem } from "./ops/batch.ts";
import type { OpContext } from "./ops/context.ts";
import { deleteItem, getItem, putItem, updateItem } from "./ops/items.ts";
import { query, scan } from "./ops/read.ts";
import {
  createTable,
  deleteTable,
  describeEndpoints,
  describeLimits,
  describeTableOp,
  describeTimeToLive,
  listTables,
  updateTable,
  updateTimeToLive,
} from "./ops/tables.ts";
import { listTagsOfResource, tagResource, untagResource } from "./ops/tags.ts";
import { transactGetItems, transactWriteItems } from "./ops/transact.ts";
import { Background } from "./storage/background.ts";
import { KeyedLocks } from "./storage/locks.ts";
import { TableStats } from "./storage/stats.ts";
import { tableCache } from "./storage/table-cache.ts";
import { DEFAULT_ITEM_COLLECTION_MAX_BYTES } from "./storage/collections.ts";
import { dispatch, type Operation } from "./wire/handler.ts";

export interface DynamoDbOptions {
  /** Pause between TTL sweeps. */
  ttlIntervalMs: number;
  /** Largest item collection of a table with a local secondary index (AWS: 10 GB). */
  itemCollectionMaxBytes: number;
}

export function dynamoDbOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): DynamoDbOptions {
  const raw = Number(env.DDB_TTL_SWEEP_MS);
  const maxBytes = Number(env.DDB_ITEM_COLLECTION_MAX_BYTES);
  return {
    ttlIntervalMs: Number.isInteger(raw) && raw > 0 ? raw : 5000,
    itemCollectionMaxBytes: Number.isSafeInteger(maxBytes) && maxBytes > 0 ? maxBytes : DEFAULT_ITEM_COLLECTION_MAX_BYTES,
  };
}

export const createDynamoDbAdapter: AdapterFactory = (config) => {
  const options = dynamoDbOptionsFromEnv(config.env);
  const background = new Background({
    store: config.store,
    logger: config.logger,
    ttlIntervalMs: options.ttlIntervalMs,
  });
  const wake = () => background.wake();
  const tables = tableCache(config.store, config.logger);
  // This process's own table changes drop the cached records at once (the store watch
  // does it too, for every process, a moment later).
  const changesTables =
    (op: Operation): Operation =>
    (ctx, data) =>
      op(ctx, data).finally(() => tables.invalidate());
  const operations: Record<string, Operation> = {
    CreateTable: changesTables(createTable),
    DescribeTable: describeTableOp,
    ListTables: listTables,
    DeleteTable: changesTables((ctx, data) => deleteTable(ctx, data, wake)),
    UpdateTable: changesTables((ctx, data) => updateTable(ctx, data, wake)),
    UpdateTimeToLive: changesTables((ctx, data) => updateTimeToLive(ctx, data, wake)),
    DescribeTimeToLive: describeTimeToLive,
    PutItem: putItem,
    GetItem: getItem,
    UpdateItem: updateItem,
    DeleteItem: deleteItem,
    Query: query,
    Scan: scan,
    BatchGetItem: batchGetItem,
    BatchWriteItem: batchWriteItem,
    TransactWriteItems: transactWriteItems,
    TransactGetItems: transactGetItems,
    TagResource: changesTables(tagResource),
    UntagResource: changesTables(untagResource),
    ListTagsOfResource: listTagsOfResource,
    DescribeLimits: describeLimits,
    DescribeEndpoints: describeEndpoints,
  };
  const stats = new TableStats(config.store);
  const locks = new KeyedLocks();
  const adapter: ServiceAdapter = {
    service: "dynamodb",
    operations: Object.keys(operations),
    async handle(req) {
      const ctx: OpContext & { host: string } = {
        store: config.store,
        region: config.region,
        accountId: config.accountId,
        signal: req.signal,
        logger: config.logger,
        stats,
        locks,
        tables,
        collectionLimit: options.itemCollectionMaxBytes,
        host: req.url.host,
      };
      return dispatch(req, operations, ctx);
    },
    async start() {
      background.start();
      tables.start();
    },
    async stop() {
      await tables.stop();
      await background.stop();
    },
  };
  return adapter;
};
